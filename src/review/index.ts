/**
 * The access review pack (pure): rows from policy + live state + provenance, paid seats per
 * business, and renderers.
 */
export {
  buildReviewPack,
  summarizeReview,
  type BuildReviewPackInput,
} from './build-review-pack.js';
export { renderReviewCsv, csvField, REVIEW_CSV_COLUMNS } from './render-review-csv.js';
export { renderReviewJson } from './render-review-json.js';
export { renderReviewMarkdown, type RenderReviewOptions } from './render-review-markdown.js';
export { summarizeReviewSeats, type SummarizeReviewSeatsInput } from './summarize-review-seats.js';
export { describeReviewSeats, flagWords, SEAT_WASTE_FLAGS } from './describe-review-seats.js';
export { renderReviewIssueBody, type ReviewIssueOptions } from './render-review-issue.js';
export { parseReviewIssueBody, type ParsedReviewIssue } from './parse-review-issue.js';
export {
  REVIEW_FLAGS,
  REVIEW_FLAG_MEANINGS,
  type ReviewFlag,
  type ReviewRow,
  type ReviewSeats,
  type ReviewState,
  type ReviewSummary,
} from './review-types.js';
export { decideRemovals, type ReviewOutcome } from './decide-removals.js';
export {
  commitMessage,
  describeOutcome,
  issueComment,
  pullRequestBody,
  pullRequestTitle,
  type CloseContext,
} from './render-review-close.js';
