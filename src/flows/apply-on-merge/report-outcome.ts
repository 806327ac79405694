/**
 * Where `apply --github` reports, and what: the job log, the audit log (`.rolecall/audit/`, the
 * workflow's artifact), the sticky apply comment on the pull request (once it is known), the
 * job summary and step outputs (`result`, `comment_url`). Every refusal is recorded in all of
 * them; nothing here writes to FreshBooks. Every timestamp comes from the flow's clock, so
 * `ROLECALL_NOW` governs the audit log and the comment's record alike.
 */
import { EXIT } from '../../errors.js';
import { AuditLog } from '../../apply/audit-log.js';
import type { ApplyRun } from '../../apply/apply-plan.js';
import type { SentInvitation } from '../../apply/invitation-ledger.js';
import { printable } from '../../apply/render-apply-result.js';
import type { GitHubContext } from '../../github/context.js';
import type { MergedPullRequest } from '../../github/merged-pull-request.js';
import { appendJobSummary } from '../../github/job-summary.js';
import { writeOutput } from '../../github/outputs.js';
import type { ApprovalDecision, Clock, Console } from '../../ports.js';
import { redact } from '../../redact.js';
import type { ApplyComment, ApplyCommentRecord, ApplyState } from './apply-comment.js';
import type { MergeGate } from './merge-gate.js';
import {
  renderApplying,
  renderGateRefusal,
  renderNothing,
  renderOutcome,
  renderPolicyApproved,
  renderRefusal,
  type CommentContext,
} from './render-comment.js';

/** How a run of `apply --github` ended: the state it recorded, and the process exit code. */
export interface ApplyOnMergeOutcome {
  /** The apply comment's state; `already` when an earlier run applied this merge commit. */
  state: ApplyState | 'already';
  exitCode: number;
}

/** What every report of a run needs, known before the pull request is. */
export interface JobReport {
  io: Console;
  stateDir: string;
  actor: string;
  context: GitHubContext;
  /** The pushed commit. */
  sha: string;
  clock: Clock;
  startedAt: Date;
}

/** What every comment says of where it comes from: the merge, the run, the audit artifact. */
export function commentContextOf(job: JobReport, pullRequest: MergedPullRequest): CommentContext {
  const { runId, runUrl } = job.context;
  const attempt = job.io.env['GITHUB_RUN_ATTEMPT'];
  return {
    pullRequest,
    mergeCommitSha: job.sha,
    runUrl,
    auditArtifact: runId && attempt ? `rolecall-audit-${runId}-${attempt}` : null,
  };
}

/** A refusal before the pull request is known: everywhere but the comment. */
export async function refuseWithoutPullRequest(
  job: JobReport,
  message: string,
): Promise<ApplyOnMergeOutcome> {
  await logRefusal(job, message);
  const body = `### rolecall apply — refused\n\nCommit \`${job.sha.slice(0, 12)}\`: ${message}\n\nNothing was written to FreshBooks.\n`;
  return publish(job, null, body, 'refused', 1);
}

/** The reports of a run once its pull request is known: all of them, the comment included. */
export class MergeReporter {
  /** This run marked the comment `applying` (it must not be left saying so). */
  private marked = false;
  /** Invitations FreshBooks does not show yet (the record keeps them: CI has no journal). */
  private invitations: readonly SentInvitation[] = [];

  constructor(
    private readonly job: JobReport,
    private readonly comment: ApplyComment,
    private readonly ctx: CommentContext,
    /** The salted plan digest the approval covers, once the plan comment is read. */
    private readonly approvedDigest: string | null = null,
  ) {}

  /** The same reports, recording the digest of the plan comment read. */
  approving(digest: string): MergeReporter {
    const next = new MergeReporter(this.job, this.comment, this.ctx, digest);
    next.invitations = this.invitations;
    return next;
  }

  /** What an earlier run for this merge recorded: kept in every record until it is settled. */
  rememberInvitations(invitations: readonly SentInvitation[]): void {
    this.invitations = invitations;
  }

  /** A refusal before `runApply`: job log, audit log, the comment, job summary. */
  async refuse(message: string): Promise<ApplyOnMergeOutcome> {
    await logRefusal(this.job, message);
    const body = renderRefusal(this.ctx, { headline: 'Refused:', unmet: [message] });
    return this.publish(body, 'refused', 1);
  }

  /** Called by the gate once approved, before the first write: the durable `applying` mark. */
  async markApplying(decision: ApprovalDecision): Promise<void> {
    await this.comment.write(
      redact(renderApplying(this.ctx, decision.reason)),
      this.record('applying', 3),
    );
    this.marked = true;
  }

