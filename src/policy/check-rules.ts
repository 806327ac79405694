import type { CheckOptions, PolicyDocument, Report } from './model.js';
import { checkBusinessId } from './rules/check-business-id.js';
import { checkBusinesses } from './rules/check-businesses.js';
import { checkDomains } from './rules/check-domains.js';
import { checkDuplicates } from './rules/check-duplicates.js';
import { checkEmails } from './rules/check-emails.js';
import { checkExpiry } from './rules/check-expiry.js';
import { checkIdentities } from './rules/check-identities.js';
import { checkOverrides } from './rules/check-overrides.js';
import { checkReasons } from './rules/check-reasons.js';
import { checkTeams } from './rules/check-teams.js';

/**
 * The semantic rules, over documents that passed the schema. Order matters once: `checkEmails`
 * runs first because it sets each person's normalised email, which the domain and duplicate
 * rules read; `checkExpiry` sets `expiresAt`, which `normalize` reads. Every rule is linear.
 */
export function checkRules(
  docs: readonly PolicyDocument[],
  report: Report,
  options: CheckOptions,
): void {
  for (const doc of docs) checkDocument(doc, report, options);
  checkAcrossDocuments(docs, report);
}

/** The rules about one document alone, in order (see `checkRules`). */
export function checkDocument(doc: PolicyDocument, report: Report, options: CheckOptions): void {
  checkBusinessId(doc, report);
  checkEmails(doc, report);
  checkDomains(doc, report);
  checkTeams(doc, report);
  checkReasons(doc, report);
  checkExpiry(doc, report, options);
  checkOverrides(doc, report);
  checkIdentities(doc, report);
}

/** The rules across documents; run after `checkDocument` on every one of them. */
export function checkAcrossDocuments(docs: readonly PolicyDocument[], report: Report): void {
  checkBusinesses(docs, report);
  checkDuplicates(docs, report);
}
