import { checkEmail } from '../check-email.js';
import type { PolicyDocument, Report } from '../model.js';

/**
 * `identities:` (the schema checks the login's form): every email fits the policy's address
 * grammar, and each GitHub login is listed once — logins are case-insensitive, and one entry
 * per person keeps "which emails are this login" answerable in one place.
 */
export function checkIdentities(doc: PolicyDocument, report: Report): void {
  const seen = new Map<string, number>();
  (doc.raw.identities ?? []).forEach((identity, i) => {
    const login = identity.github.toLowerCase();
    const first = seen.get(login);
    if (first === undefined) {
      seen.set(login, i);
    } else {
      const where = doc.locator.at(['identities', first, 'github']);
      report.error(
        'DUPLICATE_IDENTITY',
        `GitHub login "${identity.github}" is listed twice in identities (first at line ${where.line}); list each login once, with all of its emails`,
        doc.locator.at(['identities', i, 'github']),
      );
    }
    identity.emails.forEach((email, j) => {
      const result = checkEmail(email);
      if (!result.ok)
        report.error(
          result.code,
          `identities: ${result.message}`,
          doc.locator.at(['identities', i, 'emails', j]),
        );
    });
  });
}
