/**
 * Paid team-member seats, as FreshBooks counts them (support article "How do I invite and manage
 * team members?", see the contract's "Paid seats"): every team member who is active or has a
 * pending invitation uses one, unless their role is Unassigned (`no_seat_employee`) or they are
 * the owner (the subscription holder); a deactivated member uses none. A role the emulator does
 * not know is counted as paid, as FreshBooks would bill a new role. Clients are not team members.
 *
 * The API has no seat count, so the limit is the emulator's own model of the subscription
 * (`seatLimit` in the seed, or the control route); null means unlimited, the default.
 */
import type { BusinessRecord, MemberRecord } from './model.js';

/** Roles that never use a paid seat. */
const FREE_ROLES: ReadonlySet<string> = new Set(['no_seat_employee', 'owner', 'client']);

/** True when a member in `role` (API name) uses a paid seat while active or invited. */
export function isPaidApiRole(role: string): boolean {
  return !FREE_ROLES.has(role);
}

/** True when this row uses a paid seat now. */
export function holdsPaidSeat(member: Pick<MemberRecord, 'role' | 'state'>): boolean {
  return member.state !== 'deactivated' && isPaidApiRole(member.role);
}

export function paidSeatsInUse(business: Pick<BusinessRecord, 'members'>): number {
  let used = 0;
  for (const member of business.members) if (holdsPaidSeat(member)) used += 1;
  return used;
}

/** What the control route shows: the limit, the seats in use, and how many are free. */
export interface SeatsJson {
  limit: number | null;
  inUse: number;
  /** `limit − inUse`, never below 0; null without a limit. */
  free: number | null;
}

export function seatsOf(business: Pick<BusinessRecord, 'members' | 'seatLimit'>): SeatsJson {
  const inUse = paidSeatsInUse(business);
  const limit = business.seatLimit;
  return { limit, inUse, free: limit === null ? null : Math.max(0, limit - inUse) };
}

/**
 * True when one more paid seat can be taken. A business over its limit (the limit lowered, or
 * a seed that starts over it) has none free: only freeing seats works until it is under.
 */
export function hasFreeSeat(business: Pick<BusinessRecord, 'members' | 'seatLimit'>): boolean {
  return business.seatLimit === null || paidSeatsInUse(business) < business.seatLimit;
}

/**
 * The message of the refusal [assumed: FreshBooks publishes no answer for an invitation or a
 * role change beyond the limit; the contract notes assume a 422 about team member limits].
 */
export const SEAT_LIMIT_MESSAGE =
  'You have reached the limit of paid team members for this business. Upgrade your plan or remove a team member.';

/** errno of that refusal: the emulator's choice (FreshBooks' is unpublished). */
export const ERRNO_SEAT_LIMIT = 1040;
