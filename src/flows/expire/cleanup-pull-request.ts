/**
 * The single clean-up pull request of `rolecall expire --github`: found by label and hidden
 * marker (never by title) among the pull requests rolecall's own login opened, its branch
 * brought up to date (cleanup-branch.ts), its title and body updated only when they changed.
 * Never a second one; closed when there is nothing left to clean up.
 */
import type { GitHubClient } from '../../github/client.js';
import { repoParams, type RepoRef } from '../../github/context.js';
import { githubError } from '../../github/github-error.js';
import {
  findOpenCleanupPullRequest,
  upsertCleanupPullRequest,
  type CleanupPullRequestResult,
} from '../../github/pull-requests.js';
import type { PolicySource } from '../../policy/validate-documents.js';
import type { CleanedFile, CleanupEntry } from '../../jit/choose-cleanup.js';
import { CLEANUP_BRANCH, updateCleanupBranch, type CleanupBranchResult } from './cleanup-branch.js';
import { renderCleanup } from '../../jit/render-cleanup.js';
import { botIdentity } from '../pull-request-target.js';

export interface CleanupPullRequestInput {
  octokit: GitHubClient;
  repo: RepoRef;
  /** The login rolecall writes as: only pull requests it opened count as its own. */
  author: string;
  cwd: string;
  remote: string;
  baseBranch: string;
  baseSha: string;
  policiesDir: string;
  entries: readonly CleanupEntry[];
  sources: readonly PolicySource[];
  changed: readonly CleanedFile[];
  now: Date;
}

export interface CleanupPullRequestOutcome {
  pullRequest: CleanupPullRequestResult;
  branch: CleanupBranchResult & { name: string };
}

export async function syncCleanupPullRequest(
  input: CleanupPullRequestInput,
): Promise<CleanupPullRequestOutcome> {
  const { octokit, repo, author } = input;
  const existing = await findOpenCleanupPullRequest(octokit, repo, { author });
  // The open pull request's own branch, so that the branch and the pull request never part.
  const name = existing?.headRef ?? CLEANUP_BRANCH;
  const rendered = renderCleanup(input.entries);
  const branch = await updateCleanupBranch({
    cwd: input.cwd,
    remote: input.remote,
    branch: name,
    baseSha: input.baseSha,
    policiesDir: input.policiesDir,
    sources: input.sources,
    files: input.changed,
    message: rendered.commitMessage,
    date: input.now,
    // Committed as the account that opens the pull request (a CI runner has no git identity).
    author: botIdentity(author),
  });
  const pullRequest = await upsertCleanupPullRequest(octokit, {
    repo,
    head: name,
    base: input.baseBranch,
    title: rendered.title,
    body: rendered.body,
    author,
    record: rendered.record,
  });
  return { pullRequest, branch: { ...branch, name } };
}

/**
 * Closes the open clean-up pull request when the policies no longer hold anything to clean up
 * (its entries were removed by hand, or extended): merging it would remove access someone
 * just extended. Returns its number, or null when there was none.
 */
export async function closeStaleCleanupPullRequest(
  octokit: GitHubClient,
  repo: RepoRef,
  author: string,
): Promise<number | null> {
  const existing = await findOpenCleanupPullRequest(octokit, repo, { author });
  if (!existing) return null;
  try {
    await octokit.rest.issues.createComment({
      ...repoParams(repo),
      issue_number: existing.number,
      body: 'Closed by `rolecall expire`: the policies no longer hold any expired grant to remove (removed or extended elsewhere).',
    });
    await octokit.rest.pulls.update({
      ...repoParams(repo),
      pull_number: existing.number,
      state: 'closed',
    });
  } catch (error) {
    throw githubError(`close the stale clean-up pull request #${existing.number}`, error);
  }
  return existing.number;
}
