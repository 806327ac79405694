/**
 * The review pack as JSON, for tools: a version, the summary, and the rows exactly as built
 * (ISO instants, `null` for unknown values). Stable key order, so two packs diff cleanly.
 */
import { summarizeReview } from './build-review-pack.js';
import { REVIEW_FLAG_MEANINGS, type ReviewRow } from './review-types.js';

export function renderReviewJson(
  rows: readonly ReviewRow[],
  options: { generatedAt?: string } = {},
): string {
  const pack = {
    version: 1,
    ...(options.generatedAt === undefined ? {} : { generatedAt: options.generatedAt }),
    summary: summarizeReview(rows),
    flags: REVIEW_FLAG_MEANINGS,
    rows,
  };
  return `${JSON.stringify(pack, null, 2)}\n`;
}
