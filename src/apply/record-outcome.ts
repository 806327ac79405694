import type { Clock } from '../ports.js';
import { redact } from '../redact.js';
import type { PolicyCommit } from '../types.js';
import { auditRecordOf, type AuditLog } from './audit-log.js';
import type { Journal } from './journal.js';
import type { Operation } from './order-operations.js';
import type {
  AppliedOperation,
  ManualTask,
  MemberShown,
  OperationOutcome,
  OutcomeRecord,
} from './records.js';

/** What recording an outcome needs of the run (a part of the execution context). */
export interface RecordingContext {
  journal: Journal;
  audit: AuditLog;
  clock: Clock;
  runId: string;
  actor: string;
  approval: string;
  planDigest: string;
  policyCommits: ReadonlyMap<number, PolicyCommit>;
}

export function resultOf(
  op: Operation,
  outcome: OperationOutcome,
  from?: Pick<OutcomeRecord, 'detail' | 'requestId' | 'shows'>,
): AppliedOperation {
  const { change } = op;
  return {
    op: op.key,
    businessId: change.businessId,
    email: change.email,
    action: change.action,
    from: change.from,
    to: change.to,
    outcome,
    ...(from?.detail === undefined ? {} : { detail: from.detail }),
    ...(from?.requestId === undefined ? {} : { requestId: from.requestId }),
    ...(from?.shows === undefined ? {} : { shows: from.shows }),
  };
}

/**
 * Records an outcome: the journal first (the source of truth for a rerun), then the audit log.
 * If the process dies between the two, the next run writes the missing audit record from the
 * journal (`repairAudit`), so every outcome is audited exactly once.
 */
export async function recordOutcome(
  op: Operation,
  ctx: RecordingContext,
  outcome: OperationOutcome,
  extra: { detail?: string; requestId?: string; task?: ManualTask; shows?: MemberShown | null },
): Promise<AppliedOperation> {
  const { change } = op;
  const at = ctx.clock.now().toISOString();
  const auditId = `${ctx.runId}:${op.key}`;
  // The key order is the journal line's: type, at, runId, then resultOf's, then auditId, task.
  const outcomeRecord: OutcomeRecord = {
    type: 'outcome',
    at,
    runId: ctx.runId,
    ...resultOf(op, outcome, {
      ...(extra.detail === undefined ? {} : { detail: redact(extra.detail) }),
      ...(extra.requestId === undefined ? {} : { requestId: extra.requestId }),
      ...(extra.shows === undefined ? {} : { shows: extra.shows }),
    }),
    auditId,
    ...(extra.task === undefined ? {} : { task: extra.task }),
  };
  await ctx.journal.append(outcomeRecord);
  await ctx.audit.append(
    auditRecordOf(outcomeRecord, {
      actor: ctx.actor,
      approval: ctx.approval,
      planDigest: ctx.planDigest,
      policyCommit: ctx.policyCommits.get(change.businessId) ?? null,
    }),
  );
  return {
    ...resultOf(op, outcome, outcomeRecord),
    ...(extra.task === undefined ? {} : { task: extra.task }),
  };
}
