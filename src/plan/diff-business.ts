import { roleRank } from '../roles.js';
import type {
  Action,
  BusinessPolicy,
  Change,
  ChangeCause,
  DesiredMember,
  LiveBusiness,
  LiveMember,
  MemberState,
  SourceRef,
  UnmanagedMember,
} from '../types.js';
import { displayExpiry, isExpired } from './expiry.js';

export interface BusinessDiff {
  /** Ordered by action (grant, change, revoke), then email. */
  changes: Change[];
  /** Live members rolecall reports but never touches, ordered by email then uuid. */
  unmanaged: UnmanagedMember[];
}

export const ACTION_ORDER: Readonly<Record<Action, number>> = { grant: 0, change: 1, revoke: 2 };

/** Deterministic change order: grant, change, revoke, then email (code-unit order, not locale). */
export function compareChanges(a: Change, b: Change): number {
  const byAction = ACTION_ORDER[a.action] - ACTION_ORDER[b.action];
  if (byAction !== 0) return byAction;
  return a.email < b.email ? -1 : a.email > b.email ? 1 : 0;
}

/** When one email has several records, the most alive one is the person rolecall manages. */
const STATE_PRIORITY: Readonly<Record<MemberState, number>> = {
  active: 2,
  invited: 1,
  deactivated: 0,
};

/**
 * The diff of one business: one `Change` per person, following the table in the README
 * ("Diff semantics"). O(n) in members apart from the final sort.
 *
 * Invariants:
 * - the owner (any email holding a live `owner` record) never appears in `changes`;
 * - a person is in at most one of `changes` and `unmanaged` (except duplicate records, below);
 * - a live member with a role rolecall does not know is changed only when the policy names them.
 */
export function diffBusiness(policy: BusinessPolicy, live: LiveBusiness, now: Date): BusinessDiff {
  const ownerEmails = new Set<string>();
  const liveByEmail = new Map<string, LiveMember>();
  const duplicates: LiveMember[] = [];
  for (const member of live.members) {
    if (member.role === 'owner') ownerEmails.add(member.email);
    const seen = liveByEmail.get(member.email);
    if (seen === undefined) {
      liveByEmail.set(member.email, member);
    } else if (
      STATE_PRIORITY[member.state] > STATE_PRIORITY[seen.state] ||
      (STATE_PRIORITY[member.state] === STATE_PRIORITY[seen.state] && member.uuid < seen.uuid)
    ) {
      duplicates.push(seen);
      liveByEmail.set(member.email, member);
    } else {
      duplicates.push(member);
    }
  }

  // One bucket per action, each sorted by email at the end: inputs arrive sorted by email, and
  // TimSort on already-sorted runs is linear, so the final order costs almost nothing.
  const byAction: Record<Action, Change[]> = { grant: [], change: [], revoke: [] };
  const changes = {
    push(change: Change): void {
      byAction[change.action].push(change);
    },
  };
  const unmanaged: UnmanagedMember[] = [];
  const listed = new Set<string>();

  for (const desired of policy.members) {
    listed.add(desired.email);
    // The owner is read-only in FreshBooks and always protected: never planned, whatever the
    // policy says about that email (validation reports a policy that lists the owner).
    if (ownerEmails.has(desired.email)) continue;
    const member = liveByEmail.get(desired.email);
    const present = member !== undefined && member.state !== 'deactivated';

    if (isExpired(desired, now)) {
      // Expired entries only ever take access away; absent or deactivated people have none.
      if (present) {
        changes.push(
          makeChange(policy, 'revoke', 'expired', desired, member, `expired ${expiryOf(desired)}`),
        );
      }
      continue;
    }
    if (member === undefined) {
      changes.push(
        makeChange(
          policy,
          'grant',
          'missing',
          desired,
          undefined,
          `in policy${via(desired)}, not in FreshBooks`,
        ),
      );
    } else if (member.state === 'deactivated') {
      changes.push(
        makeChange(
          policy,
          'grant',
          'reinvite',
          desired,
          member,
          `in policy${via(desired)}, deactivated in FreshBooks: re-invite`,
        ),
      );
    } else if (member.role !== desired.role) {
      // Covers a pending invitation with another role too: changing its role is cheaper and
      // quieter than revoking and re-inviting. A pending invitation with the right role is
      // already granted and is never re-sent.
      changes.push(
        makeChange(policy, 'change', 'role', desired, member, changeReason(desired, member)),
      );
    }
  }

  for (const member of liveByEmail.values()) {
    if (listed.has(member.email) || ownerEmails.has(member.email)) continue;
    if (member.state === 'deactivated') continue; // no access, nothing to take away
    if (member.role === null) {
      // A role rolecall does not know may be one FreshBooks added after this release, or one
      // that carries duties rolecall cannot see (time tracking, payroll, a partner firm's
      // access). Removing it because a policy did not mention it would act on a guess, so it is
      // reported verbatim and left alone, in both modes, until the policy names the person.
      unmanaged.push(unmanagedOf(member, 'role unknown to rolecall, not named by the policy'));
    } else if (policy.mode === 'additive') {
      unmanaged.push(unmanagedOf(member, 'not in policy (additive)'));
    } else {
      changes.push(
        makeChange(
          policy,
          'revoke',
          'unlisted',
          undefined,
          member,
          'not in policy (authoritative)',
        ),
      );
    }
  }

  // A second record for an email already planned: reported rather than silently dropped.
  for (const member of duplicates) {
    if (member.state === 'deactivated' || ownerEmails.has(member.email)) continue;
    const primary = liveByEmail.get(member.email);
    unmanaged.push(
      unmanagedOf(
        member,
        `duplicate FreshBooks record; rolecall manages uuid ${primary?.uuid ?? '?'}`,
      ),
    );
  }

  const ordered = [
    ...byAction.grant.sort(compareChanges),
    ...byAction.change.sort(compareChanges),
    ...byAction.revoke.sort(compareChanges),
  ];
  unmanaged.sort((a, b) =>
    a.email < b.email ? -1 : a.email > b.email ? 1 : a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0,
  );
  return { changes: ordered, unmanaged };
}

