/**
 * Paid seats per business for the review pack: how many are in use against the policy's limit,
 * what they cost, and how many of them are paid for without use (the `pending-seat` and
 * `expired-seat` rows). Pure: the rows already carry each person's seat and flags.
 */
import { countSeats, roundToCents, seatPolicyOf } from '../seats.js';
import type { DesiredState, LiveState } from '../types.js';
import { SEAT_WASTE_FLAGS } from './describe-review-seats.js';
import type { ReviewRow, ReviewSeats } from './review-types.js';

export interface SummarizeReviewSeatsInput {
  desired: DesiredState;
  live: LiveState;
  /** The pack's rows (`buildReviewPack` over the same desired and live state). */
  rows: readonly ReviewRow[];
}

/** One entry per business the policy names, in the policy's order. */
export function summarizeReviewSeats(input: SummarizeReviewSeatsInput): ReviewSeats[] {
  const liveById = new Map(input.live.businesses.map((b) => [b.businessId, b]));
  return input.desired.businesses.map((business) => {
    const seats = seatPolicyOf(business);
    const live = liveById.get(business.businessId);
    // Counted from the live members, as FreshBooks counts: the rows leave out removed
    // memberships, which hold no seat anyway, so both counts agree (a unit test says so).
    const used = countSeats(live?.members ?? [], seats.paidRoles);
    const rows = input.rows.filter((row) => row.businessId === business.businessId);
    const pending = rows.filter((row) => row.flags.includes('pending-seat'));
    const expired = rows.filter((row) => row.flags.includes('expired-seat'));
    const wasted = rows.filter((row) =>
      row.flags.some((flag) => SEAT_WASTE_FLAGS.includes(flag)),
    ).length;
    const price = seats.price === undefined ? null : { ...seats.price };
    return {
      businessId: business.businessId,
      businessName: live?.name ?? business.name ?? `business ${business.businessId}`,
      used,
      limit: seats.limit ?? null,
      unused: seats.limit === undefined ? null : seats.limit - used,
      paidRoles: [...seats.paidRoles],
      price,
      cost: price === null ? null : roundToCents(used * price.amount),
      wasted: {
        seats: wasted,
        pendingInvitations: pending.length,
        expiredGrants: expired.length,
        cost: price === null ? null : roundToCents(wasted * price.amount),
      },
    };
  });
}
