/**
 * Where `apply --github` reports, and what: the job log, the audit log (`.rolecall/audit/`, the
 * workflow's artifact), the sticky apply comment on the pull request (once it is known), the
 * job summary and step outputs (`result`, `comment_url`). Every refusal is recorded in all of
 * them; nothing here writes to FreshBooks.
 */
import { AuditLog } from '../../apply/audit-log.js';
import type { ApplyRun } from '../../apply/apply-plan.js';
import { printable } from '../../apply/render-apply-result.js';
import type { GitHubContext } from '../../github/context.js';
import { appendJobSummary } from '../../github/job-summary.js';
import { writeOutput } from '../../github/outputs.js';
import type { ApprovedPlan } from '../../github/plan-comment.js';
import { redact } from '../../redact.js';
import type { ApplyComment, ApplyCommentRecord, ApplyState } from './apply-comment.js';
import type { MergeGate } from './merge-gate.js';
import type { ApprovalDecision } from '../../ports.js';
import {
  renderGateRefusal,
  renderPolicyApproved,
  renderNothing,
  renderOutcome,
  renderRefusal,
  type CommentContext,
} from './render-comment.js';
import type { Console } from '../../ports.js';

/** Where this run reports: the job log, the audit log, and (once known) the pull request. */
export interface Reporter {
  io: Console;
  stateDir: string;
  actor: string;
  context: GitHubContext;
  sha: string;
  comment: ApplyComment | null;
  commentContext: CommentContext | null;
  approvedDigest: string | null;
  /** The merge changes policy facts (so an approval of it must be recorded even with no writes). */
  policyChanged: boolean;
  /** This run already marked the comment `applying` (it must not be left saying so). */
  marked: boolean;
}

/** The outcome of `runApply`: its report, or the gate's refusal with every unmet rule. */
export async function reportRun(
  reporter: Reporter,
  run: ApplyRun,
  approved: ApprovedPlan,
  gate: MergeGate,
  hadComment: boolean,
): Promise<number> {
  const ctx = reporter.commentContext as CommentContext;
  let state: ApplyState;
  let body: string | null;
  if (run.refusal) {
    state = 'refused';
    body =
      run.refusal.code === 'NOT_APPROVED' && gate.evaluation
        ? renderGateRefusal(ctx, gate.evaluation)
        : renderOutcome(ctx, run);
  } else if (run.operations.length === 0) {
    state = 'nothing';
    // An empty plan approved as empty needs no second comment; the plan comment said so. An
    // approved policy change does: its record makes this merge the trusted policy state.
    body =
      approved.changes > 0 || hadComment || reporter.marked
        ? renderNothing(ctx, approved.changes)
        : reporter.policyChanged
          ? renderPolicyApproved(ctx, run.approval?.reason ?? 'approved')
          : null;
  } else {
    state = run.exitCode === 0 ? 'applied' : 'partial';
    body = renderOutcome(ctx, run);
  }
  if (body !== null) await publish(reporter, body, state, run.exitCode);
  else await outputs(reporter, state, null);
  return run.exitCode;
}

/** A refusal before `runApply`: job log, audit log, the pull request when known, job summary. */
export async function refuse(
  reporter: Reporter,
  startedAt: Date,
  message: string,
): Promise<number> {
  const { io } = reporter;
  io.stderr.write(
    printable(`rolecall: refused: ${redact(message)}\nNothing was written to FreshBooks.\n`),
  );
  await auditRefusal(reporter, startedAt, message);
  const ctx = reporter.commentContext;
  const body = ctx
    ? renderRefusal(ctx, { headline: 'Refused:', unmet: [message] })
    : `### rolecall apply — refused\n\nCommit \`${reporter.sha.slice(0, 12)}\`: ${message}\n\nNothing was written to FreshBooks.\n`;
  await publish(reporter, body, 'refused', 1);
  return 1;
}

/**
 * A merge that changes only the policies (no business to apply): the gate's decision alone.
 * Approved → state `nothing` with `approved: true`, which makes this commit the trusted state;
 * refused → every unmet rule, in the job log, the audit log and the comment.
 */
export async function reportPolicyOnly(
  reporter: Reporter,
  startedAt: Date,
  decision: ApprovalDecision,
  gate: MergeGate,
  /** Changes the approved plan had that are already in place (the re-plan is empty). */
  approvedChanges = 0,
): Promise<number> {
  const ctx = reporter.commentContext as CommentContext;
  if (!decision.approved) {
    if (!gate.evaluation) return refuse(reporter, startedAt, decision.reason);
    reporter.io.stderr.write(
      printable(
        `rolecall: refused: ${redact(decision.reason)}\nNothing was written to FreshBooks.\n`,
      ),
    );
    await auditRefusal(reporter, startedAt, decision.reason);
    await publish(reporter, renderGateRefusal(ctx, gate.evaluation), 'refused', 1);
    return 1;
  }
  reporter.io.stdout.write(
    printable(
      `Nothing to apply. Policy change approved: ${redact(decision.reason)}. Nothing was written to FreshBooks.\n`,
    ),
  );
  const body =
    approvedChanges > 0
      ? renderNothing(ctx, approvedChanges)
      : renderPolicyApproved(ctx, decision.reason);
  await publish(reporter, body, 'nothing', 0);
  return 0;
}

/** The audit log's record of a refusal (nothing was written).*/
async function auditRefusal(reporter: Reporter, startedAt: Date, message: string): Promise<void> {
  const finishedAt = new Date().toISOString();
  await new AuditLog(reporter.stateDir).append({
    type: 'summary',
    time: finishedAt,
    actor: reporter.actor,
    planDigest: '',
    runId: null,
    approval: null,
    result: 'refused',
    exitCode: 1,
    counts: { applied: 0, already: 0, manual: 0, failed: 0 },
    skipped: 0,
    startedAt: startedAt.toISOString(),
    finishedAt,
    reason: `apply --github, commit ${reporter.sha}: ${message}`,
  });
}

async function publish(
  reporter: Reporter,
  body: string,
  state: ApplyState,
  exitCode: number,
): Promise<void> {
  let url: string | null = null;
  if (reporter.comment) {
    const result = await reporter.comment.write(redact(body), record(reporter, state, exitCode));
    url = result.comment.htmlUrl;
    reporter.io.stderr.write(`Apply comment ${result.action}: ${url}\n`);
  }
  await appendJobSummary(reporter.context.stepSummaryPath, body);
  await outputs(reporter, state, url);
}

async function outputs(reporter: Reporter, state: ApplyState, url: string | null): Promise<void> {
  await writeOutput(reporter.context.outputPath, 'result', state);
  await writeOutput(reporter.context.outputPath, 'comment_url', url ?? '');
}

export function record(
  reporter: Reporter,
  state: ApplyState,
  exitCode: number,
): ApplyCommentRecord {
  return {
    v: 1,
    mergeCommitSha: reporter.sha,
    approvedDigest: reporter.approvedDigest,
    state,
    approved: state !== 'refused',
    exitCode,
    at: new Date().toISOString(),
    runUrl: reporter.context.runUrl,
  };
}
