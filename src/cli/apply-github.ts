/**
 * `rolecall apply --github`: the merge-time half of the GitHub flow, on a push to the default
 * branch. The same `runApply` as `rolecall apply`, with the pull request's reviews as the gate.
 *
 * In order, each step refusing (exit 1, nothing written to FreshBooks) when it fails:
 *
 * 1. the pushed commit (`GITHUB_SHA`) is the `merge_commit_sha` of exactly one merged pull
 *    request (no pull request: nowhere to comment, the job log says why);
 * 2. an earlier run for this merge commit already applied it → no-op, exit 0;
 * 3. rolecall's plan comment is on that pull request (none: nothing was approved);
 * 4. the checkout is that commit, with clean policy files;
 * 5. the policies at the merge commit validate, and re-planning the businesses recorded in the
 *    plan comment against live FreshBooks works (nothing recorded: nothing to apply, exit 0);
 * 6. `runApply`: stale check and safety guards on fresh live state, then the gate — merged as
 *    this commit, the plan's effect digest equals the one last posted ("plan changed since
 *    approval", with the differences), and the approval rules at the merge commit *and* before
 *    it are met by reviews of the head commit;
 * 7. apply; the outcome (or the refusal, naming each unmet rule) goes to the pull request as
 *    one sticky comment and to the job summary; the audit log stays in `.rolecall/audit/` for
 *    the workflow's artifact step.
 */
import { join } from 'node:path';
import { printable } from '../apply/render-apply-result.js';
import { resolveActor } from '../apply/resolve-actor.js';
import { runApply } from '../apply/run-apply.js';
import { RolecallError } from '../errors.js';
import type { FreshBooksConnection } from '../freshbooks/connect.js';
import { commitOf } from '../git/commit-of.js';
import type { GitHubContext } from '../github/context.js';
import { requireMergedPullRequest, type MergedPullRequest } from '../github/merged-pull-request.js';
import { readApprovedPlan } from '../github/plan-comment.js';
import { openGitHubSession } from '../github/session.js';
import { redact } from '../redact.js';
import { ApplyComment } from './apply-github-comment.js';
import { rulesBeforeMerge } from './apply-github-base-rules.js';
import { MergeGate } from './apply-github-gate.js';
import { renderApplying, type CommentContext } from './apply-github-report.js';
import { record, refuse, reportRun, type Reporter } from './apply-github-outcome.js';
import { nowFrom } from './clock.js';
import type { CliIo } from './io.js';
import { makePlan } from './make-plan.js';
import { openFreshBooks } from './pipeline.js';

export interface ApplyGitHubOptions {
  policiesDir: string;
  tokenStore?: string;
  rate?: number;
  concurrency?: number;
  strict: boolean;
  format: 'text' | 'markdown';
}

