import { randomBytes } from 'node:crypto';
import { RolecallError, EXIT } from '../errors.js';
import type {
  AccessReader,
  AccessWriter,
  ApprovalDecision,
  ApprovalGate,
  Clock,
} from '../ports.js';
import { redact } from '../redact.js';
import type {
  BusinessPlan,
  Change,
  DesiredState,
  LiveState,
  Plan,
  PolicyCommit,
} from '../types.js';
import { AuditLog } from './audit-log.js';
import { BusinessScheduler } from './business-scheduler.js';
import { WriteConfirmer } from './confirm-writes.js';
import { executeOperation, type ApplyHooks, type ExecutionContext } from './execute-operation.js';
import { earlierRuns, type EarlierRuns } from './earlier-runs.js';
import { InvitationLedger, type SentInvitation } from './invitation-ledger.js';
import { historyByOperation, Journal, readAllJournals } from './journal.js';
import { operationKey, orderOperations, paidRolesOf } from './order-operations.js';
import { preflightChecks, type Refusal, type RefusalCode } from './preflight-checks.js';
import { recordOutcome, resultOf } from './record-outcome.js';
import {
  OPERATION_OUTCOMES,
  type AppliedOperation,
  type ApplyResult,
  type ApplyVerdict,
  type ManualTask,
  type OperationOutcome,
} from './records.js';
import { repairAudit } from './repair-audit.js';
import { adminRemovalBlocked, runPhases } from './run-phases.js';
import { viewOfLive, type MemberView } from './target-state.js';

export type { Refusal, RefusalCode } from './preflight-checks.js';

export interface ApplyRun extends ApplyResult {
  runId: string | null;
  operations: AppliedOperation[];
  refusal?: Refusal;
  approval?: ApprovalDecision;
  /** Manual tasks still open after this run (new ones and earlier ones not yet done). */
  manualTasks: ManualTask[];
  /** Operations an earlier run of this plan had finished: not sent again (open manual tasks excluded). */
  resumed: number;
  /** Audit records written from the journal because an earlier run died before writing them. */
  recoveredAudit: number;
  warnings: string[];
  /** What earlier runs of this plan had finished before this one began; absent: nothing. */
  earlier?: EarlierRuns;
  /** Earlier runs had finished every operation: nothing was read, asked or sent this time. */
  alreadyApplied?: true;
  /** A graceful stop (Ctrl-C, SIGTERM) ended the run with operations not yet run. */
  interrupted?: Interruption;
  /**
   * Every invitation the run knows was sent (or may have been), this run's included: what
   * `apply --github` keeps in its pull request comment, since CI has no journal to remember it.
   */
  invitations?: SentInvitation[];
}

export interface Interruption {
  signal: string;
  /** Operations finished for good (applied or already in place), by this run or earlier ones. */
  done: number;
  total: number;
}

export interface ApplyPlanOptions {
  plan: Plan;
  /** The policies: their rules and overrides re-evaluate the guards against fresh live state. */
  desired: DesiredState;
  reader: AccessReader;
  writer: AccessWriter;
  gate: ApprovalGate;
  /** `.rolecall/`: the journal and the audit log live under it. */
  stateDir: string;
  clock: Clock;
  actor: string;
  resync: (businessIds: number[]) => Promise<LiveState>;
  strict?: boolean;
  /** Writes in flight at once within a phase; default 4. They share the client's rate budget. */
  concurrency?: number;
  /** Apply only the changes this accepts (`rolecall expire`: revokes of expired grants). */
  only?: (change: Change) => boolean;
  retry?: { attempts?: number; backoffMs?: number; sleep?: (ms: number) => Promise<void> };
  onOperation?: (result: AppliedOperation) => void;
  /** Aborting stops the run at once, like a crash: tests use it to simulate `kill -9`. */
  signal?: AbortSignal;
  /**
   * A graceful stop (Ctrl-C): before the first write the run ends with nothing written; after
   * it, no new operation starts and those in flight finish and are journaled, so the same plan
   * run again resumes. Its `reason` names the signal (`SIGINT`, `SIGTERM`: exit 130, 143).
   */
  interrupt?: AbortSignal;
  /** Told, before the checks, when earlier runs of this plan finished some of its operations. */
  onResume?: (earlier: EarlierRuns) => void;
  hooks?: ApplyHooks;
  /**
   * `--resend-invitations`: send an invitation again even when an earlier one may still be
   * pending (within its validity window) and FreshBooks does not list it. Reported per operation.
   */
  resendInvitations?: boolean;
  /** Invitations sent by earlier runs that left no journal here (CI: the apply comment's record). */
  earlierInvitations?: readonly SentInvitation[];
}

