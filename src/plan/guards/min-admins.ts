import { isAdminRole, isPolicyRole } from '../../roles.js';
import type { LiveMember } from '../../types.js';
import { describeChangeShort } from '../describe.js';
import { listSome, plural, type GuardInput, type GuardVerdict } from './guard-input.js';

/**
 * `minAdmins`: the owner plus the admins left after the plan must be at least
 * `rules.minAdmins`.
 *
 * Only *active* members count. A pending admin invitation cannot manage anything until it is
 * accepted, and it may never be; counting it would let a plan trade the last working admin for
 * an unanswered e-mail. Grants therefore never add to the count (they create invitations).
 *
 * A business already below the minimum is not held hostage: the guard fails only when the plan
 * itself takes an admin away while the result is below the minimum, so the plan that fixes an
 * under-staffed business (by inviting admins) can still be applied.
 */
export function minAdminsGuard(input: GuardInput): GuardVerdict {
  const minimum = input.rules.minAdmins;
  // The members the plan changes, by uuid (filled in below: a few of the whole team).
  const byUuid = new Map<string, LiveMember | undefined>();
  for (const change of input.changes)
    if (change.uuid !== undefined) byUuid.set(change.uuid, undefined);
  let owners = 0;
  let admins = 0;
  for (const member of input.live.members) {
    if (byUuid.has(member.uuid)) byUuid.set(member.uuid, member);
    if (member.state !== 'active') continue;
    if (member.role === 'owner') owners += 1;
    else if (member.role === 'admin') admins += 1;
  }
  const before = owners + admins;

  let after = before;
  const takenAway: string[] = [];
  let pendingAdmins = 0;
  for (const change of input.changes) {
    const member = change.uuid === undefined ? undefined : byUuid.get(change.uuid);
    const becomesAdmin =
      change.to !== null && isPolicyRole(change.to.role) && isAdminRole(change.to.role);
    if (member === undefined || member.state !== 'active') {
      if (becomesAdmin) pendingAdmins += 1;
      continue;
    }
    const wasAdmin = isAdminRole(member.role);
    const staysAdmin = change.action === 'change' && becomesAdmin;
    if (wasAdmin && !staysAdmin) {
      after -= 1;
      takenAway.push(`${change.email} (${describeChangeShort(change)})`);
    } else if (!wasAdmin && staysAdmin) {
      after += 1;
    }
  }

  const counted = `${plural(after, 'active admin')} (owner included) after this plan`;
  const pending =
    pendingAdmins === 0
      ? ''
      : `; ${plural(pendingAdmins, 'admin invitation')} not counted until accepted`;
  if (after >= minimum) {
    return { guard: 'minAdmins', ok: true, message: `${counted}, minimum ${minimum}${pending}` };
  }
  if (after >= before) {
    return {
      guard: 'minAdmins',
      ok: true,
      message: `${counted}, below the minimum of ${minimum} already; this plan takes no admin away${pending}`,
    };
  }
  return {
    guard: 'minAdmins',
    ok: false,
    message: `${counted}, minimum ${minimum}; taken away: ${listSome(takenAway)}${pending}`,
  };
}
