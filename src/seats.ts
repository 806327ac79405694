/**
 * Paid seats: which members use one, how many a plan adds or frees, and what that costs.
 *
 * FreshBooks (support article "How do I invite and manage team members?"): team members added
 * as Unassigned cost nothing; every other role uses one of the subscription's paid team-member
 * invitations ("9 out of 10" available). The owner is the subscription itself and is never
 * invited, so by default the owner is not counted either; `seats.paidRoles` overrides both
 * choices. The API has no seat count: the limit and the price come from the policy.
 *
 * Counting, as FreshBooks counts invitations: a pending invitation holds its seat; a
 * deactivated member holds none. A role rolecall does not know is counted as paid: a new
 * FreshBooks role is far likelier to be a paid one, and the guard must not under-count.
 */
import { POLICY_ROLES, policyRoleOf, type KnownRole } from './roles.js';
import type {
  BusinessPolicy,
  Change,
  LiveMember,
  RoleState,
  SeatPolicy,
  SeatPrice,
  SeatSummary,
} from './types.js';

/** Every role but `unassigned` (free) and the owner (the subscription holder). */
export const DEFAULT_PAID_ROLES: readonly KnownRole[] = POLICY_ROLES.filter(
  (role) => role !== 'unassigned',
);

/** The policy's seat settings, or the defaults when it declares none. */
export function seatPolicyOf(policy: Pick<BusinessPolicy, 'seats'>): SeatPolicy {
  return policy.seats ?? { paidRoles: [...DEFAULT_PAID_ROLES] };
}

/**
 * True when `role` (rolecall's name, or an unknown API role kept verbatim, as in a plan's
 * `from`) uses a paid seat.
 */
export function isPaidRole(role: string, paidRoles: readonly string[]): boolean {
  if (role === 'owner' || (POLICY_ROLES as readonly string[]).includes(role)) {
    return paidRoles.includes(role);
  }
  // An API name of a known role (`business_manager`) is judged as that role; anything else is
  // a role rolecall does not know: paid.
  const known = policyRoleOf(role);
  return known === null ? true : paidRoles.includes(known);
}

/** True when this live member holds a paid seat now. */
export function holdsSeat(
  member: Pick<LiveMember, 'role' | 'apiRole' | 'state'>,
  paidRoles: readonly string[],
): boolean {
  if (member.state === 'deactivated') return false;
  return isPaidRole(member.role ?? member.apiRole, paidRoles);
}

function heldBy(state: RoleState | null, paidRoles: readonly string[]): boolean {
  return state !== null && state.state !== 'deactivated' && isPaidRole(state.role, paidRoles);
}

/** +1 when the change takes a paid seat, −1 when it frees one, 0 otherwise. */
export function seatDeltaOf(
  change: Pick<Change, 'from' | 'to'>,
  paidRoles: readonly string[],
): number {
  const after = change.to !== null && isPaidRole(change.to.role, paidRoles) ? 1 : 0;
  return after - (heldBy(change.from, paidRoles) ? 1 : 0);
}

/** True when the change frees a paid seat (a revoke or a move to a free role). */
export function freesSeat(
  change: Pick<Change, 'from' | 'to'>,
  paidRoles: readonly string[],
): boolean {
  return seatDeltaOf(change, paidRoles) < 0;
}

export function countSeats(members: readonly LiveMember[], paidRoles: readonly string[]): number {
  let held = 0;
  for (const member of members) if (holdsSeat(member, paidRoles)) held += 1;
  return held;
}

/** Seats before and after `changes`, with the limit and the cost the policy declares. */
export function summarizeSeats(
  seats: SeatPolicy,
  members: readonly LiveMember[],
  changes: readonly Pick<Change, 'from' | 'to'>[],
): SeatSummary {
  const before = countSeats(members, seats.paidRoles);
  let after = before;
  for (const change of changes) after += seatDeltaOf(change, seats.paidRoles);
  const summary: SeatSummary = { after, before, paidRoles: [...seats.paidRoles] };
  if (seats.limit !== undefined) summary.limit = seats.limit;
  if (seats.price !== undefined) {
    const { amount, currency, per } = seats.price;
    summary.price = { amount, currency, per };
    summary.cost = roundToCents(after * amount);
    summary.costChange = roundToCents((after - before) * amount);
  }
  return summary;
}

/** Rounded to cents, and never `-0`: every seat cost rolecall shows or writes. */
export function roundToCents(value: number): number {
  const cents = Math.round(value * 100);
  return cents === 0 ? 0 : cents / 100;
}

/** `USD 22`, `USD 10.50`: whole amounts without cents, others with two decimals. */
export function formatMoney(amount: number, currency: string): string {
  const magnitude = Math.abs(amount);
  const digits = Number.isInteger(magnitude) ? String(magnitude) : magnitude.toFixed(2);
  return `${currency} ${digits}`;
}

function signed(count: number): string {
  return count > 0 ? `+${count}` : count < 0 ? `−${-count}` : '±0';
}

/** `USD 11/month`, `EUR 10.50/year`: an amount in a price's currency, per its period. */
export function formatPrice(amount: number, price: Pick<SeatPrice, 'currency' | 'per'>): string {
  return `${formatMoney(amount, price.currency)}/${price.per}`;
}

/**
 * One line for a business's seats, the same in every rendering:
 * `+2 paid seats: 8 → 10 of 10, +USD 22/month (USD 110/month in all)`, or
 * `8 of 10 paid seats in use, unchanged (USD 88/month)`.
 */
export function describeSeats(summary: SeatSummary): string {
  const delta = summary.after - summary.before;
  const of = summary.limit === undefined ? '' : ` of ${summary.limit}`;
  const price = summary.price;
  if (delta === 0) {
    const cost =
      price === undefined || summary.cost === undefined
        ? ''
        : ` (${formatPrice(summary.cost, price)})`;
    return `${summary.after}${of} paid ${summary.after === 1 && of === '' ? 'seat' : 'seats'} in use, unchanged${cost}`;
  }
  const noun = Math.abs(delta) === 1 ? 'paid seat' : 'paid seats';
  let line = `${signed(delta)} ${noun}: ${summary.before} → ${summary.after}${of}`;
  if (price !== undefined && summary.costChange !== undefined && summary.cost !== undefined) {
    const sign = summary.costChange > 0 ? '+' : summary.costChange < 0 ? '−' : '±';
    line += `, ${sign}${formatPrice(summary.costChange, price)}`;
    line += ` (${formatPrice(summary.cost, price)} in all)`;
  }
  return line;
}

/** Whether a rendering should show the seat line: the policy declares seats, or they change. */
export function seatsWorthShowing(summary: SeatSummary | undefined): summary is SeatSummary {
  if (summary === undefined) return false;
  return (
    summary.limit !== undefined || summary.price !== undefined || summary.before !== summary.after
  );
}
