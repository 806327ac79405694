/**
 * Access-review campaigns as issues, the GitHub side: open the issue labelled, with a hidden
 * record of who was under review, and read that record back only from rolecall's own issue
 * (record present, and opened by the expected login when one is given). The body — one
 * checkbox per person, checked = keep — and reading the ticks are the review module's; the
 * flow joins the two (flows/github/review-issue.ts).
 */
import { RolecallError } from '../errors.js';
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

export interface OpenReviewIssueInput {
  repo: RepoRef;
  businessId: number;
  title: string;
  /** The visible body (the review's checkboxes). */
  body: string;
  /** Everyone with a checkbox (lower-case emails), for the hidden record. */
  members: readonly string[];
  label?: string;
}

export async function openReviewIssue(
  octokit: GitHubClient,
  input: OpenReviewIssueInput,
): Promise<{ number: number; url: string }> {
  const label = input.label ?? REVIEW_LABEL;
  const record: ReviewIssueRecord = {
    v: 1,
    businessId: input.businessId,
    members: [...input.members].sort(),
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

export interface RecordedReviewIssue {
  number: number;
  url: string;
  state: 'open' | 'closed';
  /** The whole body, ticks included. */
  body: string;
  record: ReviewIssueRecord;
}

/**
 * Reads a review issue and its hidden record. Refuses an issue without rolecall's review
 * record, or not opened by `author` when given.
 */
export async function readReviewIssueRecord(
  octokit: GitHubClient,
  repo: RepoRef,
  number: number,
  options: { author?: string } = {},
): Promise<RecordedReviewIssue> {
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
  return {
    number: issue.number,
    url: issue.html_url,
    state: issue.state === 'closed' ? 'closed' : 'open',
    body,
    record: record as ReviewIssueRecord,
  };
}
