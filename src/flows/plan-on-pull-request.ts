/**
 * `rolecall plan --github`: the same plan as on a laptop (plan/make-plan.ts), plus what a pull
 * request needs — scoped to the businesses whose policy files the pull request changes, the
 * sticky plan comment carrying the salted digest `apply --github` checks after the merge, the
 * full plan in the job summary, the plan file for the artifact step, and step outputs.
 *
 * Under `pull_request_target` (plan.yml) the job runs this repository's default-branch code: the
 * workflow, the action and rolecall itself. The pull request's head is in the clone as git
 * objects only, and rolecall reads its policies from them (`policiesAt`), never checking it out,
 * so nothing the pull request changes outside the policy data — `src/`, `package.json`, the
 * action, the workflow — runs next to the FreshBooks and secret-writing credentials. Under plain
 * `pull_request` the checkout *is* the pull request's code: rolecall still plans (the working
 * tree), and warns.
 *
 * A pull request from a fork gets validation only: rolecall validates, says why there is no
 * plan, and never contacts FreshBooks.
 */
import { formatAnnotation } from '../github/annotations.js';
import {
  githubContext,
  PULL_REQUEST_TARGET,
  type GitHubContext,
  type PullRequestContext,
} from '../github/context.js';
import { appendJobSummary } from '../github/job-summary.js';
import { writeOutput } from '../github/outputs.js';
import { upsertPlanComment, type PlanCommentResult } from './github/plan-comment.js';
import { RolecallError, EXIT } from '../errors.js';
import { planHasChanges, planIsApplyable, totalChanges } from '../plan/describe.js';
import { renderPlanMarkdown } from '../plan/render-markdown.js';
import type { Plan } from '../types.js';
import type { Console } from '../ports.js';
import { inGitHubActions } from '../console.js';
import { pullRequestFetch } from './load-policies-at.js';
import { makePlan } from './plan/make-plan.js';
import { planReview } from './plan/policy-review.js';
import { redact } from '../redact.js';
import { renderPolicyReviewText } from '../plan/render-policy-review.js';
import { loadPolicies, openGitHub, type PoliciesAt } from './context.js';
import {
  DEFAULT_GITHUB_PLAN_FILE,
  exitCodeOf,
  nextSteps,
  printPlan,
  reportScope,
  savePlan,
} from './plan/print-plan.js';
import {
  blockedMessage,
  commentFooter,
  deletedMarkdown,
  describeComment,
} from './plan/pull-request-text.js';
import type { PlanOptions } from './plan.js';

export const FORK_MESSAGE =
  'This pull request comes from a fork: rolecall validated its policies, but plans against ' +
  'FreshBooks and comments only for pull requests from branches of this repository. A ' +
  'maintainer can push the branch to this repository and open the pull request from there to ' +
  'get a plan.';

/** Printed when a pull request's own checkout runs with the secrets (plain `pull_request`). */
export const PULL_REQUEST_CODE_WARNING =
  'this job runs on pull_request: the pull request’s own code (src/, package.json, the action, ' +
  'the workflow) runs next to the FreshBooks and secret-writing credentials. Run plan.yml on ' +
  'pull_request_target with the environment freshbooks-production instead (see the README’s ' +
  'security model).';

export interface PlanOnPullRequestOutcome {
  exitCode: number;
  /** Null for a pull request from a fork: validated, never planned. */
  plan: Plan | null;
  /** What became of the sticky comment; null outside a pull request (and for a fork). */
  comment: PlanCommentResult | null;
}

