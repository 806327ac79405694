import { checkDomainName, quote } from '../check-email.js';
import type { PolicyDocument, Report } from '../model.js';
import { didYouMean } from '../suggest.js';

/**
 * `rules.allowedDomains`: each entry must be a domain name, and every granted person's domain
 * must be one of them (exact match, case-insensitive; subdomains are not implied). A near miss
 * (`acme.exmaple`) gets a "did you mean".
 */
export function checkDomains(doc: PolicyDocument, report: Report): void {
  const listed = doc.raw.rules?.allowedDomains;
  if (listed === undefined) return;
  const allowed = new Set<string>();
  listed.forEach((domain, i) => {
    const problem = checkDomainName(domain.trim());
    if (problem) {
      report.error(
        'INVALID_DOMAIN',
        `rules.allowedDomains: ${quote(domain)} is not a domain name: ${problem}`,
        doc.locator.at(['rules', 'allowedDomains', i]),
      );
    } else {
      allowed.add(domain.trim().toLowerCase());
    }
  });
  const names = [...allowed];
  for (const grant of doc.grants) {
    for (const person of grant.people) {
      if (person.domain === undefined || allowed.has(person.domain)) continue;
      report.error(
        'DOMAIN_NOT_ALLOWED',
        `${person.email ?? ''}: the domain "${person.domain}" is not in rules.allowedDomains (${names.join(', ') || 'empty'}).${didYouMean(person.domain, names)}`,
        doc.locator.at(person.path),
      );
    }
  }
}
