import type {
  BusinessPolicy,
  Change,
  GuardResult,
  LiveBusiness,
  LiveIdentity,
  SeatPolicy,
  SeatSummary,
} from '../../types.js';

/**
 * What every guard sees. Guards judge a list of changes against the live state, so the applier
 * can re-evaluate them on a plan's changes and a fresh sync before its first write.
 */
export interface GuardInput {
  rules: BusinessPolicy['rules'];
  live: LiveBusiness;
  identity: LiveIdentity;
  changes: readonly Change[];
  /** The policy's seat settings, defaults filled in (`seatPolicyOf`). */
  seats: SeatPolicy;
  /**
   * `summarizeSeats(seats, live.members, changes)`, when the caller has it already (the plan
   * shows it too): a pass over every member saved. The `seats` guard counts otherwise.
   */
  seatSummary?: SeatSummary;
}

/** A guard's verdict before overrides are considered. */
export type GuardVerdict = Omit<GuardResult, 'override'>;

/** `a, b, c and 2 more` — keeps guard messages one readable line however big the plan. */
export function listSome(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
