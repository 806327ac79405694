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
 * 5. the policies at the merge commit validate; their *policy changes* are computed against the
 *    last approved policies (trusted-policies.ts) — a change of rules, approvals or expiries
 *    needs approval even when FreshBooks does not change (no change and no business: exit 0);
 * 6. only policy changes (nothing to write): the gate decides alone, and its approval is
 *    recorded so this merge becomes the approved state; otherwise re-plan the businesses
 *    recorded in the plan comment against live FreshBooks;
 * 7. `runApply`: stale check and safety guards on fresh live state, then the gate — merged as
 *    this commit, the plan's effect and policy changes are the ones last posted ("plan changed
 *    since approval", with the differences), and the approval rules at the merge commit *and*
 *    of the last approved policies are met by independent reviews of the head commit;
 * 8. apply; the outcome (or the refusal, naming each unmet rule) goes to the pull request as
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
import { ApplyComment } from './apply-on-merge/apply-comment.js';
import { rulesBeforeMerge } from './apply-on-merge/rules-before-merge.js';
import { MergeGate, type MergeGateOptions } from './apply-on-merge/merge-gate.js';
import { renderApplying, type CommentContext } from './apply-on-merge/render-comment.js';
import {
  record,
  refuse,
  reportPolicyOnly,
  reportRun,
  type Reporter,
} from './apply-on-merge/report-outcome.js';
import { nowFrom } from './clock.js';
import type { Console } from '../ports.js';
import { makePlan } from './plan/make-plan.js';
import { loadPolicies, openFreshBooks } from './context.js';
import { trustedPolicies, type TrustedPolicies } from './trusted-policies.js';
import { githubApprovalLookup } from './github-approval-lookup.js';
import { resolveCommit } from '../git/repo-info.js';
import { toolVersion } from '../paths.js';
import { totalChanges } from '../plan/describe.js';
import { diffPolicies } from '../plan/policy-changes.js';
import type { DesiredState, Plan } from '../types.js';

export interface ApplyGitHubOptions {
  policiesDir: string;
  tokenStore?: string;
  rate?: number;
  concurrency?: number;
  strict: boolean;
  format: 'text' | 'markdown';
}

export async function applyOnGitHub(io: Console, options: ApplyGitHubOptions): Promise<number> {
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
    policyChanged: false,
    marked: false,
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

  // 5. What the change does to the policies, against the last approved policies: a merged but
  //    refused change never becomes the bar the next one is judged by (trusted-policies.ts).
  let merged;
  try {
    merged = await loadPolicies(io, { dir: options.policiesDir, now });
  } catch (error) {
    if (!(error instanceof RolecallError)) throw error;
    return refuse(
      reporter,
      startedAt,
      `the policies at the merge commit do not load: ${error.message}`,
    );
  }
  const parent = await parentOf(io.cwd, sha);
  const trusted: TrustedPolicies = parent
    ? await trustedPolicies(io.cwd, {
        policiesDir: options.policiesDir,
        from: parent,
        now,
        lookup: githubApprovalLookup(session),
      })
    : { commit: null, desired: null, problem: null, unapproved: [] };
  const policyChanges = trusted.problem ? [] : diffPolicies(trusted.desired, merged);
  reporter.policyChanged = policyChanges.length > 0;
  if (trusted.unapproved.length > 0) {
    io.stderr.write(
      `note: judged against the last approved policies (${trusted.commit?.slice(0, 12) ?? 'none'}): ` +
        `${trusted.unapproved.length} later change(s) to the policies were never approved and are judged with this one.\n`,
    );
  }
  if (approved.businesses.length === 0 && policyChanges.length === 0 && !trusted.problem) {
    io.stdout.write(
      `The plan on #${pr.number} covered no business and no policy fact changed (comments or layout only): nothing to apply or approve.\n`,
    );
    return 0;
  }
  const identities = [...(trusted.desired?.businesses ?? []), ...merged.businesses].flatMap(
    (b) => b.identities ?? [],
  );
  const gateFor = (
    desired: DesiredState,
    resume: boolean,
    onApproved: MergeGateOptions['onApproved'],
    policyOnly = false,
  ) =>
    new MergeGate({
      session,
      pullRequest: pr,
      approvedPlan: approved,
      rulesNow: (id) => desired.businesses.find((b) => b.businessId === id)?.approvals,
      rulesBefore: rulesBeforeMerge(trusted),
      policyChanges,
      identities,
      resume,
      onApproved,
      policyOnly,
    });

  // 5b. Only the policies changed: the gate's decision is the whole run.
  if (approved.businesses.length === 0) {
    const gate = gateFor(merged, false, async () => {}, true);
    const decision = await gate.decide(emptyPlan(now));
    return reportPolicyOnly(reporter, startedAt, decision, gate);
  }

  // 6. Re-plan the businesses the approved plan covered.
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
    // The applier consults the gate only when there is something to write; a change to the
    // policies alone still needs its approval, judged and recorded here.
    if (totalChanges(plan) === 0 && policyChanges.length > 0) {
      const gate = gateFor(desired, false, async () => {}, true);
      const decision = await gate.decide(plan);
      return await reportPolicyOnly(reporter, startedAt, decision, gate, approved.changes);
    }

    // 7–8. The gate, then the writes.
    const resume =
      sameMerge !== null &&
      (sameMerge.record.state === 'applying' || sameMerge.record.state === 'partial') &&
      sameMerge.record.approvedDigest === approved.digest;
    const gate = gateFor(desired, resume, async (decision) => {
      await comment.write(
        redact(renderApplying(reporter.commentContext as CommentContext, decision.reason)),
        record(reporter, 'applying', 3),
      );
      reporter.marked = true;
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

/** The merge commit's first parent (the branch before the merge), or `null` for a root commit. */
async function parentOf(cwd: string, sha: string): Promise<string | null> {
  try {
    return await resolveCommit(cwd, `${sha}^1`);
  } catch {
    return null;
  }
}

/** A plan of no business: what the gate judges when only the policies changed. */
function emptyPlan(now: Date): Plan {
  return {
    version: 1,
    tool: { name: 'rolecall', version: toolVersion() },
    createdAt: now.toISOString(),
    businesses: [],
    digest: '',
  };
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
