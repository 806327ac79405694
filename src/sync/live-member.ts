import { digestOf } from '../canonical.js';
import type { TeamMemberRecord } from '../ports.js';
import { policyRoleOf } from '../roles.js';
import type { LiveBusiness, LiveMember, MemberState } from '../types.js';

/** Emails are compared trimmed and lower-case everywhere in rolecall. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The state of a member, per the contract (`freshbooks-api.md`, "States of a member"):
 * active when `active`; a pending invitation when inactive with neither an identity nor an
 * accepted invitation; otherwise deactivated (removed).
 */
export function memberStateOf(
  record: Pick<TeamMemberRecord, 'active' | 'identityId' | 'invitationDateAccepted'>,
): MemberState {
  if (record.active) return 'active';
  if (record.identityId === null && record.invitationDateAccepted === null) return 'invited';
  return 'deactivated';
}

/** Everything of a member except its fingerprint. */
export type LiveMemberContent = Omit<LiveMember, 'fingerprint'>;

/** sha256 of the canonical JSON of every other field of the member. */
export function memberFingerprint(content: LiveMemberContent): string {
  // Written in canonical (sorted) key order, so canonicalJson can hand it to JSON.stringify:
  // this runs for every member of every business on each sync.
  return digestOf({
    apiRole: content.apiRole,
    createdAt: content.createdAt,
    email: content.email,
    firstName: content.firstName,
    identityId: content.identityId,
    invitationAcceptedAt: content.invitationAcceptedAt,
    lastName: content.lastName,
    role: content.role,
    state: content.state,
    updatedAt: content.updatedAt,
    uuid: content.uuid,
  });
}

export function liveMemberOf(record: TeamMemberRecord): LiveMember {
  const content: LiveMemberContent = {
    uuid: record.uuid,
    email: normalizeEmail(record.email),
    apiRole: record.apiRole,
    role: policyRoleOf(record.apiRole),
    state: memberStateOf(record),
    identityId: record.identityId,
    invitationAcceptedAt: record.invitationDateAccepted,
    firstName: record.firstName,
    lastName: record.lastName,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
  return { ...content, fingerprint: memberFingerprint(content) };
}

/** Members sort by email, then uuid: the same team always serialises the same way. */
export function compareMembers(a: LiveMember, b: LiveMember): number {
  if (a.email !== b.email) return a.email < b.email ? -1 : 1;
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}

/**
 * sha256 over the business id and every member fingerprint (in member order). Name and account
 * id are deliberately out: renaming a business does not make a plan stale.
 */
export function businessFingerprint(businessId: number, members: readonly LiveMember[]): string {
  return digestOf({ businessId, members: members.map((m) => m.fingerprint) });
}

/** Assembles a business from its members: sorted, unknown roles listed, fingerprinted. */
export function liveBusinessOf(input: {
  businessId: number;
  name: string;
  accountId: string | null;
  members: LiveMember[];
}): LiveBusiness {
  const members = [...input.members].sort(compareMembers);
  const unknownRoles = [
    ...new Set(members.filter((m) => m.role === null).map((m) => m.apiRole)),
  ].sort();
  return {
    businessId: input.businessId,
    name: input.name,
    accountId: input.accountId,
    members,
    unknownRoles,
    fingerprint: businessFingerprint(input.businessId, members),
  };
}
