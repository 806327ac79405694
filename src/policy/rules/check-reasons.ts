import type { PolicyDocument, Report } from '../model.js';
import { grantLabel } from '../model.js';

/** With `rules.requireReason: true`, every member entry and team says why (a blank reason does not count). */
export function checkReasons(doc: PolicyDocument, report: Report): void {
  if (doc.raw.rules?.requireReason !== true) return;
  for (const grant of doc.grants) {
    if (grant.reason !== undefined && grant.reason.trim() !== '') continue;
    const who =
      grant.kind === 'team'
        ? grantLabel(grant)
        : (grant.people[0]?.rawEmail.trim() ?? grantLabel(grant));
    report.error(
      'REASON_REQUIRED',
      `${who} has no reason: rules.requireReason is on, add \`reason: …\` saying why this access exists`,
      doc.locator.at(grant.path),
    );
  }
}
