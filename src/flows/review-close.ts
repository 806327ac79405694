/**
 * `rolecall review close --issue N`: reads the review issue's ticks and opens the pull request
 * that removes every unchecked policy entry (comments and layout of the YAML kept), linked to
 * the issue with `Closes #N`. That pull request then takes the normal plan → approve → apply
 * path: closing a review never touches FreshBooks.
 *
 * Safe to run again: while the pull request is open, a second run says so and changes nothing;
 * with no one to remove, the issue gets a comment and is closed as completed, and no pull
 * request is opened.
 */
import { RolecallError, EXIT } from '../errors.js';
import { openPullRequest, openPullRequestFor } from '../github/pull-requests.js';
import { REVIEW_LABEL } from '../github/review-issue-record.js';
import type { ReviewIssueState } from './github/review-issue.js';
import { readFileAt } from '../git/read-file-at.js';
import { upsertStickyComment } from '../github/sticky-comment.js';
import { removeMembers } from '../policy/edit-policy.js';
import { formatDiagnostic, validateDocuments } from '../policy/load-desired-state.js';
import {
  commitMessage,
  decideRemovals,
  describeOutcome,
  issueComment,
  pullRequestBody,
  pullRequestTitle,
  type CloseContext,
} from '../review/index.js';
import type { BusinessPolicy } from '../types.js';
import type { Console } from '../ports.js';
import { loadPolicies, openGitHub } from './context.js';
import {
  botIdentity,
  githubEnvFor,
  pushRemoteOf,
  resolvePullRequestTarget,
} from './pull-request-target.js';
import { commitAndPush } from './review-close/commit-and-push.js';
import { commentersOf, completeIssue, readTrustedReview } from './review-close/read-review.js';

export interface CloseOptions {
  issue: number;
  dir: string;
  base?: string | undefined;
  remote?: string | undefined;
  /** Close before the due date while the issue is still open. */
  early: boolean;
  dryRun: boolean;
  now: Date;
}

export interface CloseOutcome {
  exitCode: 0;
  /**
   * `completed`: no one to remove, the issue commented and closed; `already-open`: the pull
   * request of an earlier close is still open, nothing changed.
   */
  action: 'dry-run' | 'completed' | 'already-open' | 'opened';
  pullRequest?: { number: number; url: string };
}

