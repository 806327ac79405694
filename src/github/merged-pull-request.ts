/**
 * On a push to the default branch, which pull request was merged? The pushed commit must be the
 * `merge_commit_sha` of a merged pull request (merge, squash or rebase merge alike); anything
 * else — a direct push, a commit that merely appears in a pull request — is not an approved
 * change and apply refuses it.
 */
import { RolecallError } from '../errors.js';
import type { GitHubClient } from './client.js';
import type { RepoRef } from './context.js';
import { githubError } from './github-error.js';

export interface MergedPullRequest {
  number: number;
  htmlUrl: string;
  headSha: string;
  author: string;
  mergeCommitSha: string;
  mergedAt: string | null;
  title: string;
}

export type MergeLookup =
  | { kind: 'found'; pullRequest: MergedPullRequest }
  | { kind: 'none'; associated: number[] }
  | { kind: 'several'; pullRequests: MergedPullRequest[] };

/**
 * Lists the pull requests associated with `sha`, keeps those whose `merge_commit_sha` is `sha`,
 * and confirms each with `GET /pulls/{n}` (`merged: true`, same merge commit): the list endpoint
 * also returns open pull requests that merely contain the commit.
 */
export async function findMergedPullRequest(
  octokit: GitHubClient,
  ref: RepoRef & { sha: string },
): Promise<MergeLookup> {
  let associated;
  try {
    associated = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
      owner: ref.owner,
      repo: ref.repo,
      commit_sha: ref.sha,
      per_page: 100,
    });
  } catch (error) {
    throw githubError(`list the pull requests of commit ${ref.sha.slice(0, 12)}`, error);
  }
  const candidates = associated.filter((pr) => pr.merge_commit_sha === ref.sha && pr.merged_at);
  const confirmed: MergedPullRequest[] = [];
  for (const candidate of candidates) {
    let pr;
    try {
      ({ data: pr } = await octokit.rest.pulls.get({
        owner: ref.owner,
        repo: ref.repo,
        pull_number: candidate.number,
      }));
    } catch (error) {
      throw githubError(`read pull request #${candidate.number}`, error);
    }
    if (pr.merged && pr.merge_commit_sha === ref.sha) {
      confirmed.push({
        number: pr.number,
        htmlUrl: pr.html_url,
        headSha: pr.head.sha,
        author: pr.user.login,
        mergeCommitSha: pr.merge_commit_sha,
        mergedAt: pr.merged_at,
        title: pr.title,
      });
    }
  }
  if (confirmed.length === 1)
    return { kind: 'found', pullRequest: confirmed[0] as MergedPullRequest };
  if (confirmed.length === 0)
    return { kind: 'none', associated: associated.map((pr) => pr.number) };
  return { kind: 'several', pullRequests: confirmed };
}

/** Like `findMergedPullRequest`, but a `RolecallError` saying exactly why when there is not one. */
export async function requireMergedPullRequest(
  octokit: GitHubClient,
  ref: RepoRef & { sha: string },
): Promise<MergedPullRequest> {
  const lookup = await findMergedPullRequest(octokit, ref);
  const short = ref.sha.slice(0, 12);
  switch (lookup.kind) {
    case 'found':
      return lookup.pullRequest;
    case 'none':
      throw new RolecallError(
        'NO_MERGED_PULL_REQUEST',
        `commit ${short} is not the merge commit of any merged pull request` +
          (lookup.associated.length
            ? ` (it belongs to ${lookup.associated.map((n) => `#${n}`).join(', ')}, none merged as ${short})`
            : ' (pushed directly?)') +
          ': rolecall applies only changes approved in a pull request',
      );
    case 'several':
      throw new RolecallError(
        'SEVERAL_MERGED_PULL_REQUESTS',
        `commit ${short} is the merge commit of several pull requests (${lookup.pullRequests
          .map((pr) => `#${pr.number}`)
          .join(', ')}): cannot tell which approval applies, refusing`,
      );
  }
}
