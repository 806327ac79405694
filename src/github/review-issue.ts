/**
 * Access-review campaigns as issues. The body — one checkbox per person, checked = keep — is the
 * review module's (`renderReviewIssueBody`), and so is reading the ticks back
 * (`parseReviewIssueBody`); this file opens the issue, labels it, adds a hidden record of who was
 * under review, and reads it back only when it is rolecall's (record present, and opened by the
 * expected login when one is given).
 */
import { RolecallError } from '../errors.js';
import { parseReviewIssueBody, type ParsedReviewIssue } from '../review/index.js';
import type { GitHubClient } from './client.js';
import { repoParams, type RepoRef } from './context.js';
import { githubError } from './github-error.js';
import { readHiddenRecord } from './hidden-record.js';
import { sameLogin } from './identity.js';
import { ensureLabel } from './labelled-items.js';
import { BODY_TRUNCATION_NOTE, composeBody } from './sticky-comment.js';

export const REVIEW_LABEL = 'rolecall-review';
const KIND = 'review';

export interface ReviewIssueRecord {
  v: 1;
  businessId: number;
  /** Everyone with a checkbox when the issue was opened (lower-case emails). */
  members: string[];
}

export interface CreateReviewIssueInput {
  repo: RepoRef;
  businessId: number;
  title: string;
  /** `renderReviewIssueBody(rows, {due, …})`. */
  body: string;
  label?: string;
}

export async function createReviewIssue(
  octokit: GitHubClient,
  input: CreateReviewIssueInput,
): Promise<{ number: number; url: string }> {
  const label = input.label ?? REVIEW_LABEL;
  const parsed = parseReviewIssueBody(input.body);
  const record: ReviewIssueRecord = {
    v: 1,
    businessId: input.businessId,
    members: [...parsed.keep, ...parsed.remove, ...parsed.conflicting].sort(),
  };
  const { body } = composeBody(
    { kind: KIND, scope: String(input.businessId) },
    { visible: input.body, record },
    { note: BODY_TRUNCATION_NOTE },
  );
  try {
    await ensureLabel(octokit, input.repo, {
      name: label,
      color: '0e8a16',
      description: 'FreshBooks access review (managed by rolecall)',
    });
    const { data } = await octokit.rest.issues.create({
      ...repoParams(input.repo),
      title: input.title,
      body,
      labels: [label],
    });
    return { number: data.number, url: data.html_url };
  } catch (error) {
    throw githubError(
      'open the access review issue',
      error,
      'The job needs `permissions: issues: write`',
    );
  }
}

export interface ReviewIssueState extends ParsedReviewIssue {
  number: number;
  url: string;
  state: 'open' | 'closed';
  /** Everyone under review, from the hidden record. */
  members: string[];
}

/**
 * Reads a review issue's checkboxes. Refuses an issue without rolecall's review record, or not
 * opened by `author` when given. `missing` is computed against the people of the record.
 */
export async function readReviewIssue(
  octokit: GitHubClient,
  repo: RepoRef,
  number: number,
  options: { author?: string } = {},
): Promise<ReviewIssueState> {
  let issue;
  try {
    ({ data: issue } = await octokit.rest.issues.get({
      ...repoParams(repo),
      issue_number: number,
    }));
  } catch (error) {
    throw githubError(`read issue #${number}`, error);
  }
  const body = issue.body ?? '';
  const scope = /<!-- rolecall:review:(\d+) /.exec(body)?.[1];
  const record = scope
    ? (readHiddenRecord(body, KIND, scope) as Partial<ReviewIssueRecord> | undefined)
    : undefined;
  if (
    !record ||
    record.v !== 1 ||
    typeof record.businessId !== 'number' ||
    !Array.isArray(record.members) ||
    !record.members.every((m) => typeof m === 'string')
  ) {
    throw new RolecallError(
      'NOT_A_REVIEW_ISSUE',
      `issue #${number} is not a rolecall access review (no review record in its body)`,
    );
  }
  if (options.author && !sameLogin(issue.user?.login, options.author)) {
    throw new RolecallError(
      'NOT_A_REVIEW_ISSUE',
      `issue #${number} was opened by @${issue.user?.login ?? 'unknown'}, not by @${options.author}: not trusted as a review`,
    );
  }
  const parsed = parseReviewIssueBody(body, { members: record.members });
  return {
    ...parsed,
    businessId: parsed.businessId ?? record.businessId,
    number: issue.number,
    url: issue.html_url,
    state: issue.state === 'closed' ? 'closed' : 'open',
    members: record.members,
  };
}
