/**
 * One drift item from one fact: a change of the refresh-only plan, an unmanaged member, a
 * stale invitation, an open manual task, a grant about to end. Words live here so that every
 * renderer says the same thing; none of them depends on `now` (see `DriftItem.message`).
 */
import { describeTask, whereInFreshBooks, type ManualTask } from '../apply/records.js';
import { displayExpiry } from '../plan/expiry.js';
import { isKnownRoleName } from '../plan/describe.js';
import { isPrivilegedRole, roleRank, type KnownRole } from '../roles.js';
import type { Change, DesiredMember, LiveMember, UnmanagedMember } from '../types.js';
import type {
  DriftClass,
  DriftDesired,
  DriftItem,
  DriftLive,
  DriftSeverity,
} from './drift-report.js';

const DAY_MS = 86_400_000;

/** `RoleState.role` holds rolecall's name for a known role, the verbatim API name otherwise. */
function knownRole(role: string): KnownRole | null {
  return isKnownRoleName(role) ? (role as KnownRole) : null;
}

/** "employee", or "time_tracking_admin (a role unknown to rolecall)". */
function roleWords(role: string): string {
  return knownRole(role) === null ? `${role} (a role unknown to rolecall)` : role;
}

function via(desired: DesiredMember | undefined): string {
  return desired?.via.kind === 'team' ? ` via team ${desired.via.team}` : '';
}

function desiredOf(member: DesiredMember): DriftDesired {
  const desired: DriftDesired = { role: member.role };
  if (member.expires !== undefined) desired.expires = member.expires;
  if (member.reason !== undefined) desired.reason = member.reason;
  if (member.ticket !== undefined) desired.ticket = member.ticket;
  return desired;
}

function liveOf(member: Pick<LiveMember, 'uuid' | 'state'> & { role: string }): DriftLive {
  return { uuid: member.uuid, role: member.role, state: member.state };
}

function liveOfChange(change: Change): DriftLive | null {
  if (change.from === null || change.uuid === undefined) return null;
  return { uuid: change.uuid, role: change.from.role, state: change.from.state };
}

/** Access nobody granted: worst when it can see the books or run the business. */
function excessSeverity(role: string): DriftSeverity {
  const known = knownRole(role);
  return known === null || isPrivilegedRole(known) ? 'high' : 'medium';
}

function item(klass: DriftClass, fields: Omit<DriftItem, 'key' | 'class' | 'drift'>): DriftItem {
  return {
    key: `${fields.businessId}:${klass}:${fields.email}`,
    class: klass,
    drift: klass !== 'expiring-soon',
    ...fields,
  };
}

function base(change: Change, desired: DesiredMember | undefined) {
  return {
    businessId: change.businessId,
    email: change.email,
    live: liveOfChange(change),
    desired: desired === undefined ? null : desiredOf(desired),
    ...(change.source === undefined ? {} : { source: change.source }),
    ...(change.cause === undefined ? {} : { cause: change.cause }),
  };
}

/**
 * A change of the refresh-only plan, classified by its cause. `putInPlaceAt` is when the
 * journal last saw rolecall put the person in place (evidence that "missing" was removed by
 * hand rather than never applied).
 */
export function itemOfChange(
  change: Change,
  desired: DesiredMember | undefined,
  putInPlaceAt: string | undefined,
  unconfirmed?: { at: string; unlisted: boolean },
): DriftItem {
  const item = classifiedChange(change, desired, putInPlaceAt);
  if (unconfirmed === undefined) return item;
  return { ...item, message: `${item.message}; ${unconfirmedWords(change, unconfirmed)}` };
}

/** What the journal says of rolecall's last attempt at this very change. */
function unconfirmedWords(change: Change, write: { at: string; unlisted: boolean }): string {
  const day = write.at.slice(0, 10);
  if (write.unlisted) {
    return `rolecall sent an invitation on ${day} that FreshBooks does not list: it may be pending (FreshBooks may not list pending invitations)`;
  }
  const what =
    change.action === 'grant'
      ? 'invitation'
      : change.action === 'change'
        ? 'role change'
        : 'removal';
  return `FreshBooks accepted rolecall's ${what} on ${day} but did not show it (unconfirmed)`;
}

