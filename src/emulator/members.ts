/**
 * Team-row state transitions, shared by the API write routes and the out-of-band control.
 * Invariants kept here: at most one row per email in a business (case-insensitive), at most
 * one owner, the owner is never changed or removed through the API, and the three states read
 * exactly as the contract says (pending: inactive, no identity, not accepted; deactivated:
 * inactive, accepted).
 */
import { randomUUID } from 'node:crypto';
import {
  GRANTABLE_API_ROLES,
  PROFILE_FIELDS,
  isEmail,
  isoSeconds,
  normalizeEmail,
  normalizeRole,
  type BusinessRecord,
  type EmulatorMemberState,
  type MemberRecord,
  type ProfileField,
} from './model.js';
import { SEAT_LIMIT_MESSAGE, hasFreeSeat, holdsPaidSeat, isPaidApiRole } from './seats.js';
import type { EmulatorState } from './state.js';

/** `seat_limit`: the write would take a paid seat and none is free (see seats.ts). */
export type MemberErrorKind = 'not_found' | 'owner' | 'invalid' | 'conflict' | 'seat_limit';

export class MemberOpError extends Error {
  constructor(
    readonly kind: MemberErrorKind,
    message: string,
    /** The offending field, for the error body. */
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'MemberOpError';
  }
}

export function businessOf(state: EmulatorState, businessId: number): BusinessRecord {
  const business = state.business(businessId);
  if (!business) throw new MemberOpError('not_found', `no business ${businessId}`, 'business_id');
  return business;
}

export function memberOf(state: EmulatorState, businessId: number, uuid: string): MemberRecord {
  const member = businessOf(state, businessId).members.find((m) => m.uuid === uuid);
  if (!member)
    throw new MemberOpError(
      'not_found',
      `no team member ${uuid} in business ${businessId}`,
      'uuid',
    );
  return member;
}

function grantableRole(input: unknown, field: string): string {
  const role = typeof input === 'string' ? normalizeRole(input) : '';
  if (!GRANTABLE_API_ROLES.has(role)) {
    throw new MemberOpError(
      'invalid',
      `${field} ${JSON.stringify(input ?? null)} is not a valid role`,
      field,
    );
  }
  return role;
}

/** Moves a row to `next`, keeping the fields that define a state consistent with it. */
export function setMemberState(
  state: EmulatorState,
  member: MemberRecord,
  next: EmulatorMemberState,
  now: Date,
): void {
  const stamp = isoSeconds(now);
  // Whoever signs in with the row's email is the person behind it (see EmulatorState.identityIdFor).
  const known = state.identityByEmail(member.email)?.id ?? member.former_identity_id;
  if (next === 'active') {
    member.identity_id ??= known ?? state.newIdentityId();
    member.invitation_date_accepted ??= stamp;
    member.former_identity_id = null;
  } else if (next === 'invited') {
    member.former_identity_id = member.identity_id ?? member.former_identity_id;
    member.identity_id = null;
    member.invitation_date_accepted = null;
  } else {
    member.identity_id ??= known;
    member.former_identity_id = null;
    member.invitation_date_accepted ??= stamp;
  }
  member.state = next;
  member.updated_at = stamp;
}

/** Refuses a write that would take a paid seat when the business has none free. */
function requireFreeSeat(business: BusinessRecord, field: string): void {
  if (!hasFreeSeat(business)) throw new MemberOpError('seat_limit', SEAT_LIMIT_MESSAGE, field);
}

/**
 * `POST /auth/api/v1/users/invitation`. A new email becomes a pending member; a deactivated
 * member's email is re-invited (same uuid, pending again, new role). An email that is already
 * active, pending or a client of the business is refused, so a retried invitation never
 * creates a duplicate. An invitation with a paid role needs a free paid seat (a pending
 * invitation holds its seat); without one it is refused and nothing is created.
 */