export async function applyOnGitHub(io: CliIo, options: ApplyGitHubOptions): Promise<number> {
  const startedAt = new Date();
  const now = nowFrom(io.env);
  const session = await openGitHubSession(io.env, {
    warn: (message) => io.stderr.write(`${redact(message)}\n`),
  });
  const { context } = session;
  const sha = pushedCommit(context);
  const reporter: Reporter = {
    io,
    stateDir: join(io.cwd, '.rolecall'),
    actor: resolveActor(io.env),
    context,
    sha,
    comment: null,
    commentContext: null,
    approvedDigest: null,
  };

  // 1. The merged pull request. Without one there is nothing approved and nowhere to comment.
  let pr: MergedPullRequest;
  try {
    pr = await requireMergedPullRequest(session.octokit, { ...session.repo, sha });
  } catch (error) {
    if (!(error instanceof RolecallError)) throw error;
    return refuse(reporter, startedAt, error.message);
  }
  io.stderr.write(
    printable(
      `Pushed commit ${sha.slice(0, 12)} is the merge of #${pr.number} (${redact(pr.title)}).\n`,
    ),
  );
  const comment = new ApplyComment(session, pr);
  reporter.comment = comment;
  reporter.commentContext = {
    pullRequest: pr,
    mergeCommitSha: sha,
    runUrl: context.runUrl,
    auditArtifact:
      context.runId && io.env['GITHUB_RUN_ATTEMPT']
        ? `rolecall-audit-${context.runId}-${io.env['GITHUB_RUN_ATTEMPT']}`
        : null,
  };

  // 2. A second run for the same merge commit after success does nothing.
  const earlier = await comment.read();
  const sameMerge = earlier?.record.mergeCommitSha === sha ? earlier : null;
  if (sameMerge && (sameMerge.record.state === 'applied' || sameMerge.record.state === 'nothing')) {
    io.stdout.write(
      `Already applied: merge ${sha.slice(0, 12)} of #${pr.number} was applied by an earlier run` +
        `${sameMerge.record.at ? ` (${sameMerge.record.at})` : ''}; nothing to do. ${sameMerge.comment.htmlUrl}\n`,
    );
    return 0;
  }

  // 3. What was approved: rolecall's plan comment.
  const approved = await readApprovedPlan(
    session.octokit,
    { ...session.repo, number: pr.number, htmlUrl: pr.htmlUrl },
    session.identity.login,
  );
  if (!approved) {
    return refuse(
      reporter,
      startedAt,
      `pull request #${pr.number} has no plan comment by @${session.identity.login}: nothing was approved, so nothing is applied ` +
        '(the plan workflow must comment the plan before the merge; a pull request from a fork gets none)',
    );
  }
  reporter.approvedDigest = approved.digest;
  if (approved.headSha && approved.headSha !== pr.headSha) {
    io.stderr.write(
      `note: the plan comment is for ${approved.headSha.slice(0, 7)}, the pull request's head is ${pr.headSha.slice(0, 7)} ` +
        '(a later push did not change the policies, or its plan did not run); the plan digest decides.\n',
    );
  }

  // 4. The checkout is the merge commit, as merged.
  const checkout = await commitOf(io.cwd, [options.policiesDir]);
  if (checkout.sha !== sha || checkout.dirty) {
    return refuse(
      reporter,
      startedAt,
      checkout.sha === null
        ? `${io.cwd} is not a git checkout: apply --github re-plans at the merge commit, so the workflow must check it out`
        : checkout.sha !== sha
          ? `the checkout is at ${checkout.sha.slice(0, 12)}, not at the pushed commit ${sha.slice(0, 12)}: re-plan only at the merge commit`
          : `the policy files in ${options.policiesDir} have uncommitted changes: re-plan only at the merge commit as merged`,
    );
  }

  // 5. Re-plan the businesses the approved plan covered.
  if (approved.businesses.length === 0) {
    io.stdout.write(
      `The plan on #${pr.number} covered no business (no policy file of a business changed): nothing to apply.\n`,
    );
    return 0;
  }
  let connection: FreshBooksConnection;
  try {
    connection = await openFreshBooks(io, { tokenStore: options.tokenStore, rate: options.rate });
  } catch (error) {
    if (!(error instanceof RolecallError)) throw error;
    return refuse(reporter, startedAt, `could not connect to FreshBooks: ${error.message}`);
  }
  try {
    let made;
    try {
      made = await makePlan(io, {
        policiesDir: options.policiesDir,
        now,
        businessIds: approved.businesses,
        reader: connection,
      });
    } catch (error) {
      if (!(error instanceof RolecallError)) throw error;
      return await refuse(
        reporter,
        startedAt,
        `could not re-plan at the merge commit: ${error.message}`,
      );
    }
    const { plan, desired } = made;
    const rulesBefore = await rulesBeforeMerge(io.cwd, {
      policiesDir: options.policiesDir,
      mergeCommitSha: sha,
      before: pushedBefore(context),
      now,
    });
    if (rulesBefore.note) io.stderr.write(`note: ${rulesBefore.note}\n`);

    // 6–7. The gate, then the writes.
    const resume =
      sameMerge !== null &&
      (sameMerge.record.state === 'applying' || sameMerge.record.state === 'partial') &&
      sameMerge.record.approvedDigest === approved.digest;
    const gate = new MergeGate({
      session,
      pullRequest: pr,
      approvedPlan: approved,
      rulesNow: (id) => desired.businesses.find((b) => b.businessId === id)?.approvals,
      rulesBefore,
      resume,
      onApproved: async (decision) => {
        await comment.write(
          redact(renderApplying(reporter.commentContext as CommentContext, decision.reason)),
          record(reporter, 'applying', 3),
        );
      },
    });
    const run = await runApply({
      plan,
      desired,
      connection,
      gate,
      io,
      strict: options.strict,
      format: options.format,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    });
    return await reportRun(reporter, run, approved, gate, sameMerge !== null);
  } finally {
    await connection.close();
  }
}

/** `GITHUB_SHA`, else the push event's `after`. */
function pushedCommit(context: GitHubContext): string {
  const after = context.event['after'];
  const sha = context.sha ?? (typeof after === 'string' ? after : null);
  if (!sha || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
    throw new RolecallError(
      'GITHUB_CONTEXT',
      sha
        ? `GITHUB_SHA is not a commit sha: "${sha.slice(0, 80)}"`
        : 'GITHUB_SHA is not set: apply --github runs on a push to the default branch (apply.yml)',
    );
  }
  if (context.eventName && context.eventName !== 'push') {
    throw new RolecallError(
      'GITHUB_CONTEXT',
      `apply --github runs on a push event (apply.yml), not on "${context.eventName}"`,
    );
  }
  return sha;
}

/** The push event's `before` (the branch's previous tip), when there is one. */
function pushedBefore(context: GitHubContext): string | null {
  const before = context.event['before'];
  return typeof before === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(before) ? before : null;
}
