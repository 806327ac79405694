/**
 * A review campaign's issue, both halves joined: the review module writes and reads the
 * checkboxes (one per person, checked = keep), github/review-issue-record.ts opens the issue
 * and keeps the hidden record of who was under review. The record, not the body, says who is
 * in the review: a checkbox line deleted from the body makes that person `missing` (kept), and
 * a line added by hand names no one under review (ignored).
 */
import type { GitHubClient } from '../../github/client.js';
import type { RepoRef } from '../../github/context.js';
import {
  openReviewIssue,
  readReviewIssueRecord,
  type OpenReviewIssueInput,
} from '../../github/review-issue-record.js';
import { parseReviewIssueBody, type ParsedReviewIssue } from '../../review/index.js';

/** The issue to open; `body` is `renderReviewIssueBody(rows, {due, …})`. */
export type CreateReviewIssueInput = Omit<OpenReviewIssueInput, 'members'>;

/** Opens the issue; everyone with a checkbox in `body` goes into the record. */
export async function createReviewIssue(
  octokit: GitHubClient,
  input: CreateReviewIssueInput,
): Promise<{ number: number; url: string }> {
  const parsed = parseReviewIssueBody(input.body);
  return openReviewIssue(octokit, {
    ...input,
    members: [...parsed.keep, ...parsed.remove, ...parsed.conflicting],
  });
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
  const issue = await readReviewIssueRecord(octokit, repo, number, options);
  const parsed = parseReviewIssueBody(issue.body, { members: issue.record.members });
  return {
    ...parsed,
    businessId: parsed.businessId ?? issue.record.businessId,
    number: issue.number,
    url: issue.url,
    state: issue.state,
    members: issue.record.members,
  };
}