function classifiedChange(
  change: Change,
  desired: DesiredMember | undefined,
  putInPlaceAt: string | undefined,
): DriftItem {
  const fields = base(change, desired);
  const from = fields.live;
  const to = change.to?.role ?? desired?.role ?? '?';
  switch (change.cause) {
    case 'unlisted':
      return item('unmanaged', {
        ...fields,
        severity: excessSeverity(from?.role ?? ''),
        message: 'not in the policy (authoritative): granted outside rolecall',
      });
    case 'expired':
      return item('expired-active', {
        ...fields,
        severity: 'high',
        message: `grant expired ${displayExpiry(change.expires ?? '')}, still ${
          from?.state === 'invited' ? 'a pending invitation as' : 'active as'
        } ${roleWords(from?.role ?? '?')} in FreshBooks`,
      });
    case 'role': {
      const fromKnown = knownRole(from?.role ?? '');
      const severity: DriftSeverity =
        fromKnown === null
          ? 'medium'
          : roleRank(fromKnown) > roleRank(change.to?.role ?? null)
            ? 'high'
            : 'low';
      return item('role-mismatch', {
        ...fields,
        severity,
        message: `${from?.state === 'invited' ? 'pending invitation as' : 'FreshBooks has'} ${roleWords(
          from?.role ?? '?',
        )}, the policy${via(desired)} says ${to}`,
      });
    }
    case 'reinvite':
      return item('missing', {
        ...fields,
        severity: 'low',
        message: `in the policy${via(desired)} as ${to}, deactivated in FreshBooks: removed by hand`,
      });
    default: {
      const evidence =
        putInPlaceAt === undefined
          ? 'never applied, or removed by hand: no apply journal here shows it in place'
          : `the apply of ${putInPlaceAt.slice(0, 10)} had it in place, so it was removed by hand since`;
      return item('missing', {
        ...fields,
        severity: 'low',
        message: `in the policy${via(desired)} as ${to}, not in FreshBooks: ${evidence}`,
      });
    }
  }
}

/** A change a human was asked to make in FreshBooks (the journal's manual task), not made yet. */
export function itemOfManualTask(
  change: Change,
  desired: DesiredMember | undefined,
  task: ManualTask,
  at: string,
): DriftItem {
  const fields = base(change, desired);
  const from = knownRole(task.from?.role ?? '');
  const takesAway =
    task.action === 'revoke' ||
    (task.action === 'change' && roleRank(from) > roleRank(task.to?.role ?? null));
  const when = at === '' ? '' : ` since ${at.slice(0, 10)}`;
  return item('manual-task', {
    ...fields,
    severity: takesAway ? 'high' : 'low',
    message: `manual task${when}: ${describeTask(task)} (${task.why}); in FreshBooks: ${whereInFreshBooks(task)}`,
    ...(at === '' ? {} : { since: at }),
  });
}

/** A member the diff reports but never touches (unknown role, duplicate record). */
export function itemOfUnmanaged(
  businessId: number,
  member: UnmanagedMember,
  desired: DesiredMember | undefined,
): DriftItem {
  const reason = member.reason ?? 'not in the policy';
  return item('unmanaged', {
    businessId,
    email: member.email,
    severity: excessSeverity(member.role),
    live: liveOf(member),
    desired: desired === undefined ? null : desiredOf(desired),
    message:
      knownRole(member.role) === null
        ? `${reason}: rolecall never removes a role it does not know; remove it in FreshBooks, or name the person in the policy`
        : reason,
    ...(desired === undefined ? {} : { source: desired.source }),
  });
}

/** An invitation sent more than `days` days ago and still not accepted. */
export function itemOfPendingInvitation(
  businessId: number,
  member: LiveMember,
  since: string,
  desired: DesiredMember,
  days: number,
): DriftItem {
  return item('pending-invitation', {
    businessId,
    email: member.email,
    severity: 'low',
    live: liveOf({ uuid: member.uuid, state: member.state, role: member.role ?? member.apiRole }),
    desired: desiredOf(desired),
    message: `invited as ${roleWords(member.role ?? member.apiRole)} on ${since.slice(0, 10)}, still not accepted more than ${days} days later: resend the invitation in FreshBooks, or remove the entry from the policy`,
    source: desired.source,
    since,
  });
}

/** A time-bound grant that ends within the reminder window: a reminder, not drift. */
export function itemOfExpiringSoon(
  businessId: number,
  desired: DesiredMember & { expires: string },
  live: LiveMember | undefined,
): DriftItem {
  const ms = Date.parse(desired.expires);
  const end =
    ms % DAY_MS === 0
      ? `valid through ${displayExpiry(desired.expires)}`
      : `expires at ${displayExpiry(desired.expires)}`;
  return item('expiring-soon', {
    businessId,
    email: desired.email,
    severity: 'info',
    live:
      live === undefined
        ? null
        : liveOf({ uuid: live.uuid, state: live.state, role: live.role ?? live.apiRole }),
    desired: desiredOf(desired),
    message: `${desired.role} grant ${end}; rolecall revokes it then, unless a pull request extends it`,
    source: desired.source,
    since: desired.expires,
  });
}

/**
 * More paid seats in use than the policy's limit: the limit is out of date, or someone granted
 * access outside rolecall. The message names the limit but not the count (that is in `seats`),
 * so the drift issue stays as it is while the business stays over the limit.
 */
export function itemOfSeatsOverLimit(businessId: number, used: number, limit: number): DriftItem {
  return {
    key: `${businessId}:seats-over-limit`,
    class: 'seats-over-limit',
    drift: true,
    businessId,
    email: '',
    severity: 'medium',
    live: null,
    desired: null,
    message: `more paid seats in use in FreshBooks than the policy's seats.limit of ${limit}: raise seats.limit if the subscription has more seats, or remove the access granted outside rolecall; until then the seats guard refuses every plan that adds a paid seat`,
    seats: { used, limit },
  };
}
