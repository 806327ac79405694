/**
 * The GitHub side of a request made with the issue form: reading the issue (its body is data,
 * never a command), its labels, closing it; reading, reopening, updating and closing the pull
 * request it opened. Plain API calls; what they mean is flows/request/.
 */
import type { GitHubClient } from './client.js';
import { repoParams, type RepoRef } from './context.js';
import { githubError, statusOf } from './github-error.js';
import { ensureLabel } from './labelled-items.js';

export interface RequestIssue {
  number: number;
  title: string;
  /** The body as GitHub stores it: attacker-controlled text. */
  body: string;
  state: 'open' | 'closed';
  /** Who opened it: the requester. */
  author: string;
  htmlUrl: string;
  labels: string[];
  isPullRequest: boolean;
}

const ISSUES_HINT = 'The job needs `permissions: issues: write`';

export async function readIssue(
  octokit: GitHubClient,
  repo: RepoRef,
  number: number,
): Promise<RequestIssue> {
  try {
    const { data } = await octokit.rest.issues.get({ ...repoParams(repo), issue_number: number });
    return {
      number: data.number,
      title: data.title,
      body: data.body ?? '',
      state: data.state === 'closed' ? 'closed' : 'open',
      author: data.user?.login ?? '',
      htmlUrl: data.html_url,
      labels: data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
      isPullRequest: Boolean(data.pull_request),
    };
  } catch (error) {
    throw githubError(`read issue #${number}`, error);
  }
}

/** Adds (creating it when missing) or removes a label; no request when already so. */
export async function setIssueLabel(
  octokit: GitHubClient,
  repo: RepoRef,
  issue: Pick<RequestIssue, 'number' | 'labels'>,
  label: { name: string; color: string; description: string },
  present: boolean,
): Promise<void> {
  const has = issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase());
  if (has === present) return;
  try {
    if (present) {
      await ensureLabel(octokit, repo, label);
      await octokit.rest.issues.addLabels({
        ...repoParams(repo),
        issue_number: issue.number,
        labels: [label.name],
      });
    } else {
      await octokit.rest.issues.removeLabel({
        ...repoParams(repo),
        issue_number: issue.number,
        name: label.name,
      });
    }
  } catch (error) {
    // Removing a label someone removed meanwhile is done.
    if (!present && statusOf(error) === 404) return;
    throw githubError(
      `${present ? 'add' : 'remove'} label "${label.name}" on #${issue.number}`,
      error,
      ISSUES_HINT,
    );
  }
}

/** Closes the issue as completed. */
export async function closeIssue(
  octokit: GitHubClient,
  repo: RepoRef,
  number: number,
): Promise<void> {
  try {
    await octokit.rest.issues.update({
      ...repoParams(repo),
      issue_number: number,
      state: 'closed',
      state_reason: 'completed',
    });
  } catch (error) {
    throw githubError(`close issue #${number}`, error, ISSUES_HINT);
  }
}

/** The numbers of the open issues (not pull requests) with this label, oldest first. */
export async function openIssuesLabelled(
  octokit: GitHubClient,
  repo: RepoRef,
  label: string,
): Promise<number[]> {
  let items;
  try {
    items = await octokit.paginate(octokit.rest.issues.listForRepo, {
      ...repoParams(repo),
      labels: label,
      state: 'open',
      per_page: 100,
    });
  } catch (error) {
    throw githubError(`list the open issues labelled "${label}"`, error);
  }
  return items
    .filter((item) => !item.pull_request)
    .map((item) => item.number)
    .sort((a, b) => a - b);
}

export interface PullRequestState {
  number: number;
  htmlUrl: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommitSha: string | null;
  headRef: string;
  headSha: string;
  baseRef: string;
  author: string;
  title: string;
  body: string;
}

export async function readPullRequest(
  octokit: GitHubClient,
  repo: RepoRef,
  number: number,
): Promise<PullRequestState | null> {
  try {
    const { data } = await octokit.rest.pulls.get({ ...repoParams(repo), pull_number: number });
    return {
      number: data.number,
      htmlUrl: data.html_url,
      state: data.state === 'closed' ? 'closed' : 'open',
      merged: Boolean(data.merged),
      mergeCommitSha: data.merge_commit_sha ?? null,
      headRef: data.head.ref,
      headSha: data.head.sha,
      baseRef: data.base.ref,
      author: data.user.login,
      title: data.title,
      body: data.body ?? '',
    };
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw githubError(`read pull request #${number}`, error);
  }
}

const PULLS_HINT = 'The job needs `permissions: pull-requests: write`';

/** Opens or closes a pull request; `false` when GitHub refuses to reopen it (422). */
export async function setPullRequestState(
  octokit: GitHubClient,
  repo: RepoRef,
  number: number,
  state: 'open' | 'closed',
): Promise<boolean> {
  try {
    await octokit.rest.pulls.update({ ...repoParams(repo), pull_number: number, state });
    return true;
  } catch (error) {
    if (state === 'open' && statusOf(error) === 422) return false;
    throw githubError(
      `${state === 'open' ? 'reopen' : 'close'} pull request #${number}`,
      error,
      PULLS_HINT,
    );
  }
}

/** A plain comment (not a sticky one): a one-off note, such as why a pull request was closed. */
export async function commentOnce(
  octokit: GitHubClient,
  repo: RepoRef,
  number: number,
  body: string,
): Promise<void> {
  try {
    await octokit.rest.issues.createComment({ ...repoParams(repo), issue_number: number, body });
  } catch (error) {
    throw githubError(`comment on #${number}`, error, PULLS_HINT);
  }
}

/**
 * GitHub's answer when the repository does not let `GITHUB_TOKEN` open pull requests ("Allow
 * GitHub Actions to create and approve pull requests" is off).
 */
export function isActionsPullRequestRefusal(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return (
    statusOf(error) === 403 && /not permitted to create or approve pull requests/i.test(message)
  );
}
