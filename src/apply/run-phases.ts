import type { Change } from '../types.js';
import type { AppliedOperation } from './records.js';
import type { OperationHistory } from './journal.js';
import { isSettled } from './journal.js';
import {
  FIRST_ADMIN_REMOVAL_PHASE,
  addsAdmin,
  orderOperations,
  removesAdmin,
  type Operation,
  type PaidRolesByBusiness,
} from './order-operations.js';

/**
 * Runs the phases (seat releases, grants and upgrades, downgrades, revokes: see
 * order-operations.ts; `paidRoles` tells which changes free a seat) strictly one after the
 * other, each with at most `limit` operations in flight. A thrown error (a simulated crash, a
 * journal that cannot be written) stops new operations from starting, lets the ones in flight
 * finish, and is rethrown. Once `stop` answers true (Ctrl-C), no operation starts either, and
 * the results so far come back. Results come back in phase order.
 */
export async function runPhases(
  changes: readonly Change[],
  paidRoles: PaidRolesByBusiness,
  limit: number,
  run: (op: Operation, done: ReadonlyMap<string, AppliedOperation>) => Promise<AppliedOperation>,
  stop: () => boolean = () => false,
): Promise<AppliedOperation[]> {
  const results = new Map<string, AppliedOperation>();
  const ordered: AppliedOperation[] = [];
  for (const phase of orderOperations(changes, paidRoles)) {
    if (stop()) break;
    let next = 0;
    let failure: { error: unknown } | undefined;
    const lane = async () => {
      while (failure === undefined && next < phase.length && !stop()) {
        const op = phase[next];
        next += 1;
        if (!op) break;
        try {
          results.set(op.key, await run(op, results));
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, phase.length)) }, lane));
    if (failure) throw failure.error;
    for (const op of phase) {
      const result = results.get(op.key);
      if (result) ordered.push(result);
    }
  }
  return ordered;
}

/**
 * An admin grant or upgrade that did not complete means a later downgrade or revoke of an
 * admin in the same business could leave it below `minAdmins`: such an operation is not
 * attempted this run (reported `failed`; the next run retries it). Returns why, or null.
 */
export function adminRemovalBlocked(
  op: Operation,
  results: ReadonlyMap<string, AppliedOperation>,
  changes: ReadonlyMap<string, Change>,
  history: OperationHistory | undefined,
): string | null {
  // Every admin grant and upgrade runs in an earlier phase than any admin removal.
  if (op.phase < FIRST_ADMIN_REMOVAL_PHASE || !removesAdmin(op.change) || isSettled(history))
    return null;
  for (const [key, result] of results) {
    const change = changes.get(key);
    if (!change || change.businessId !== op.change.businessId) continue;
    if (addsAdmin(change) && result.outcome !== 'applied' && result.outcome !== 'already') {
      return `not attempted: the admin ${result.action} for ${result.email} did not complete, and removing an admin now could leave too few (minAdmins)`;
    }
  }
  return null;
}
