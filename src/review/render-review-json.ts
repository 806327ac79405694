/**
 * The review pack as JSON, for tools: a version, the summary, the paid seats of each business
 * (when the caller counted them), and the rows exactly as built (ISO instants, `null` for
 * unknown values). Stable key order, so two packs diff cleanly.
 *
 * `businesses` and the rows' `paidSeat` / `seatCost` came with paid seats (issue 17); they only
 * add keys, so the version stays 1.
 */
import { summarizeReview } from './build-review-pack.js';
import { REVIEW_FLAG_MEANINGS, type ReviewRow, type ReviewSeats } from './review-types.js';

export function renderReviewJson(
  rows: readonly ReviewRow[],
  options: { generatedAt?: string; seats?: readonly ReviewSeats[] } = {},
): string {
  const pack = {
    version: 1,
    ...(options.generatedAt === undefined ? {} : { generatedAt: options.generatedAt }),
    summary: summarizeReview(rows),
    flags: REVIEW_FLAG_MEANINGS,
    ...(options.seats === undefined
      ? {}
      : {
          businesses: options.seats.map(({ businessId, businessName, ...seats }) => ({
            businessId,
            businessName,
            seats,
          })),
        }),
    rows,
  };
  return `${JSON.stringify(pack, null, 2)}\n`;
}
