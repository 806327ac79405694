/**
 * The review's words for paid seats, shared by the pack's markdown and the review issue:
 * one line per business, and flags that carry the cost they waste.
 *
 * Unused seats (limit − used) are shown, never flagged: they are the headroom the next grant
 * needs (the plan's seats guard refuses a plan past the limit), and rolecall cannot know
 * whether the subscription bills the seats bought or the seats used (the API exposes no bill
 * and no seat count), so calling them waste could push a team to buy exactly what it uses and
 * then fail its next grant. The waste rolecall can name is a seat held by someone who does not
 * use it: an invitation pending too long, or a grant past its expiry.
 */
import { formatPrice } from '../seats.js';
import type { ReviewFlag, ReviewRow, ReviewSeats } from './review-types.js';

/** The flags that mark a paid seat held without use. */
export const SEAT_WASTE_FLAGS: readonly ReviewFlag[] = ['pending-seat', 'expired-seat'];

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * `**8** of 10 paid seats in use (2 unused) · USD 88/month · seat waste: **2 seats** (1
 * invitation pending too long, 1 expired grant), USD 22/month`. Markdown (bold only; every part is a number, a
 * fixed word or an ISO 4217 code the policy schema checked).
 */
export function describeReviewSeats(seats: ReviewSeats): string {
  let inUse = `**${seats.used}**`;
  if (seats.limit !== null) inUse += ` of ${seats.limit}`;
  inUse += ` paid ${seats.used === 1 && seats.limit === null ? 'seat' : 'seats'} in use`;
  if (seats.unused !== null) {
    inUse +=
      seats.unused > 0
        ? ` (${seats.unused} unused)`
        : seats.unused === 0
          ? ' (none unused)'
          : ` (**${-seats.unused} over the limit**)`;
  }
  const parts = [inUse];
  if (seats.price !== null && seats.cost !== null) parts.push(formatPrice(seats.cost, seats.price));
  const { wasted } = seats;
  if (wasted.seats > 0) {
    const kinds: string[] = [];
    if (wasted.pendingInvitations > 0) {
      kinds.push(
        plural(
          wasted.pendingInvitations,
          'invitation pending too long',
          'invitations pending too long',
        ),
      );
    }
    if (wasted.expiredGrants > 0) {
      kinds.push(plural(wasted.expiredGrants, 'expired grant', 'expired grants'));
    }
    const cost =
      seats.price !== null && wasted.cost !== null
        ? `, ${formatPrice(wasted.cost, seats.price)}`
        : '';
    parts.push(
      `seat waste: **${plural(wasted.seats, 'seat', 'seats')}** (${kinds.join(', ')})${cost}`,
    );
  }
  return parts.join(' · ');
}

/** The row's flags, a seat-waste flag with the cost it wastes: `pending-seat (USD 11/month)`. */
export function flagWords(row: Pick<ReviewRow, 'flags' | 'seatCost'>): string[] {
  return row.flags.map((flag) =>
    SEAT_WASTE_FLAGS.includes(flag) && row.seatCost !== null
      ? `${flag} (${formatPrice(row.seatCost.amount, row.seatCost)})`
      : flag,
  );
}

/** The seats of one business, when the caller has them. */
export function seatsOf(
  seats: readonly ReviewSeats[] | undefined,
  businessId: number,
): ReviewSeats | undefined {
  return seats?.find((entry) => entry.businessId === businessId);
}
