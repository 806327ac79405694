/**
 * Drift's seat line: `8 of 10 paid seats in use, 2 free (USD 88/month)`, or
 * `12 of 10 paid seats in use, 2 over the limit (USD 132/month)`. Costs are in the price's own
 * period, as in the plan's seat line.
 */
import { formatPrice } from '../seats.js';
import type { DriftSeats } from './drift-report.js';

/** Whether to show the line: only a policy that declares a limit or a price cares. */
export function seatsDeclared(seats: DriftSeats): boolean {
  return seats.limit !== undefined || seats.price !== undefined;
}

export function describeDriftSeats(seats: DriftSeats): string {
  const noun = seats.used === 1 && seats.limit === undefined ? 'paid seat' : 'paid seats';
  let line = `${seats.used}${seats.limit === undefined ? '' : ` of ${seats.limit}`} ${noun} in use`;
  if (seats.limit !== undefined) {
    const free = seats.limit - seats.used;
    line += free > 0 ? `, ${free} free` : free === 0 ? ', none free' : `, ${-free} over the limit`;
  }
  if (seats.price !== undefined && seats.cost !== undefined) {
    line += ` (${formatPrice(seats.cost, seats.price)})`;
  }
  return line;
}
