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
 *    last approved policies (changes-since-approval.ts) — a change of rules, approvals or expiries
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
 *    the workflow's artifact step;
 * 9. a pull request opened from an access-request issue (the issue form): the issue's status
 *    comment says what became of the request — granted until when, by whose approval, or why
 *    not (apply-on-merge/narrate-request.ts; a failure there is only a warning).
 */
import { join } from 'node:path';
import { printable } from '../apply/render-apply-result.js';
import { resolveActor } from '../apply/resolve-actor.js';
import { runApply } from '../apply/run-apply.js';
import { RolecallError, EXIT } from '../errors.js';
import type { FreshBooksConnection } from '../freshbooks/connect.js';
import { commitOf } from '../git/commit-of.js';
import { requireMergedPullRequest, type MergedPullRequest } from '../github/merged-pull-request.js';
import { readApprovedPlan } from './github/plan-comment.js';
import { totalChanges } from '../plan/describe.js';
import type { Console } from '../ports.js';
import { redact } from '../redact.js';
import type { DesiredState } from '../types.js';
import { ApplyComment } from './apply-on-merge/apply-comment.js';
import { changesSinceApproval } from './apply-on-merge/changes-since-approval.js';
import { MergeGate, noBusinessPlan } from './apply-on-merge/merge-gate.js';
import { pushedCommit } from './apply-on-merge/pushed-commit.js';
import {
  commentContextOf,
  MergeReporter,
  refuseWithoutPullRequest,
  type ApplyOnMergeOutcome,
  type JobReport,
} from './apply-on-merge/report-outcome.js';
import { narrateMerge, type MergeFacts } from './apply-on-merge/narrate-request.js';
import { rulesBeforeMerge } from './apply-on-merge/rules-before-merge.js';
import { clockFrom, nowFrom } from './clock.js';
import { loadPolicies, openFreshBooks, openGitHub } from './context.js';
import { makePlan } from './plan/make-plan.js';

export type { ApplyOnMergeOutcome } from './apply-on-merge/report-outcome.js';

export interface ApplyOnMergeOptions {
  policiesDir: string;
  tokenStore?: string;
  rate?: number;
  concurrency?: number;
  strict: boolean;
  format: 'text' | 'markdown';
  /**
   * Ctrl-C / SIGTERM (the CLI's signal handlers): before the first write nothing is written;
   * after it no new operation starts, and a re-run resumes.
   */
  interrupt?: AbortSignal;
  /** `--resend-invitations`: send again invitations that may still be pending but are not listed. */
  resendInvitations?: boolean;
}

export async function applyOnMerge(
  io: Console,
  options: ApplyOnMergeOptions,
): Promise<ApplyOnMergeOutcome> {
  // A merged access request (the issue form): its issue then says what became of it.
  const facts: MergeFacts = {};
  const outcome = await applyMerge(io, options, facts);
  await narrateMerge(io, facts, outcome, nowFrom(io.env));
  return outcome;
}

