import { join, relative } from 'node:path';
import type { Console } from '../ports.js';
import type { AccessReader, AccessWriter, ApprovalGate, Clock } from '../ports.js';
import { systemClock } from '../ports.js';
import { redact } from '../redact.js';
import { syncLiveState } from '../sync/sync-live-state.js';
import type { Change, DesiredState, LiveState, Plan } from '../types.js';
import { applyPlan, type ApplyPlanOptions, type ApplyRun } from './apply-plan.js';
import { auditPath } from './audit-log.js';
import type { ApplyHooks } from './execute-operation.js';
import type { AppliedOperation } from './records.js';
import { journalPath } from './journal.js';
import type { EarlierRuns } from './earlier-runs.js';
import {
  earlierRunsText,
  printable,
  renderApplyResultMarkdown,
  renderApplyResultText,
} from './render-apply-result.js';
import { resolveActor } from './resolve-actor.js';

export interface RunApplyOptions {
  plan: Plan;
  /** The policies the plan was made from (their rules re-check the guards). */
  desired: DesiredState;
  connection: AccessReader & AccessWriter;
  gate: ApprovalGate;
  io: Console;
  /** Default `<cwd>/.rolecall`. */
  stateDir?: string;
  strict?: boolean;
  concurrency?: number;
  /** `rolecall expire`: only the revokes of expired grants. */
  only?: (change: Change) => boolean;
  /** Default: `GITHUB_ACTOR`, else the OS user. */
  actor?: string;
  clock?: Clock;
  /** How the report is printed on stdout. Default text. */
  format?: 'text' | 'markdown';
  /** Default: a fresh `syncLiveState` through the same connection (same rate budget). */
  resync?: (businessIds: number[]) => Promise<LiveState>;
  retry?: ApplyPlanOptions['retry'];
  signal?: AbortSignal;
  /** Ctrl-C / SIGTERM: stop starting operations (see `ApplyPlanOptions.interrupt`). */
  interrupt?: AbortSignal;
  hooks?: ApplyHooks;
  /** `--resend-invitations` (see `ApplyPlanOptions.resendInvitations`). */
  resendInvitations?: boolean;
  /** CI: invitations earlier runs for this merge sent (the apply comment's record). */
  earlierInvitations?: ApplyPlanOptions['earlierInvitations'];
}

/**
 * The command's core, shared by `rolecall apply`, `apply --github` and `rolecall expire`
 * (each brings its own gate and filter): applies, prints progress on stderr and the report
 * on stdout, and says where the journal and the audit log are. Returns the run; its
 * `exitCode` is the process exit code.
 */
export async function runApply(options: RunApplyOptions): Promise<ApplyRun> {
  const { io, plan } = options;
  const clock = options.clock ?? systemClock;
  const stateDir = options.stateDir ?? join(io.cwd, '.rolecall');
  const resync =
    options.resync ??
    ((businessIds: number[]) =>
      syncLiveState(options.connection, businessIds, { now: clock.now() }));
  const run = await applyPlan({
    plan,
    desired: options.desired,
    reader: options.connection,
    writer: options.connection,
    gate: options.gate,
    stateDir,
    clock,
    actor: options.actor ?? resolveActor(io.env),
    resync,
    onOperation: (op) => io.stderr.write(`${printable(progressLine(op))}\n`),
    onResume: (earlier) => io.stderr.write(`${printable(resumeLine(earlier))}\n`),
    ...(options.strict === undefined ? {} : { strict: options.strict }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.only === undefined ? {} : { only: options.only }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.interrupt === undefined ? {} : { interrupt: options.interrupt }),
    ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
    ...(options.resendInvitations === undefined
      ? {}
      : { resendInvitations: options.resendInvitations }),
    ...(options.earlierInvitations === undefined
      ? {}
      : { earlierInvitations: options.earlierInvitations }),
  });
  const report =
    options.format === 'markdown'
      ? renderApplyResultMarkdown(run)
      : renderApplyResultText(run, { plan });
  io.stdout.write(printable(redact(report)));
  io.stdout.write(printable(redact(whereRecorded(run, stateDir, io.cwd))));
  return run;
}

function progressLine(op: AppliedOperation): string {
  const to = op.to ? ` → ${op.to.role}` : '';
  const detail = op.detail ? ` (${op.detail})` : '';
  return redact(
    `  ${op.outcome.padEnd(8)} ${op.action} ${op.email}${to}${op.resumed ? ' [earlier run]' : ''}${detail}`,
  );
}

/** Said before the checks, so the user knows a re-run picks up where the last one stopped. */
function resumeLine(earlier: EarlierRuns): string {
  const rest = earlier.total - earlier.done;
  return redact(
    `Resuming: ${earlier.done} of ${earlier.total} operation(s) were done by an earlier run of this plan (${earlierRunsText(earlier)}); ${rest} to go.`,
  );
}

function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}

/** "Audit log: .rolecall/audit/2026-11-29.jsonl · journal: .rolecall/journal/<hex>.jsonl" */
function whereRecorded(run: ApplyRun, stateDir: string, cwd: string): string {
  const audit = shown(auditPath(stateDir, run.finishedAt), cwd);
  if (run.alreadyApplied) {
    return `Journal: ${shown(journalPath(stateDir, run.planDigest), cwd)} (what the earlier runs did)\n`;
  }
  if (run.runId === null) return run.refusal ? `Audit log: ${audit} (refusal recorded)\n` : '';
  const journal = shown(journalPath(stateDir, run.planDigest), cwd);
  const recovered =
    run.recoveredAudit > 0 ? `; ${run.recoveredAudit} record(s) recovered from the journal` : '';
  return `Audit log: ${audit} (${run.operations.filter((o) => !o.resumed).length} operation record(s) and a summary${recovered})\nJournal: ${journal} (run the same plan again to resume)\n`;
}
