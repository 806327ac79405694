/**
 * Opening pull requests (`rolecall request`, `rolecall review close`) and keeping the single
 * clean-up pull request of `rolecall expire` up to date. Branches, commits and pushes are the
 * caller's (simple-git); this file only talks to the API.
 */
import type { GitHubClient } from './client.js';
import { repoParams, type RepoRef } from './context.js';
import { githubError, statusOf } from './github-error.js';
import { ensureLabel, findLabelledItems } from './labelled-items.js';
import { BODY_TRUNCATION_NOTE, composeBody } from './sticky-comment.js';

export interface OpenedPullRequest {
  number: number;
  url: string;
  headRef: string;
  /** False when an open pull request for the branch already existed (its title/body updated). */
  created: boolean;
}

export interface OpenPullRequestInput {
  repo: RepoRef;
  /** Branch name in this repository. */
  head: string;
  base: string;
  title: string;
  body: string;
  labels?: string[];
  draft?: boolean;
}

const PERMISSION_HINT = 'The job needs `permissions: pull-requests: write` and `contents: write`';

/**
 * Opens a pull request; when one is already open for the branch (GitHub answers 422), updates
 * that one instead of failing. Labels are created when missing and added.
 */
export async function openPullRequest(
  octokit: GitHubClient,
  input: OpenPullRequestInput,
): Promise<OpenedPullRequest> {
  const { repo } = input;
  let opened: OpenedPullRequest;
  try {
    const { data } = await octokit.rest.pulls.create({
      ...repoParams(repo),
      head: input.head,
      base: input.base,
      title: input.title,
      body: input.body,
      ...(input.draft ? { draft: true } : {}),
    });
    opened = { number: data.number, url: data.html_url, headRef: data.head.ref, created: true };
  } catch (error) {
    if (statusOf(error) !== 422)
      throw githubError(`open a pull request from ${input.head}`, error, PERMISSION_HINT);
    const existing = await openPullRequestFor(octokit, repo, input.head);
    if (!existing)
      throw githubError(`open a pull request from ${input.head}`, error, PERMISSION_HINT);
    try {
      await octokit.rest.pulls.update({
        ...repoParams(repo),
        pull_number: existing.number,
        title: input.title,
        body: input.body,
      });
    } catch (updateError) {
      throw githubError(`update pull request #${existing.number}`, updateError, PERMISSION_HINT);
    }
    opened = { ...existing, created: false };
  }
  if (input.labels?.length) await addLabels(octokit, repo, opened.number, input.labels);
  return opened;
}

/** The open pull request whose head is `branch` in this repository, or `null`. */
export async function openPullRequestFor(
  octokit: GitHubClient,
  repo: RepoRef,
  branch: string,
): Promise<Omit<OpenedPullRequest, 'created'> | null> {
  try {
    const { data } = await octokit.rest.pulls.list({
      ...repoParams(repo),
      head: `${repo.owner}:${branch}`,
      state: 'open',
      per_page: 100,
    });
    const pr = data[0];
    return pr ? { number: pr.number, url: pr.html_url, headRef: pr.head.ref } : null;
  } catch (error) {
    throw githubError(`list the pull requests from ${branch}`, error);
  }
}

async function addLabels(octokit: GitHubClient, repo: RepoRef, number: number, labels: string[]) {
  for (const name of labels) {
    await ensureLabel(octokit, repo, { name, color: 'ededed', description: 'Managed by rolecall' });
  }
  try {
    await octokit.rest.issues.addLabels({ ...repoParams(repo), issue_number: number, labels });
  } catch (error) {
    throw githubError(`label pull request #${number}`, error, PERMISSION_HINT);
  }
}

export const CLEANUP_LABEL = 'rolecall-cleanup';
const CLEANUP_KIND = 'cleanup';

export interface CleanupPullRequestInput {
  repo: RepoRef;
  /** The branch the caller pushed (force-pushed when the pull request already exists). */
  head: string;
  base: string;
  title: string;
  /** Visible markdown; the hidden marker is added. */
  body: string;
  label?: string;
  /** Which clean-up; one open pull request per scope. Default `expired`. */
  scope?: string;
  /** When given, only pull requests this login opened are rolecall's. */
  author?: string;
  /** Extra data for the hidden record (e.g. the entries removed). */
  record?: Record<string, unknown>;
}

export interface CleanupPullRequestResult {
  action: 'created' | 'updated' | 'unchanged';
  number: number;
  url: string;
  headRef: string;
}

/**
 * The open clean-up pull request (label + marker), so that the caller pushes to its branch;
 * `null` when there is none.
 */
export async function findOpenCleanupPullRequest(
  octokit: GitHubClient,
  repo: RepoRef,
  options: { label?: string; scope?: string; author?: string } = {},
): Promise<{ number: number; url: string; headRef: string; title: string; body: string } | null> {
  const found = await findLabelledItems(octokit, repo, {
    label: options.label ?? CLEANUP_LABEL,
    kind: CLEANUP_KIND,
    scope: options.scope ?? 'expired',
    state: 'open',
    type: 'pull-request',
    ...(options.author ? { author: options.author } : {}),
  });
  const first = found[0];
  if (!first) return null;
  try {
    const { data } = await octokit.rest.pulls.get({
      ...repoParams(repo),
      pull_number: first.number,
    });
    return {
      number: data.number,
      url: data.html_url,
      headRef: data.head.ref,
      title: data.title,
      body: data.body ?? '',
    };
  } catch (error) {
    throw githubError(`read pull request #${first.number}`, error);
  }
}

/**
 * At most one open clean-up pull request: updates the open one (title and body, only when they
 * changed) or opens it, labelled and marked.
 */
export async function upsertCleanupPullRequest(
  octokit: GitHubClient,
  input: CleanupPullRequestInput,
): Promise<CleanupPullRequestResult> {
  const scope = input.scope ?? 'expired';
  const label = input.label ?? CLEANUP_LABEL;
  const { body } = composeBody(
    { kind: CLEANUP_KIND, scope },
    { visible: input.body, record: { v: 1, ...input.record } },
    { note: BODY_TRUNCATION_NOTE },
  );
  const existing = await findOpenCleanupPullRequest(octokit, input.repo, {
    label,
    scope,
    ...(input.author ? { author: input.author } : {}),
  });
  if (existing) {
    if (existing.title === input.title && existing.body === body) {
      return {
        action: 'unchanged',
        number: existing.number,
        url: existing.url,
        headRef: existing.headRef,
      };
    }
    try {
      await octokit.rest.pulls.update({
        ...repoParams(input.repo),
        pull_number: existing.number,
        title: input.title,
        body,
      });
    } catch (error) {
      throw githubError(`update pull request #${existing.number}`, error, PERMISSION_HINT);
    }
    return {
      action: 'updated',
      number: existing.number,
      url: existing.url,
      headRef: existing.headRef,
    };
  }
  const opened = await openPullRequest(octokit, {
    repo: input.repo,
    head: input.head,
    base: input.base,
    title: input.title,
    body,
    labels: [label],
  });
  return {
    action: opened.created ? 'created' : 'updated',
    number: opened.number,
    url: opened.url,
    headRef: opened.headRef,
  };
}