  /** The outcome of `runApply`: its report, or the gate's refusal with every unmet rule. */
  async run(
    run: ApplyRun,
    options: {
      /** Changes in the approved plan. */
      approvedChanges: number;
      gate: MergeGate;
      /** An earlier run for this merge commit left an apply comment. */
      hadComment: boolean;
      /** The merge changes policy facts (so its approval is recorded even with no writes). */
      policyChanged: boolean;
    },
  ): Promise<ApplyOnMergeOutcome> {
    const { ctx } = this;
    if (run.invitations) this.invitations = run.invitations;
    let state: ApplyState;
    let body: string | null;
    if (run.refusal) {
      state = 'refused';
      body =
        run.refusal.code === 'NOT_APPROVED' && options.gate.evaluation
          ? renderGateRefusal(ctx, options.gate.evaluation)
          : renderOutcome(ctx, run);
    } else if (run.operations.length === 0) {
      state = 'nothing';
      // An empty plan approved as empty needs no second comment; the plan comment said so. An
      // approved policy change does: its record makes this merge the trusted policy state.
      body =
        options.approvedChanges > 0 || options.hadComment || this.marked
          ? renderNothing(ctx, options.approvedChanges)
          : options.policyChanged
            ? renderPolicyApproved(ctx, run.approval?.reason ?? 'approved')
            : null;
    } else {
      state = run.exitCode === 0 ? 'applied' : 'partial';
      body = renderOutcome(ctx, run);
    }
    if (body !== null) return this.publish(body, state, run.exitCode);
    await outputs(this.job, state, null);
    return { state, exitCode: run.exitCode };
  }

  /**
   * A merge that changes only the policies (no business to apply): the gate's decision alone.
   * Approved → state `nothing` with `approved: true`, which makes this commit the trusted state;
   * refused → every unmet rule, in the job log, the audit log and the comment.
   */
  async policyOnly(
    decision: ApprovalDecision,
    gate: MergeGate,
    /** Changes the approved plan had that are already in place (the re-plan is empty). */
    approvedChanges = 0,
  ): Promise<ApplyOnMergeOutcome> {
    if (!decision.approved) {
      if (!gate.evaluation) return this.refuse(decision.reason);
      await logRefusal(this.job, decision.reason);
      return this.publish(renderGateRefusal(this.ctx, gate.evaluation), 'refused', 1);
    }
    this.job.io.stdout.write(
      printable(
        `Nothing to apply. Policy change approved: ${redact(decision.reason)}. Nothing was written to FreshBooks.\n`,
      ),
    );
    const body =
      approvedChanges > 0
        ? renderNothing(this.ctx, approvedChanges)
        : renderPolicyApproved(this.ctx, decision.reason);
    return this.publish(body, 'nothing', 0);
  }

  private publish(body: string, state: ApplyState, exitCode: number) {
    return publish(
      this.job,
      { comment: this.comment, record: this.record(state, exitCode) },
      body,
      state,
      exitCode,
    );
  }

  private record(state: ApplyState, exitCode: number): ApplyCommentRecord {
    return {
      v: 1,
      mergeCommitSha: this.job.sha,
      approvedDigest: this.approvedDigest,
      state,
      approved: state !== 'refused',
      exitCode,
      at: this.job.clock.now().toISOString(),
      runUrl: this.job.context.runUrl,
      ...(this.invitations.length > 0 ? { invitations: [...this.invitations] } : {}),
    };
  }
}

/** The job log and the audit log's record of a refusal (nothing was written). */
async function logRefusal(job: JobReport, message: string): Promise<void> {
  job.io.stderr.write(
    printable(`rolecall: refused: ${redact(message)}\nNothing was written to FreshBooks.\n`),
  );
  const finishedAt = job.clock.now().toISOString();
  await new AuditLog(job.stateDir).append({
    type: 'summary',
    time: finishedAt,
    actor: job.actor,
    planDigest: '',
    runId: null,
    approval: null,
    result: 'refused',
    exitCode: EXIT.ERROR,
    counts: { applied: 0, already: 0, manual: 0, failed: 0, unconfirmed: 0 },
    skipped: 0,
    startedAt: job.startedAt.toISOString(),
    finishedAt,
    reason: `apply --github, commit ${job.sha}: ${message}`,
  });
}

/** The comment (when the pull request is known), the job summary and the step outputs. */
async function publish(
  job: JobReport,
  to: { comment: ApplyComment; record: ApplyCommentRecord } | null,
  body: string,
  state: ApplyState,
  exitCode: number,
): Promise<ApplyOnMergeOutcome> {
  let url: string | null = null;
  if (to) {
    const result = await to.comment.write(redact(body), to.record);
    url = result.comment.htmlUrl;
    job.io.stderr.write(`Apply comment ${result.action}: ${url}\n`);
  }
  await appendJobSummary(job.context.stepSummaryPath, body);
  await outputs(job, state, url);
  return { state, exitCode };
}

async function outputs(job: JobReport, state: ApplyState, url: string | null): Promise<void> {
  await writeOutput(job.context.outputPath, 'result', state);
  await writeOutput(job.context.outputPath, 'comment_url', url ?? '');
}