export function inviteMember(
  state: EmulatorState,
  businessId: number,
  emailInput: unknown,
  capacity: unknown,
  now: Date,
): MemberRecord {
  const business = businessOf(state, businessId);
  if (typeof emailInput !== 'string' || !isEmail(emailInput)) {
    throw new MemberOpError('invalid', 'To email is not a valid email address', 'to_email');
  }
  const role = grantableRole(capacity, 'capacity');
  const email = normalizeEmail(emailInput);
  const existing = business.members.find((m) => m.email === email);
  if (existing) {
    if (existing.state !== 'deactivated' || existing.role === 'client') {
      const why =
        existing.role === 'client'
          ? 'belongs to a client of this business'
          : existing.state === 'invited'
            ? 'has already been invited'
            : 'is already a member of this business';
      throw new MemberOpError('conflict', `To email ${why}`, 'to_email');
    }
    if (isPaidApiRole(role)) requireFreeSeat(business, 'capacity');
    existing.role = role;
    setMemberState(state, existing, 'invited', now);
    return existing;
  }
  if (isPaidApiRole(role)) requireFreeSeat(business, 'capacity');
  const stamp = isoSeconds(now);
  const member = newRow(state, business, email, role, stamp);
  business.members.push(member);
  return member;
}

export function newRow(
  state: EmulatorState,
  business: BusinessRecord,
  email: string,
  role: string,
  stamp: string,
): MemberRecord {
  return {
    // A fresh random uuid, like FreshBooks; stable uuids are only for seeds that give none.
    uuid: randomUUID(),
    membership_id: state.newMembershipId(),
    business_id: business.id,
    email,
    role,
    state: 'invited',
    identity_id: null,
    invitation_date_accepted: null,
    created_at: stamp,
    updated_at: stamp,
    former_identity_id: null,
    ...(Object.fromEntries(PROFILE_FIELDS.map((f) => [f, null])) as Record<ProfileField, null>),
  };
}

/**
 * `PUT …/team_members/{uuid}` with `{"team_member":{"business_role_name":…}}`. A change that
 * makes a member use a paid seat it did not use (Unassigned → a paid role) needs a free one;
 * paid → paid, → Unassigned, and any change of a deactivated member (who uses no seat) do not.
 */
export function changeMemberRole(
  state: EmulatorState,
  businessId: number,
  uuid: string,
  roleInput: unknown,
  now: Date,
): MemberRecord {
  const member = memberOf(state, businessId, uuid);
  if (member.role === 'owner') throw new MemberOpError('owner', 'the owner cannot be changed');
  if (member.role === 'client') {
    throw new MemberOpError(
      'invalid',
      'Business role name cannot be set on a client',
      'business_role_name',
    );
  }
  if (typeof roleInput !== 'string' || !GRANTABLE_API_ROLES.has(roleInput)) {
    throw new MemberOpError(
      'invalid',
      `Business role name ${JSON.stringify(roleInput ?? null)} is not a valid role`,
      'business_role_name',
    );
  }
  const takesSeat = !holdsPaidSeat(member) && holdsPaidSeat({ ...member, role: roleInput });
  if (takesSeat) requireFreeSeat(businessOf(state, businessId), 'business_role_name');
  member.role = roleInput;
  member.updated_at = isoSeconds(now);
  return member;
}

export type RemoveOutcome = 'deactivated' | 'cancelled' | 'unchanged';

/**
 * `DELETE …/team_members/{uuid}`. An active member becomes deactivated (listed as inactive
 * with an accepted invitation); a pending invitation is cancelled and disappears from the
 * list; removing a deactivated member again changes nothing (so a retry is harmless).
 */
export function removeMember(
  state: EmulatorState,
  businessId: number,
  uuid: string,
  now: Date,
): RemoveOutcome {
  const business = businessOf(state, businessId);
  const member = memberOf(state, businessId, uuid);
  if (member.role === 'owner') throw new MemberOpError('owner', 'the owner cannot be removed');
  if (member.state === 'deactivated') return 'unchanged';
  if (member.state === 'invited') {
    business.members.splice(business.members.indexOf(member), 1);
    return 'cancelled';
  }
  setMemberState(state, member, 'deactivated', now);
  return 'deactivated';
}