function makeChange(
  policy: BusinessPolicy,
  action: Action,
  cause: ChangeCause,
  desired: DesiredMember | undefined,
  member: LiveMember | undefined,
  reason: string,
): Change {
  // Keys are inserted in sorted order, optional ones only when present: the object is then its
  // own canonical JSON, which lets the plan digest use plain `JSON.stringify` (plan-digest.ts).
  // Optional fields are absent rather than `undefined` (exactOptionalPropertyTypes).
  const change = {} as Change;
  change.action = action;
  change.businessId = policy.businessId;
  change.cause = cause;
  if (action === 'change' && member !== undefined && desired !== undefined) {
    // Unknown roles rank lowest, so a change away from one is an upgrade: it runs early.
    change.direction = roleRank(desired.role) > roleRank(member.role) ? 'upgrade' : 'downgrade';
  }
  change.email = (desired?.email ?? member?.email) as string;
  if (desired?.expires !== undefined) change.expires = desired.expires;
  change.from =
    member === undefined ? null : { role: member.role ?? member.apiRole, state: member.state };
  if (desired?.reason !== undefined) change.policyReason = desired.reason;
  change.provisioning = policy.provisioning[action];
  change.reason = reason;
  if (desired !== undefined) change.source = sortedSource(desired.source);
  if (desired?.ticket !== undefined) change.ticket = desired.ticket;
  change.to = action === 'revoke' || desired === undefined ? null : { role: desired.role };
  if (member !== undefined) change.uuid = member.uuid;
  return change;
}

/** A policy position with its keys in canonical order (see `makeChange`). */
export function sortedSource(source: SourceRef): SourceRef {
  return { col: source.col, file: source.file, line: source.line };
}

function via(desired: DesiredMember): string {
  return desired.via.kind === 'team' ? ` via team ${desired.via.team}` : '';
}

function expiryOf(desired: DesiredMember): string {
  return desired.expires === undefined ? '' : displayExpiry(desired.expires);
}

function changeReason(desired: DesiredMember, member: LiveMember): string {
  const live =
    member.role === null ? `${member.apiRole} (a role unknown to rolecall)` : member.role;
  const what = member.state === 'invited' ? 'pending invitation as' : 'FreshBooks has';
  return `${what} ${live}, policy${via(desired)} says ${desired.role}`;
}

function unmanagedOf(member: LiveMember, reason: string): UnmanagedMember {
  // Keys in canonical order, like `makeChange`.
  return {
    email: member.email,
    reason,
    role: member.role ?? member.apiRole,
    state: member.state,
    uuid: member.uuid,
  };
}
