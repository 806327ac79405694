/**
 * Finding rolecall's own issues and pull requests: by label *and* hidden marker (never by title),
 * reading every page. The issues API returns pull requests too (they carry a `pull_request`
 * key): callers say which of the two they want.
 */
import type { GitHubClient } from './client.js';
import { repoParams, type RepoRef } from './context.js';
import { githubError, statusOf } from './github-error.js';
import { hasMarker } from './hidden-record.js';
import { sameLogin } from './identity.js';

export interface LabelledItem {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  htmlUrl: string;
  author: string | null;
  isPullRequest: boolean;
  createdAt: string;
}

export interface FindOptions {
  label: string;
  kind: string;
  scope: string;
  state: 'open' | 'closed' | 'all';
  /** `issue`: skip pull requests; `pull-request`: only pull requests. */
  type: 'issue' | 'pull-request';
  /** When given, only items this login opened. */
  author?: string;
}

/** Every matching item, oldest first. */
export async function findLabelledItems(
  octokit: GitHubClient,
  repo: RepoRef,
  options: FindOptions,
): Promise<LabelledItem[]> {
  let items;
  try {
    items = await octokit.paginate(octokit.rest.issues.listForRepo, {
      ...repoParams(repo),
      labels: options.label,
      state: options.state,
      per_page: 100,
    });
  } catch (error) {
    throw githubError(`list the issues labelled "${options.label}"`, error);
  }
  return items
    .filter((item) => (options.type === 'pull-request') === Boolean(item.pull_request))
    .filter((item) => hasMarker(item.body, options.kind, options.scope))
    .filter((item) => !options.author || sameLogin(item.user?.login, options.author))
    .map((item) => ({
      number: item.number,
      title: item.title,
      body: item.body ?? '',
      state: item.state === 'closed' ? ('closed' as const) : ('open' as const),
      htmlUrl: item.html_url,
      author: item.user?.login ?? null,
      isPullRequest: Boolean(item.pull_request),
      createdAt: item.created_at,
    }))
    .sort((a, b) => a.number - b.number);
}

/** Creates the label when the repository does not have it yet (422 "already_exists" is fine). */
export async function ensureLabel(
  octokit: GitHubClient,
  repo: RepoRef,
  label: { name: string; color: string; description: string },
): Promise<void> {
  try {
    await octokit.rest.issues.getLabel({ ...repoParams(repo), name: label.name });
    return;
  } catch (error) {
    if (statusOf(error) !== 404) throw githubError(`read label "${label.name}"`, error);
  }
  try {
    await octokit.rest.issues.createLabel({ ...repoParams(repo), ...label });
  } catch (error) {
    if (statusOf(error) !== 422)
      throw githubError(
        `create label "${label.name}"`,
        error,
        'The job needs `permissions: issues: write`',
      );
  }
}
