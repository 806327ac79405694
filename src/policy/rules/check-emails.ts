import { checkEmail } from '../check-email.js';
import type { PolicyDocument, Report } from '../model.js';

/**
 * Every address (members, team members, `rules.protected`) must fit the conservative ASCII
 * grammar. Valid people get their normalised `email` and `domain`; later rules skip the rest,
 * so one bad address yields one diagnostic.
 */
export function checkEmails(doc: PolicyDocument, report: Report): void {
  for (const grant of doc.grants) {
    for (const person of grant.people) {
      const result = checkEmail(person.rawEmail);
      if (result.ok) {
        person.email = result.email;
        person.domain = result.domain;
      } else {
        report.error(result.code, result.message, doc.locator.at(person.path));
      }
    }
  }
  (doc.raw.rules?.protected ?? []).forEach((email, i) => {
    const result = checkEmail(email);
    if (!result.ok)
      report.error(
        result.code,
        `rules.protected: ${result.message}`,
        doc.locator.at(['rules', 'protected', i]),
      );
  });
}
