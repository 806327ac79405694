/**
 * The GitHub reads and writes of `rolecall review close` besides the pull request: the review
 * issue (only rolecall's own), who discussed it, and closing it when no one is removed.
 */
import { RolecallError } from '../../errors.js';
import type { GitHubClient } from '../../github/client.js';
import type { RepoRef } from '../../github/context.js';
import { githubError } from '../../github/github-error.js';
import { ACTIONS_BOT_LOGIN, isBot, sameLogin } from '../../github/identity.js';
import { readReviewIssue, type ReviewIssueState } from '../github/review-issue.js';
import type { GitHubSession } from '../../github/session.js';

/** Only rolecall's own review issues: opened by this token's login or by the Actions bot. */
export async function readTrustedReview(
  gh: GitHubSession,
  number: number,
): Promise<ReviewIssueState> {
  let author: string | undefined;
  let isPull: boolean;
  try {
    const { data } = await gh.octokit.rest.issues.get({ ...gh.repo, issue_number: number });
    author = data.user?.login;
    isPull = Boolean(data.pull_request);
  } catch (error) {
    throw githubError(`read issue #${number}`, error);
  }
  if (isPull) {
    throw new RolecallError(
      'NOT_A_REVIEW_ISSUE',
      `#${number} is a pull request, not a review issue`,
    );
  }
  const trusted = [gh.identity.login, ACTIONS_BOT_LOGIN];
  if (!trusted.some((login) => sameLogin(login, author))) {
    throw new RolecallError(
      'NOT_A_REVIEW_ISSUE',
      `issue #${number} was opened by @${author ?? 'unknown'}; rolecall only trusts reviews opened by ` +
        `${trusted.map((login) => `@${login}`).join(' or ')} (set ROLECALL_GITHUB_LOGIN to your app's bot login)`,
    );
  }
  return readReviewIssue(gh.octokit, gh.repo, number, { author: author ?? '' });
}

export async function commentersOf(gh: GitHubSession, number: number): Promise<string[]> {
  let comments;
  try {
    comments = await gh.octokit.paginate(gh.octokit.rest.issues.listComments, {
      ...gh.repo,
      issue_number: number,
      per_page: 100,
    });
  } catch (error) {
    throw githubError(`list the comments of #${number}`, error);
  }
  const logins = new Map<string, string>();
  for (const comment of comments) {
    const login = comment.user?.login;
    if (!login || isBot(comment.user) || sameLogin(login, gh.identity.login)) continue;
    logins.set(login.toLowerCase(), login);
  }
  return [...logins.values()].sort((a, b) => a.localeCompare(b));
}

export async function completeIssue(
  octokit: GitHubClient,
  repo: RepoRef,
  number: number,
): Promise<void> {
  try {
    await octokit.rest.issues.update({
      ...repo,
      issue_number: number,
      state: 'closed',
      state_reason: 'completed',
    });
  } catch (error) {
    throw githubError(
      `close review #${number}`,
      error,
      'The job needs `permissions: issues: write`',
    );
  }
}
