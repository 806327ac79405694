import { roleRank, policyRoleOf, isPolicyRole } from '../roles.js';
import type { KnownRole } from '../roles.js';
import { DEFAULT_PAID_ROLES, freesSeat } from '../seats.js';
import type { BusinessPlan, Change } from '../types.js';

/**
 * The apply order, four phases run strictly one after the other:
 *
 * 1. seat releases: revokes and moves to a free role that free a paid seat, except those that
 *    remove an admin;
 * 2. grants and upgrades;
 * 3. downgrades;
 * 4. revokes.
 *
 * Within a phase the operations are independent (one change per person and business), so they
 * may run concurrently.
 *
 * Seats: the seats a plan frees are free before any grant or upgrade takes one, so a business
 * at its limit never passes through a state above max(before, after) — unless the seat comes
 * from removing an admin, which stays in phase 3 or 4: the admin invariant below wins, and a
 * grant FreshBooks then refuses for lack of a seat is reported with the fix (the rerun, after
 * the admin removal, converges).
 *
 * Admins: phase 1 never removes an admin, phases 1 and 2 only add admins, phases 3 and 4 only
 * remove them, so at no moment is their number below min(before, after) — a plan whose end
 * state satisfies `minAdmins` never passes through a state that violates it.
 */
export type Phase = 1 | 2 | 3 | 4;

export const PHASE_NAMES: Readonly<Record<Phase, string>> = {
  1: 'seat releases',
  2: 'grants and upgrades',
  3: 'downgrades',
  4: 'revokes',
};

/** The first phase that may remove an admin: every phase before it only adds them. */
export const FIRST_ADMIN_REMOVAL_PHASE: Phase = 3;

export interface Operation {
  /** Stable within a plan: `<businessId>/<email>/<action>` (one change per person and business). */
  key: string;
  phase: Phase;
  change: Change;
}

/**
 * The roles that use a paid seat, per business id: the plan's `seats.paidRoles`, and the
 * default paid roles for a business without one (a plan made before rolecall counted seats).
 */
export type PaidRolesByBusiness = (businessId: number) => readonly string[];

export function paidRolesOf(
  businesses: readonly Pick<BusinessPlan, 'businessId' | 'seats'>[],
): PaidRolesByBusiness {
  const byBusiness = new Map(businesses.map((b) => [b.businessId, b.seats?.paidRoles]));
  return (businessId) => byBusiness.get(businessId) ?? DEFAULT_PAID_ROLES;
}

export function operationKey(change: Pick<Change, 'businessId' | 'email' | 'action'>): string {
  return `${change.businessId}/${change.email}/${change.action}`;
}

/** A role name from a plan (rolecall's name, or an unknown API role kept verbatim). */
export function knownRoleOf(role: string): KnownRole | null {
  if (role === 'owner' || isPolicyRole(role)) return role;
  return policyRoleOf(role);
}

/** The plan's `direction` when present; otherwise derived from the role ranks. */
export function directionOf(change: Change): 'upgrade' | 'downgrade' {
  if (change.direction) return change.direction;
  const from = change.from ? knownRoleOf(change.from.role) : null;
  const to = change.to ? change.to.role : null;
  // Equal ranks (same role, a state-only change) count as upgrades: nothing is taken away.
  return roleRank(to) >= roleRank(from) ? 'upgrade' : 'downgrade';
}

/**
 * A revoke or a move to a free role that frees a paid seat without removing an admin: run
 * before anything takes a seat.
 */
export function releasesSeat(change: Change, paidRoles: readonly string[]): boolean {
  return change.action !== 'grant' && freesSeat(change, paidRoles) && !removesAdmin(change);
}

export function phaseOf(change: Change, paidRoles: readonly string[]): Phase {
  if (releasesSeat(change, paidRoles)) return 1;
  if (change.action === 'grant') return 2;
  if (change.action === 'revoke') return 4;
  return directionOf(change) === 'upgrade' ? 2 : 3;
}

/**
 * Groups changes into the four phases, each in the plan's own (deterministic) order.
 * Returns exactly four arrays, some possibly empty.
 */
export function orderOperations(
  changes: readonly Change[],
  paidRoles: PaidRolesByBusiness,
): [Operation[], Operation[], Operation[], Operation[]] {
  const byPhase: Record<Phase, Operation[]> = { 1: [], 2: [], 3: [], 4: [] };
  for (const change of changes) {
    const phase = phaseOf(change, paidRoles(change.businessId));
    byPhase[phase].push({ key: operationKey(change), phase, change });
  }
  return [byPhase[1], byPhase[2], byPhase[3], byPhase[4]];
}

/** True when the change can raise the number of admins (owner + admin) of its business. */
export function addsAdmin(change: Change): boolean {
  return change.action !== 'revoke' && change.to?.role === 'admin' && !wasAdmin(change);
}

/** True when the change can lower the number of admins of its business. */
export function removesAdmin(change: Change): boolean {
  if (!wasAdmin(change)) return false;
  return change.action === 'revoke' || change.to?.role !== 'admin';
}

function wasAdmin(change: Change): boolean {
  const from = change.from;
  if (!from || from.state === 'deactivated') return false;
  const role = knownRoleOf(from.role);
  return role === 'admin' || role === 'owner';
}
