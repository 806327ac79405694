/**
 * One comment per pull request (per kind), created once and then edited in place.
 *
 * A comment is rolecall's when it carries the hidden marker of its kind (see hidden-record.ts)
 * *and* its author is the token's own login: a user who quotes or copies rolecall's comment, or
 * pastes a marker, is never mistaken for rolecall, and never edited. When several comments
 * qualify (two runs raced), the oldest is the sticky one, for writing and reading alike.
 */
import type { GitHubClient } from './client.js';
import type { RepoRef } from './context.js';
import { githubError } from './github-error.js';
import { hasMarker, hiddenRecord, readHiddenRecord } from './hidden-record.js';
import { sameLogin } from './identity.js';
import { GITHUB_BODY_MAX_CHARS, truncateWithNote } from './limits.js';

export interface IssueRef extends RepoRef {
  /** Pull requests are issues: the number of either. */
  issueNumber: number;
}

export interface StickyKey {
  /** `plan`, `apply`, … */
  kind: string;
  /** Which one of that kind; `pr` when there is one per pull request. */
  scope: string;
  /** The token's login (see identity.ts): only its comments are considered. */
  login: string;
}

export interface FoundComment {
  id: number;
  body: string;
  htmlUrl: string;
  createdAt: string;
  updatedAt: string;
}

export type UpsertAction = 'created' | 'updated' | 'unchanged';

export interface UpsertResult {
  action: UpsertAction;
  comment: FoundComment;
  /** True when the visible part had to be cut to stay under GitHub's limit. */
  truncated: boolean;
}

export const TRUNCATION_NOTE =
  '> ⚠️ **Truncated** to stay under GitHub’s 65,536-character limit. The full plan is in the job summary and the plan artifact of this run.';

/** For issue and pull-request bodies other than the plan. */
export const BODY_TRUNCATION_NOTE =
  '> ⚠️ **Truncated** to stay under GitHub’s 65,536-character limit. Run the command locally for the whole list.';

/** rolecall's comment of this kind on the issue or pull request, or `null`. Reads every page. */
export async function findStickyComment(
  octokit: GitHubClient,
  ref: IssueRef,
  key: StickyKey,
): Promise<FoundComment | null> {
  let comments;
  try {
    comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.issueNumber,
      per_page: 100,
    });
  } catch (error) {
    throw githubError(`list the comments of #${ref.issueNumber}`, error);
  }
  const ours = comments
    .filter((c) => sameLogin(c.user?.login, key.login) && hasMarker(c.body, key.kind, key.scope))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  const first = ours[0];
  return first ? toFound(first) : null;
}

/**
 * Creates the comment, or edits it when its body differs; no request at all when it is the same.
 * `visible` is the markdown people see; `record` goes into the hidden marker line.
 */
export async function upsertStickyComment(
  octokit: GitHubClient,
  ref: IssueRef,
  key: StickyKey,
  content: { visible: string; record: unknown },
): Promise<UpsertResult> {
  const { body, truncated } = composeBody(key, content);
  const existing = await findStickyComment(octokit, ref, key);
  if (existing && existing.body === body)
    return { action: 'unchanged', comment: existing, truncated };
  try {
    if (existing) {
      const { data } = await octokit.rest.issues.updateComment({
        owner: ref.owner,
        repo: ref.repo,
        comment_id: existing.id,
        body,
      });
      return { action: 'updated', comment: toFound(data), truncated };
    }
    const { data } = await octokit.rest.issues.createComment({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.issueNumber,
      body,
    });
    return { action: 'created', comment: toFound(data), truncated };
  } catch (error) {
    throw githubError(
      `${existing ? 'update' : 'create'} the rolecall comment on #${ref.issueNumber}`,
      error,
      'The job needs `permissions: pull-requests: write` (or `issues: write`)',
    );
  }
}

/** The record of rolecall's comment of this kind, or `undefined`. */
export async function readStickyRecord(
  octokit: GitHubClient,
  ref: IssueRef,
  key: StickyKey,
): Promise<{ record: unknown; comment: FoundComment } | null> {
  const comment = await findStickyComment(octokit, ref, key);
  if (!comment) return null;
  return { record: readHiddenRecord(comment.body, key.kind, key.scope), comment };
}

/** Marker line first, then the visible markdown, cut (with a note) to fit GitHub's limit. */
export function composeBody(
  key: Pick<StickyKey, 'kind' | 'scope'>,
  content: { visible: string; record: unknown },
  options: { maxChars?: number; note?: string } = {},
): { body: string; truncated: boolean } {
  const maxChars = options.maxChars ?? GITHUB_BODY_MAX_CHARS;
  const note = options.note ?? TRUNCATION_NOTE;
  const recordLine = hiddenRecord(key.kind, key.scope, content.record);
  const budget = maxChars - recordLine.length - 1;
  if (budget < note.length + 16) {
    throw new RangeError(
      `the hidden record alone (${recordLine.length} characters) does not fit a body`,
    );
  }
  const visible = truncateWithNote(content.visible, budget, note);
  const body = `${recordLine}\n${visible}`;
  // The invariant GitHub enforces; a failure here is a bug in this file, not the user's.
  if (body.length > maxChars) throw new RangeError(`comment body is ${body.length} characters`);
  return { body, truncated: visible !== content.visible };
}

function toFound(c: {
  id: number;
  body?: string | null;
  html_url: string;
  created_at: string;
  updated_at: string;
}): FoundComment {
  return {
    id: c.id,
    body: c.body ?? '',
    htmlUrl: c.html_url,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}