export const DEFAULT_CONCURRENCY = 4;
const DEFAULT_ATTEMPTS = 4;

/**
 * Executes an approved plan. A plan whose journal shows every operation done by earlier runs
 * is reported as already applied (by which run, when) without reading, asking or writing
 * anything. Otherwise, before the first write, in order: re-sync the businesses the plan
 * touches; check the policy is the one planned; refuse a stale plan; re-evaluate the guards
 * on fresh live state; ask the approval gate. Any refusal → exit code 1 (an interrupt: 130 or
 * 143), nothing written to FreshBooks. Then four strictly sequential phases (seat releases,
 * grants and upgrades, downgrades, revokes), each with bounded concurrency; failures are
 * aggregated, never first-error-abort; an interrupt lets the operations in flight finish and
 * starts no other. Every write is journaled (intent before, outcome after), so running the same plan
 * again after any crash or interrupt resumes it and ends in the same state as one clean run.
 */
export async function applyPlan(options: ApplyPlanOptions): Promise<ApplyRun> {
  const { plan, clock, signal } = options;
  const startedAt = clock.now().toISOString();
  const audit = new AuditLog(options.stateDir, signal);
  const only = options.only ?? (() => true);
  const scope = plan.businesses
    .map((business) => ({ business, changes: business.changes.filter(only) }))
    .filter((entry) => entry.changes.length > 0);
  const base: Omit<ApplyRun, 'exitCode' | 'finishedAt'> = {
    planDigest: plan.digest,
    startedAt,
    runId: null,
    operations: [],
    manualTasks: [],
    resumed: 0,
    recoveredAudit: 0,
    warnings: [],
    ...(options.earlierInvitations?.length ? { invitations: [...options.earlierInvitations] } : {}),
  };
  if (scope.length === 0)
    return { ...base, exitCode: EXIT.OK, finishedAt: clock.now().toISOString() };

  const journal = await Journal.open(options.stateDir, plan.digest, signal);
  try {
    if (journal.skipped > 0) {
      base.warnings.push(
        `the journal had ${journal.skipped} unreadable line(s) (a record cut short by a crash); ignored`,
      );
    }
    const history = historyByOperation(journal.records);
    const policyCommits = new Map<number, PolicyCommit>(
      plan.businesses.map((b) => [b.businessId, b.policyCommit]),
    );
    // Seat releases first: which changes free a seat is the plan's own count (`seats.paidRoles`).
    const paidRoles = paidRolesOf(plan.businesses);
    const ordered = orderOperations(
      scope.flatMap((entry) => entry.changes),
      paidRoles,
    ).flat();
    const earlier = earlierRuns(
      ordered.map((op) => op.key),
      history,
    );
    if (earlier) base.earlier = earlier;
    if (earlier && earlier.done === earlier.total) {
      // Nothing left to write: no re-read, no approval, no new run in the journal. Only the
      // audit records a killed run may have left unwritten are completed.
      base.recoveredAudit = await repairAudit(journal.records, audit, {
        planDigest: plan.digest,
        policyCommits,
      });
      const operations = ordered.flatMap((op) => {
        const outcome = history.get(op.key)?.outcome;
        return outcome
          ? [{ ...resultOf(op, outcome.outcome, outcome), resumed: true as const }]
          : [];
      });
      return {
        ...base,
        operations,
        resumed: operations.length,
        alreadyApplied: true,
        exitCode: EXIT.OK,
        finishedAt: clock.now().toISOString(),
      };
    }
    if (earlier) options.onResume?.(earlier);

    const interrupt = options.interrupt;
    // Read when the stop has happened: the abort reason names the signal.
    const stopSignal = () => (typeof interrupt?.reason === 'string' ? interrupt.reason : 'SIGINT');
    const stopExit = () => (stopSignal() === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED);
    const refuse = async (
      code: RefusalCode,
      message: string,
      details: string[] = [],
      exitCode: ApplyRun['exitCode'] = EXIT.ERROR,
    ) => {
      const finishedAt = clock.now().toISOString();
      const run: ApplyRun = {
        ...base,
        refusal: { code, message, details },
        exitCode,
        finishedAt,
      };
      await audit.append(
        summaryOf(
          run,
          options.actor,
          'refused',
          `${message}${details.length ? `: ${details.join('; ')}` : ''}`,
        ),
      );
      return run;
    };
    const stoppedBeforeWriting = () =>
      refuse('INTERRUPTED', `stopped by ${stopSignal()} before any write`, [], stopExit());
    if (interrupt?.aborted) return await stoppedBeforeWriting();

    let live: LiveState;
    try {
      live = await options.resync(scope.map((entry) => entry.business.businessId));
    } catch (error) {
      signal?.throwIfAborted();
      return await refuse(
        'LIVE_UNREADABLE',
        `could not read live FreshBooks before applying: ${messageOf(error)}`,
      );
    }

    const checked = preflightChecks({
      scope,
      desired: options.desired,
      live,
      history,
      baseline: journal.records.find((r) => r.type === 'plan-start')?.untouched ?? {},
      strict: options.strict ?? false,
    });
    if (checked.refusal) {
      const { code, message, details } = checked.refusal;
      return await refuse(code, message, details);
    }
    const untouched = checked.untouched;
    if (interrupt?.aborted) return await stoppedBeforeWriting();

    const decision = await options.gate.decide(
      plan,
      earlier ? { done: earlier.done, total: earlier.total } : undefined,
    );
    base.approval = decision;
    // A Ctrl-C at the prompt (or while the gate waited) is an interruption, not a refusal.
    if (interrupt?.aborted) return await stoppedBeforeWriting();
    if (!decision.approved) return await refuse('NOT_APPROVED', `not approved: ${decision.reason}`);

    // ── the first write happens below this line ──
    const runId = newRunId(clock);
    base.runId = runId;
    await journal.append({
      type: 'plan-start',
      at: clock.now().toISOString(),
      runId,
      digest: plan.digest,
      actor: options.actor,
      approval: decision.reason,
      pid: process.pid,
      untouched,
    });
    base.recoveredAudit = await repairAudit(journal.records, audit, {
      planDigest: plan.digest,
      policyCommits,
    });

    // Every plan's journal: invitations sent before, the capacity encoding that worked.
    const invitations = InvitationLedger.fromJournals(
      await readAllJournals(options.stateDir),
      options.earlierInvitations,
    );
    base.invitations = unsettledInvitations(invitations, []);
    for (const business of live.businesses) {
      const pending = business.members.filter((m) => m.state === 'invited').length;
      if (pending > 0) {
        invitations.noteListed(
          `${pending} pending in ${business.name || `business ${business.businessId}`}`,
        );
      }
    }
    const scheduler = new BusinessScheduler();
    const ctx: ExecutionContext = {
      reader: options.reader,
      writer: options.writer,
      journal,
      audit,
      clock,
      runId,
      actor: options.actor,
      approval: decision.reason,
      planDigest: plan.digest,
      policyCommits,
      attempts: options.retry?.attempts ?? DEFAULT_ATTEMPTS,
      backoffMs: options.retry?.backoffMs ?? 500,
      sleep: options.retry?.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      ...(signal === undefined ? {} : { signal }),
      ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
      scheduler,
      confirmer: new WriteConfirmer(
        options.reader,
        scheduler,
        new Map(live.businesses.map((b) => [b.businessId, b.members.length])),
      ),
      invitations,
      resendInvitations: options.resendInvitations ?? false,
    };
    const snapshots = new Map<number, MemberView[]>(
      live.businesses.map((b) => [b.businessId, b.members.map(viewOfLive)]),
    );
    const businessById = new Map<number, BusinessPlan>(
      scope.map((e) => [e.business.businessId, e.business]),
    );
    const changeByKey = new Map<string, Change>(
      scope.flatMap((entry) =>
        entry.changes.map((change) => [operationKey(change), change] as const),
      ),
    );
    const operations = await runPhases(
      scope.flatMap((entry) => entry.changes),
      paidRoles,
      options.concurrency ?? DEFAULT_CONCURRENCY,
      async (op, results) => {
        const business = businessById.get(op.change.businessId);
        if (!business) throw new Error(`no business for ${op.key}`);
        const blocked = adminRemovalBlocked(op, results, changeByKey, history.get(op.key));
        const result = blocked
          ? await recordOutcome(op, ctx, 'failed', { detail: blocked })
          : await executeOperation(
              op,
              business,
              snapshots.get(op.change.businessId) ?? [],
              history.get(op.key),
              ctx,
            );
        options.onOperation?.(result);
        return result;
      },
      () => interrupt?.aborted === true,
    );

    const finishedAt = clock.now().toISOString();
    const counts = countOutcomes(operations);
    // Stopped: operations were left unstarted. (A stop during the last one changes nothing.)
    const stopped = operations.length < ordered.length;
    // Unconfirmed is not applied: like a manual task or a failure, it leaves work for later.
    const exitCode = stopped
      ? stopExit()
      : counts.failed + counts.manual + counts.unconfirmed > 0
        ? EXIT.MANUAL
        : EXIT.OK;
    await journal.append({ type: 'plan-end', at: finishedAt, runId, exitCode, counts });
    if (stopped && operations.length === 0) return await stoppedBeforeWriting();
    const interrupted: Interruption | undefined = stopped
      ? {
          signal: stopSignal(),
          done: operations.filter((o) => o.outcome === 'applied' || o.outcome === 'already').length,
          total: ordered.length,
        }
      : undefined;
    const run: ApplyRun = {
      ...base,
      operations,
      manualTasks: operations.flatMap((o) => (o.outcome === 'manual' && o.task ? [o.task] : [])),
      resumed: operations.filter((o) => o.resumed && o.outcome !== 'manual').length,
      ...(interrupted ? { interrupted } : {}),
      invitations: unsettledInvitations(invitations, operations),
      exitCode,
      finishedAt,
    };
    await audit.append(
      summaryOf(
        run,
        options.actor,
        exitCode === 0 ? 'applied' : 'partial',
        interrupted
          ? `interrupted by ${interrupted.signal}: ${interrupted.done} of ${interrupted.total} operations done`
          : undefined,
      ),
    );
    return run;
  } catch (error) {
    if (signal?.aborted || error instanceof RolecallError) throw error;
    throw new RolecallError(
      'APPLY_INTERRUPTED',
      `apply stopped: ${messageOf(error)}; fix the cause and run the same plan again to resume`,
      { exitCode: EXIT.MANUAL, cause: error },
    );
  } finally {
    await journal.close();
  }
}