export async function planOnPullRequest(
  io: Console,
  options: PlanOptions,
): Promise<PlanOnPullRequestOutcome> {
  const context = githubContext(io.env);
  const pr = context.pullRequest;
  const policiesAt = pr === null ? undefined : pullRequestHeadOf(context, pr);
  if (pr?.isFork) return validateOnly(io, options, context, policiesAt);
  if (pr !== null && !pr.htmlUrl) {
    throw new RolecallError('GITHUB_CONTEXT', `the ${context.eventName} event has no html_url`);
  }
  if (pr !== null && policiesAt === undefined) {
    io.stderr.write(
      inGitHubActions(io)
        ? `${formatAnnotation({ level: 'warning', title: 'rolecall: pull request code next to secrets', message: PULL_REQUEST_CODE_WARNING })}\n`
        : `rolecall: warning: ${PULL_REQUEST_CODE_WARNING}\n`,
    );
  }
  // Opened before FreshBooks is touched, so a missing GITHUB_TOKEN fails fast; only a pull
  // request needs the API (a push or a manual run writes the job summary, a file).
  const session = pr === null ? null : await openGitHub(io);

  // Scope: what the pull request changes (its base), unless the caller chose one.
  const chosen = (options.businessIds?.length ?? 0) > 0 || options.changedSince !== undefined;
  const base = chosen ? options.changedSince : pr?.baseSha || undefined;
  const made = await makePlan(io, {
    ...options,
    ...(base === undefined ? {} : { changedSince: base }),
    ...(policiesAt === undefined ? {} : { policiesAt }),
  });
  const { plan, scope } = made;
  if (scope) reportScope(io, scope);
  const out = options.out ?? DEFAULT_GITHUB_PLAN_FILE;
  await savePlan(io, plan, out);
  printPlan(io, plan, options.format);
  const closing =
    pr !== null && planHasChanges(plan) && planIsApplyable(plan)
      ? `\nSaved the plan to ${out} (the workflow uploads it as an artifact). After approval, merging the pull request applies it.\n`
      : nextSteps(plan, { ...options, out });
  (options.format === 'text' ? io.stdout : io.stderr).write(closing);

  let comment: PlanCommentResult | null = null;
  if (pr !== null && session !== null) {
    const footer = commentFooter(plan, scope);
    // Policy facts against the last approved policies, as apply will judge them after the merge.
    const review = await planReview(io.cwd, {
      session,
      policiesDir: options.policiesDir,
      baseSha: pr.baseSha,
      headSha: pr.headSha,
      desired: made.desired,
      plan,
      now: options.now,
      touchedPolicies: (scope?.changed.length ?? 0) > 0,
    });
    if (review.problem) io.stderr.write(`rolecall: warning: ${review.problem}\n`);
    io.stdout.write(redact(renderPolicyReviewText(review)));
    comment = await upsertPlanComment(session.octokit, {
      pr: { ...session.repo, number: pr.number, htmlUrl: pr.htmlUrl, headSha: pr.headSha },
      plan,
      login: session.identity.login,
      render: (maxChars) => renderPlanMarkdown(plan, { maxChars, footer }),
      review,
    });
    io.stderr.write(`${describeComment(comment, pr)}\n`);
  } else {
    io.stderr.write(
      `Not a pull_request event (${context.eventName ?? 'unknown'}): the plan goes to the job summary only.\n`,
    );
  }

  // The whole plan, as detailed as 1 MiB allows (the planner's renderer degrades to fit).
  await appendJobSummary(context.stepSummaryPath, (maxChars) =>
    renderPlanMarkdown(plan, {
      maxChars,
      fullPlanHint: 'The plan file is an artifact of this run.',
    }),
  );
  if (scope && scope.deleted.length > 0) {
    await appendJobSummary(
      context.stepSummaryPath,
      scope.deleted.map((d) => `> [!WARNING]\n> ${deletedMarkdown(d)}\n`).join('\n'),
    );
  }
  if (!planIsApplyable(plan)) {
    io.stdout.write(
      `${formatAnnotation({
        level: 'error',
        title: 'rolecall: plan cannot be applied',
        message: blockedMessage(plan),
      })}\n`,
    );
  }
  const outputs: Array<[string, string]> = [
    ['plan', out],
    ['has_changes', String(planHasChanges(plan))],
    ['applyable', String(planIsApplyable(plan))],
    ['changes', String(totalChanges(plan))],
    ['businesses', plan.businesses.map((b) => b.businessId).join(',')],
    ['comment_url', comment?.comment?.htmlUrl ?? ''],
  ];
  for (const [name, value] of outputs) await writeOutput(context.outputPath, name, value);
  return { exitCode: exitCodeOf(plan, options.detailedExitcode), plan, comment };
}

/**
 * Under `pull_request_target`, the pull request's head, whose policies are read from git
 * objects; under any other event, undefined (the working tree is what was checked out). The sha
 * comes from the event payload, which GitHub writes; GITHUB_SHA is the default branch's.
 */
function pullRequestHeadOf(context: GitHubContext, pr: PullRequestContext): PoliciesAt | undefined {
  if (context.eventName !== PULL_REQUEST_TARGET) return undefined;
  if (!/^[0-9a-f]{40,64}$/.test(pr.headSha)) {
    throw new RolecallError(
      'GITHUB_CONTEXT',
      `the ${PULL_REQUEST_TARGET} event has no head sha (pull_request.head.sha)`,
    );
  }
  return {
    sha: pr.headSha,
    missing:
      `Fetch the pull request's head as git objects (never check it out) before rolecall runs: ` +
      pullRequestFetch(pr.number),
  };
}

/** A fork: validate (annotations included), explain, exit 0 — or 1 if the policies are invalid. */
async function validateOnly(
  io: Console,
  options: PlanOptions,
  context: GitHubContext,
  policiesAt: PoliciesAt | undefined,
): Promise<PlanOnPullRequestOutcome> {
  await loadPolicies(io, {
    dir: options.policiesDir,
    now: options.now,
    ...(policiesAt === undefined ? {} : { at: policiesAt }),
  });
  io.stdout.write(`The policies are valid.\n${FORK_MESSAGE}\n`);
  io.stdout.write(
    `${formatAnnotation({ level: 'notice', title: 'rolecall: validation only (fork)', message: FORK_MESSAGE })}\n`,
  );
  await appendJobSummary(
    context.stepSummaryPath,
    `### rolecall: validation only\n\n${FORK_MESSAGE}\n`,
  );
  await writeOutput(context.outputPath, 'has_changes', 'false');
  await writeOutput(context.outputPath, 'applyable', 'false');
  return { exitCode: EXIT.OK, plan: null, comment: null };
}