export async function closeReview(io: Console, options: CloseOptions): Promise<CloseOutcome> {
  const target = await resolvePullRequestTarget(io.cwd, {
    remote: options.remote,
    base: options.base,
    env: io.env,
  });
  const remote = pushRemoteOf(target, 'the review branch');
  const gh = await openGitHub({ ...io, env: await githubEnvFor(io.cwd, remote, io.env) });
  const review = await readTrustedReview(gh, options.issue);
  checkDue(review, options);
  // Always set: readReviewIssue falls back to the hidden record's business.
  const businessId = review.businessId ?? 0;

  const desired = await loadPolicies(io, { dir: options.dir, now: options.now });
  const current = desired.businesses.find((b) => b.businessId === businessId);
  if (current === undefined) {
    throw new RolecallError(
      'UNKNOWN_BUSINESS',
      `review #${review.number} is about business ${businessId}, which no policy in ${options.dir} names`,
    );
  }
  const baseText = await readFileAt(io.cwd, target.baseSha, current.file);
  if (baseText === null) {
    throw new RolecallError(
      'POLICY_NOT_COMMITTED',
      `${current.file} is not in ${target.baseRef}: commit and push it before closing the review`,
    );
  }
  const policy = policyAt(current.file, baseText, businessId, target.baseRef, options.now);
  const outcome = decideRemovals(review, policy);
  const ctx: CloseContext = {
    issueNumber: review.number,
    issueUrl: review.url,
    businessId: businessId,
    businessName: policy.name ?? `business ${businessId}`,
    due: review.due,
    policyFile: current.file,
    mode: policy.mode,
    commenters: await commentersOf(gh, review.number),
    closedBy: io.env['GITHUB_ACTOR'] || (gh.identity.source === 'user' ? gh.identity.login : null),
  };
  io.stdout.write(describeOutcome(outcome, ctx));
  if (options.dryRun) {
    io.stdout.write('dry run: no branch, pull request or comment was made\n');
    return { exitCode: EXIT.OK, action: 'dry-run' };
  }
  const issueRef = { ...gh.repo, issueNumber: review.number };
  const commentKey = {
    kind: 'review-close',
    scope: String(review.number),
    login: gh.identity.login,
  };

  if (outcome.remove.length === 0) {
    await upsertStickyComment(gh.octokit, issueRef, commentKey, {
      visible: issueComment(outcome, ctx, null),
      record: { v: 1, removed: [] },
    });
    if (review.state === 'open') await completeIssue(gh.octokit, gh.repo, review.number);
    io.stdout.write(`no one to remove: commented on #${review.number}, no pull request opened\n`);
    return { exitCode: EXIT.OK, action: 'completed' };
  }

  const branch = `rolecall/review-${review.number}`;
  const existing = await openPullRequestFor(gh.octokit, gh.repo, branch);
  if (existing !== null) {
    io.stdout.write(
      `pull request #${existing.number} from ${branch} is already open: ${existing.url}\n` +
        'nothing changed; to redo the close, close that pull request and run this again\n',
    );
    return {
      exitCode: EXIT.OK,
      action: 'already-open',
      pullRequest: { number: existing.number, url: existing.url },
    };
  }
  const edited = removeMembers(
    baseText,
    outcome.remove.map((member) => member.email),
  );
  checkEdited(io, current.file, edited, businessId, options.now);
  const { commit } = await commitAndPush(io.cwd, io.env, {
    branch,
    baseSha: target.baseSha,
    remote,
    file: current.file,
    content: edited,
    message: commitMessage(outcome, ctx),
    runnerIdentity: botIdentity(gh.identity.login),
  });
  const pull = await openPullRequest(gh.octokit, {
    repo: gh.repo,
    head: branch,
    base: target.baseBranch,
    title: pullRequestTitle(outcome, ctx),
    body: pullRequestBody(outcome, ctx),
    labels: [REVIEW_LABEL],
  });
  await upsertStickyComment(gh.octokit, issueRef, commentKey, {
    visible: issueComment(outcome, ctx, pull),
    record: { v: 1, removed: outcome.remove.map((m) => m.email), pull: pull.number },
  });
  io.stdout.write(
    `pushed ${branch} (${commit.sha.slice(0, 12)}) to ${remote}; ` +
      `${pull.created ? 'opened' : 'updated'} pull request #${pull.number}: ${pull.url}\n`,
  );
  return {
    exitCode: EXIT.OK,
    action: 'opened',
    pullRequest: { number: pull.number, url: pull.url },
  };
}

/**
 * A review still open before its due date may be half done: closing it then takes a snapshot of
 * whatever was unticked so far. Refused unless `--early` (or the issue was closed by hand).
 */
function checkDue(review: ReviewIssueState, options: CloseOptions): void {
  if (review.state !== 'open' || review.due === null || options.early) return;
  if (options.now.getTime() < Date.parse(`${review.due}T00:00:00Z`)) {
    throw new RolecallError(
      'REVIEW_NOT_DUE',
      `review #${review.number} is still open and not due until ${review.due}: reviewers may not be done. ` +
        'Close the issue when the review is finished, wait for the due date, or pass --early',
    );
  }
}

function policyAt(
  file: string,
  text: string,
  businessId: number,
  where: string,
  now: Date,
): BusinessPolicy {
  const result = validateDocuments([{ file, text }], { now });
  const policy = result.value?.businesses[0];
  if (policy === undefined) {
    throw new RolecallError(
      'POLICY_INVALID',
      `${file} in ${where} is not a valid policy (${result.errors.map(formatDiagnostic).join('; ')})`,
    );
  }
  if (policy.businessId !== businessId) {
    throw new RolecallError(
      'UNKNOWN_BUSINESS',
      `${file} in ${where} is about business ${policy.businessId}, not ${businessId}`,
    );
  }
  return policy;
}

/** The edited policy must still validate: a pull request that fails `validate` helps no one. */
function checkEdited(io: Console, file: string, text: string, businessId: number, now: Date): void {
  const result = validateDocuments([{ file, text }], { now });
  if (result.errors.length === 0 && result.value?.businesses[0]?.businessId === businessId) return;
  for (const diagnostic of result.errors) io.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
  throw new RolecallError(
    'POLICY_EDIT',
    `removing the unchecked people would leave ${file} invalid; nothing was pushed. Edit it by hand`,
  );
}
