import { summarizeSeats } from '../../seats.js';
import { plural, type GuardInput, type GuardVerdict } from './guard-input.js';

/**
 * `seats`: a plan must not need more paid seats than the policy's `seats.limit`. FreshBooks
 * would refuse the invitation or role change beyond the limit halfway through an apply; the
 * guard refuses the plan instead, and says how many seats to free or buy.
 *
 * Like `minAdmins`, a business already over its declared limit is not held hostage: the guard
 * fails only when the plan itself adds paid seats while the result is over the limit, so a plan
 * that frees seats (or changes nothing about them) can still be applied.
 */
export function seatsGuard(input: GuardInput): GuardVerdict {
  const summary =
    input.seatSummary ?? summarizeSeats(input.seats, input.live.members, input.changes);
  const { before, after, limit } = summary;
  const counted = `${plural(after, 'paid seat')} after this plan (${before} now)`;
  if (limit === undefined) {
    return { guard: 'seats', ok: true, message: `${counted}; no limit declared (seats.limit)` };
  }
  if (after <= limit) {
    return { guard: 'seats', ok: true, message: `${counted}, limit ${limit}` };
  }
  if (after <= before) {
    return {
      guard: 'seats',
      ok: true,
      message: `${counted}, over the limit of ${limit} already; this plan adds no paid seat`,
    };
  }
  const excess = after - limit;
  return {
    guard: 'seats',
    ok: false,
    message: `${counted}, limit ${limit}: free ${plural(excess, 'seat')} (revoke someone or change them to unassigned in this plan) or buy ${excess} more and raise seats.limit to ${after}`,
  };
}
