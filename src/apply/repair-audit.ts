import type { PolicyCommit } from '../types.js';
import { auditRecordOf, type AuditLog } from './audit-log.js';
import type { JournalRecord, OutcomeRecord, PlanStartRecord } from './records.js';

/**
 * Every outcome is journaled before it is audited. A run killed between the two leaves an
 * outcome with no audit record; the next run of the plan writes it (marked `recovered`) from
 * the journal, so the audit log ends up with exactly one record per recorded outcome.
 * Returns how many records were recovered.
 */
export async function repairAudit(
  records: readonly JournalRecord[],
  audit: AuditLog,
  context: { planDigest: string; policyCommits: ReadonlyMap<number, PolicyCommit> },
): Promise<number> {
  const runs = new Map<string, PlanStartRecord>();
  const byDay = new Map<string, OutcomeRecord[]>();
  for (const record of records) {
    if (record.type === 'plan-start') runs.set(record.runId, record);
    if (record.type !== 'outcome') continue;
    const day = record.at.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), record]);
  }
  let recovered = 0;
  for (const outcomes of byDay.values()) {
    const first = outcomes[0];
    if (!first) continue;
    const present = await audit.idsOn(first.at);
    for (const outcome of outcomes) {
      if (present.has(outcome.auditId)) continue;
      const run = runs.get(outcome.runId);
      await audit.append({
        ...auditRecordOf(outcome, {
          actor: run?.actor ?? 'unknown',
          approval: run?.approval ?? 'unknown',
          planDigest: context.planDigest,
          policyCommit: context.policyCommits.get(outcome.businessId) ?? null,
        }),
        recovered: true,
      });
      recovered += 1;
    }
  }
  return recovered;
}