async function applyMerge(
  io: Console,
  options: ApplyOnMergeOptions,
  facts: MergeFacts,
): Promise<ApplyOnMergeOutcome> {
  const now = nowFrom(io.env);
  // One clock for every record this run writes (audit log, journal, the comment's record).
  const clock = clockFrom(now, io.env);
  const startedAt = clock.now();
  const session = await openGitHub(io);
  const { context } = session;
  const sha = pushedCommit(context);
  const job: JobReport = {
    io,
    stateDir: join(io.cwd, '.rolecall'),
    actor: resolveActor(io.env),
    context,
    sha,
    clock,
    startedAt,
  };

  // 1. The merged pull request. Without one there is nothing approved and nowhere to comment.
  let pr: MergedPullRequest;
  try {
    pr = await requireMergedPullRequest(session.octokit, { ...session.repo, sha });
  } catch (error) {
    if (!(error instanceof RolecallError)) throw error;
    return refuseWithoutPullRequest(job, error.message);
  }
  io.stderr.write(
    printable(
      `Pushed commit ${sha.slice(0, 12)} is the merge of #${pr.number} (${redact(pr.title)}).\n`,
    ),
  );
  Object.assign(facts, { session, pullRequest: pr });
  const comment = new ApplyComment(session, pr);
  const onPullRequest = new MergeReporter(job, comment, commentContextOf(job, pr));

  // 2. A second run for the same merge commit after success does nothing.
  const earlier = await comment.read();
  const sameMerge = earlier?.record.mergeCommitSha === sha ? earlier : null;
  // CI keeps no journal: the invitations an earlier run for this merge sent live in its record.
  onPullRequest.rememberInvitations(sameMerge?.record.invitations ?? []);
  if (sameMerge && (sameMerge.record.state === 'applied' || sameMerge.record.state === 'nothing')) {
    io.stdout.write(
      `Already applied: merge ${sha.slice(0, 12)} of #${pr.number} was applied by an earlier run` +
        `${sameMerge.record.at ? ` (${sameMerge.record.at})` : ''}; nothing to do. ${sameMerge.comment.htmlUrl}\n`,
    );
    return { state: 'already', exitCode: EXIT.OK };
  }

  // 3. What was approved: rolecall's plan comment.
  const approved = await readApprovedPlan(
    session.octokit,
    { ...session.repo, number: pr.number, htmlUrl: pr.htmlUrl },
    session.identity.login,
  );
  if (!approved) {
    return onPullRequest.refuse(
      `pull request #${pr.number} has no plan comment by @${session.identity.login}: nothing was approved, so nothing is applied ` +
        '(the plan workflow must comment the plan before the merge; a pull request from a fork gets none)',
    );
  }
  // From here on every record names the approved plan's digest.
  const reporter = onPullRequest.approving(approved.digest);
  if (approved.headSha && approved.headSha !== pr.headSha) {
    io.stderr.write(
      `note: the plan comment is for ${approved.headSha.slice(0, 7)}, the pull request's head is ${pr.headSha.slice(0, 7)} ` +
        '(a later push did not change the policies, or its plan did not run); the plan digest decides.\n',
    );
  }

  // 4. The checkout is the merge commit, as merged.
  const checkout = await commitOf(io.cwd, [options.policiesDir]);
  if (checkout.sha !== sha || checkout.dirty) {
    return reporter.refuse(
      checkout.sha === null
        ? `${io.cwd} is not a git checkout: apply --github re-plans at the merge commit, so the workflow must check it out`
        : checkout.sha !== sha
          ? `the checkout is at ${checkout.sha.slice(0, 12)}, not at the pushed commit ${sha.slice(0, 12)}: re-plan only at the merge commit`
          : `the policy files in ${options.policiesDir} have uncommitted changes: re-plan only at the merge commit as merged`,
    );
  }

  // 5. What the change does to the policies, against the last approved policies.
  let merged;
  try {
    // Loaded once, as the re-plan needs them (grant times from git): the policy changes, the
    // rules now and the plan all read these.
    merged = await loadPolicies(io, { dir: options.policiesDir, now, grantTimesFromGit: true });
  } catch (error) {
    if (!(error instanceof RolecallError)) throw error;
    return reporter.refuse(`the policies at the merge commit do not load: ${error.message}`);
  }
  facts.desired = merged;
  const { trusted, policyChanges } = await changesSinceApproval(io, {
    policiesDir: options.policiesDir,
    sha,
    merged,
    now,
    session,
  });
  if (approved.businesses.length === 0 && policyChanges.length === 0 && !trusted.problem) {
    io.stdout.write(
      `The plan on #${pr.number} covered no business and no policy fact changed (comments or layout only): nothing to apply or approve.\n`,
    );
    return { state: 'nothing', exitCode: EXIT.OK };
  }
  const identities = [...(trusted.desired?.businesses ?? []), ...merged.businesses].flatMap(
    (b) => b.identities ?? [],
  );
  const gateFor = (desired: DesiredState, mode: 'policy-only' | { resume: boolean }) =>
    (facts.gate = new MergeGate({
      session,
      pullRequest: pr,
      approvedPlan: approved,
      rulesNow: (id) => desired.businesses.find((b) => b.businessId === id)?.approvals,
      rulesBefore: rulesBeforeMerge(trusted),
      policyChanges,
      identities,
      ...(mode === 'policy-only'
        ? { resume: false, onApproved: async () => {}, policyOnly: true }
        : {
            resume: mode.resume,
            onApproved: (decision) => reporter.markApplying(decision),
            policyOnly: false,
          }),
    }));

  // 5b. Only the policies changed: the gate's decision is the whole run.
  if (approved.businesses.length === 0) {
    const gate = gateFor(merged, 'policy-only');
    return reporter.policyOnly(await gate.decide(noBusinessPlan(now)), gate);
  }

  // 6. Re-plan the businesses the approved plan covered.
  let connection: FreshBooksConnection;
  try {
    connection = await openFreshBooks(io, { tokenStore: options.tokenStore, rate: options.rate });
  } catch (error) {
    if (!(error instanceof RolecallError)) throw error;
    return reporter.refuse(`could not connect to FreshBooks: ${error.message}`);
  }
  try {
    let made;
    try {
      made = await makePlan(io, {
        policiesDir: options.policiesDir,
        now,
        businessIds: approved.businesses,
        reader: connection,
        desired: merged,
      });
    } catch (error) {
      if (!(error instanceof RolecallError)) throw error;
      return await reporter.refuse(`could not re-plan at the merge commit: ${error.message}`);
    }
    const { plan, desired } = made;
    // The applier consults the gate only when there is something to write; a change to the
    // policies alone still needs its approval, judged and recorded here.
    if (totalChanges(plan) === 0 && policyChanges.length > 0) {
      const gate = gateFor(desired, 'policy-only');
      return await reporter.policyOnly(await gate.decide(plan), gate, approved.changes);
    }

    // 7–8. The gate (which marks the comment `applying` once approved), then the writes.
    const resume =
      sameMerge !== null &&
      (sameMerge.record.state === 'applying' || sameMerge.record.state === 'partial') &&
      sameMerge.record.approvedDigest === approved.digest;
    const gate = gateFor(desired, { resume });
    const run = await runApply({
      plan,
      desired,
      connection,
      gate,
      io,
      clock,
      strict: options.strict,
      format: options.format,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.interrupt === undefined ? {} : { interrupt: options.interrupt }),
      ...(options.resendInvitations ? { resendInvitations: true } : {}),
      ...(sameMerge?.record.invitations
        ? { earlierInvitations: sameMerge.record.invitations }
        : {}),
    });
    return await reporter.run(run, {
      approvedChanges: approved.changes,
      gate,
      hadComment: sameMerge !== null,
      policyChanged: policyChanges.length > 0,
    });
  } finally {
    await connection.close();
  }
}
