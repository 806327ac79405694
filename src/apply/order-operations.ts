import { roleRank, policyRoleOf, isPolicyRole } from '../roles.js';
import type { KnownRole } from '../roles.js';
import type { Change } from '../types.js';

/**
 * The apply order. Phase 1 adds access (grants, upgrades), phase 2 lowers it (downgrades),
 * phase 3 removes it (revokes). Phases run strictly one after the other; within a phase the
 * operations are independent (one change per person and business), so they may run
 * concurrently. Invariant: the number of admins only grows during phase 1 and only shrinks
 * during phases 2 and 3, so at no moment is it below min(before, after) — a plan whose end
 * state satisfies `minAdmins` never passes through a state that violates it.
 */
export type Phase = 1 | 2 | 3;

export const PHASE_NAMES: Readonly<Record<Phase, string>> = {
  1: 'grants and upgrades',
  2: 'downgrades',
  3: 'revokes',
};

export interface Operation {
  /** Stable within a plan: `<businessId>/<email>/<action>` (one change per person and business). */
  key: string;
  phase: Phase;
  change: Change;
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

export function phaseOf(change: Change): Phase {
  if (change.action === 'grant') return 1;
  if (change.action === 'revoke') return 3;
  return directionOf(change) === 'upgrade' ? 1 : 2;
}

/**
 * Groups changes into the three phases, each in the plan's own (deterministic) order.
 * Returns exactly three arrays, some possibly empty.
 */
export function orderOperations(
  changes: readonly Change[],
): [Operation[], Operation[], Operation[]] {
  const phases: [Operation[], Operation[], Operation[]] = [[], [], []];
  for (const change of changes) {
    const phase = phaseOf(change);
    const op: Operation = { key: operationKey(change), phase, change };
    if (phase === 1) phases[0].push(op);
    else if (phase === 2) phases[1].push(op);
    else phases[2].push(op);
  }
  return phases;
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