/**
 * The invitations worth remembering where there is no journal (CI): those of people FreshBooks
 * does not show in place yet. A grant applied or already in place is listed by FreshBooks,
 * which is all the memory it needs. At most the latest 200 (a pull request comment is small).
 */
function unsettledInvitations(
  ledger: InvitationLedger,
  operations: readonly AppliedOperation[],
): SentInvitation[] {
  const inPlace = new Set(
    operations
      .filter((o) => o.action === 'grant' && (o.outcome === 'applied' || o.outcome === 'already'))
      .map((o) => `${o.businessId}/${o.email}`),
  );
  return ledger
    .all()
    .filter((i) => !inPlace.has(`${i.businessId}/${i.email}`))
    .slice(-200);
}

export function countOutcomes(
  operations: readonly Pick<AppliedOperation, 'outcome'>[],
): Record<OperationOutcome, number> {
  const counts = Object.fromEntries(OPERATION_OUTCOMES.map((o) => [o, 0])) as Record<
    OperationOutcome,
    number
  >;
  for (const op of operations) counts[op.outcome] += 1;
  return counts;
}

function summaryOf(run: ApplyRun, actor: string, result: ApplyVerdict, reason?: string) {
  return {
    type: 'summary' as const,
    time: run.finishedAt,
    actor,
    planDigest: run.planDigest,
    runId: run.runId,
    approval: run.approval?.reason ?? null,
    result,
    exitCode: run.exitCode,
    counts: countOutcomes(run.operations),
    skipped: run.resumed,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    ...(reason === undefined ? {} : { reason }),
  };
}

function newRunId(clock: Clock): string {
  return `${clock.now().toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
}

function messageOf(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}
