import type { CheckOptions, PolicyDocument, Report } from './model.js';
import { checkBusinessId } from './rules/check-business-id.js';
import { checkDomains } from './rules/check-domains.js';
import { checkEmails } from './rules/check-emails.js';
import { checkExpiry } from './rules/check-expiry.js';
import { checkIdentities } from './rules/check-identities.js';
import { checkOverrides } from './rules/check-overrides.js';
import { checkReasons } from './rules/check-reasons.js';
import { checkTeams } from './rules/check-teams.js';

/**
 * The semantic rules about one document alone, over a document that passed the schema. Order
 * matters once: `checkEmails` runs first because it sets each person's normalised email, which
 * the domain and duplicate rules read; `checkExpiry` sets `expiresAt`, which `normalize` reads,
 * and collects the `maxDuration` checks that `checkDurations` makes later. Every rule is linear.
 * The rules across documents (`checkBusinesses`, `checkDuplicates` over the files of one
 * business) run once every file is through these (validate-documents.ts).
 */
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
