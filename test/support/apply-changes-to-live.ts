import { sha256Hex } from '../../src/canonical.js';
import { apiRoleOf, isPolicyRole } from '../../src/roles.js';
import {
  liveBusinessOf,
  memberFingerprint,
  type LiveMemberContent,
} from '../../src/sync/live-member.js';
import type { Change, LiveBusiness, LiveMember, LiveState, Plan } from '../../src/types.js';

/**
 * The live state FreshBooks should report once a plan's changes have all been applied: a pure
 * model of the three writes, for the planner's property tests (test-only: the applier checks
 * each write against a fresh read instead, see src/apply/target-state.ts).
 *
 * - grant to an absent person → a new pending invitation (uuid derived from business + email);
 * - grant to a deactivated member → the same record, re-invited (pending);
 * - change → same record and state, new role;
 * - revoke of an active member → deactivated; of a pending invitation → the invitation is gone.
 *
 * Planning again against the result finds no changes (the property the tests check).
 * Fingerprints are recomputed with the sync's own helpers, so the result is what a sync of the
 * applied business would report (timestamps aside).
 */
export function applyChangesToLive(live: LiveState, plan: Plan, now: Date): LiveState {
  const byBusiness = new Map<number, Change[]>();
  for (const business of plan.businesses) byBusiness.set(business.businessId, business.changes);
  return {
    ...live,
    businesses: live.businesses.map((business) => {
      const changes = byBusiness.get(business.businessId);
      return changes === undefined || changes.length === 0
        ? business
        : applyToBusiness(business, changes, now.toISOString());
    }),
  };
}

function applyToBusiness(
  business: LiveBusiness,
  changes: readonly Change[],
  at: string,
): LiveBusiness {
  const members = new Map<string, LiveMember | null>();
  for (const member of business.members) members.set(member.uuid, member);
  const invited: LiveMember[] = [];
  for (const change of changes) {
    const current = change.uuid === undefined ? undefined : members.get(change.uuid);
    if (change.action === 'grant' && change.to !== null && isPolicyRole(change.to.role)) {
      const role = change.to.role;
      const base = current ?? {
        uuid: plannedUuid(business.businessId, change.email),
        email: change.email,
        firstName: null,
        lastName: null,
        createdAt: at,
      };
      const member = withRole(
        { ...base, state: 'invited', identityId: null, invitationAcceptedAt: null, updatedAt: at },
        role,
      );
      if (current === undefined || current === null) invited.push(member);
      else members.set(member.uuid, member);
    } else if (
      change.action === 'change' &&
      current &&
      change.to !== null &&
      isPolicyRole(change.to.role)
    ) {
      members.set(current.uuid, withRole({ ...current, updatedAt: at }, change.to.role));
    } else if (change.action === 'revoke' && current) {
      members.set(
        current.uuid,
        current.state === 'invited'
          ? null
          : fingerprinted({ ...current, state: 'deactivated', updatedAt: at }),
      );
    }
  }
  const next = [...members.values()].filter((member): member is LiveMember => member !== null);
  next.push(...invited);
  return liveBusinessOf({
    businessId: business.businessId,
    name: business.name,
    accountId: business.accountId,
    members: next,
  });
}

function withRole(
  member: Omit<LiveMember, 'role' | 'apiRole' | 'fingerprint'>,
  role: Parameters<typeof apiRoleOf>[0],
): LiveMember {
  return fingerprinted({ ...member, role, apiRole: apiRoleOf(role) });
}

function plannedUuid(businessId: number, email: string): string {
  const hex = sha256Hex(`${businessId}:${email}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function fingerprinted(member: LiveMemberContent & { fingerprint?: string }): LiveMember {
  const { fingerprint: _stale, ...content } = member;
  return { ...content, fingerprint: memberFingerprint(content) };
}
