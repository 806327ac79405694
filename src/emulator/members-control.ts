/**
 * Out-of-band member changes (the control API): add a row in any state, change one behind
 * rolecall's back, accept an invitation. Looser than the API writes (any role, unknown ones
 * too), but the invariants of members.ts still hold: one row per email, one active owner.
 */
import { MemberOpError, businessOf, memberOf, newRow, setMemberState } from './members.js';
import {
  isEmail,
  isoSeconds,
  normalizeEmail,
  normalizeRole,
  type BusinessRecord,
  type EmulatorMemberState,
  type MemberRecord,
} from './model.js';
import type { EmulatorState } from './state.js';

export interface AddMemberInput {
  email: unknown;
  role: unknown;
  state?: unknown;
  first_name?: unknown;
  last_name?: unknown;
}

function parseState(input: unknown): EmulatorMemberState {
  if (input === 'active' || input === 'invited' || input === 'deactivated') return input;
  throw new MemberOpError('invalid', `state must be active, invited or deactivated`, 'state');
}

function parseAnyRole(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new MemberOpError('invalid', 'role must be a non-empty string', 'role');
  }
  return normalizeRole(input);
}

function ensureSingleOwner(business: BusinessRecord, role: string, except?: MemberRecord): void {
  if (role === 'owner' && business.members.some((m) => m.role === 'owner' && m !== except)) {
    throw new MemberOpError('conflict', `business ${business.id} already has an owner`, 'role');
  }
}

function optionalName(input: unknown, field: string): string | null {
  if (input === undefined || input === null) return null;
  if (typeof input === 'string') return input;
  throw new MemberOpError('invalid', `${field} must be a string`, field);
}

/** Control: add a row directly, in any state and with any role (unknown ones too). */
export function addMember(
  state: EmulatorState,
  businessId: number,
  input: AddMemberInput,
  now: Date,
): MemberRecord {
  const business = businessOf(state, businessId);
  if (typeof input.email !== 'string' || !isEmail(input.email)) {
    throw new MemberOpError('invalid', 'email must be an email address', 'email');
  }
  const email = normalizeEmail(input.email);
  if (business.members.some((m) => m.email === email)) {
    throw new MemberOpError('conflict', `${email} is already in business ${businessId}`, 'email');
  }
  const role = parseAnyRole(input.role);
  const target = input.state === undefined ? 'active' : parseState(input.state);
  ensureSingleOwner(business, role);
  if (role === 'owner' && target !== 'active')
    throw new MemberOpError('invalid', 'the owner is always active', 'state');
  const member = newRow(state, business, email, role, isoSeconds(now));
  member.first_name = optionalName(input.first_name, 'first_name');
  member.last_name = optionalName(input.last_name, 'last_name');
  if (target !== 'invited') setMemberState(state, member, target, now);
  business.members.push(member);
  return member;
}

export interface PatchMemberInput {
  role?: unknown;
  state?: unknown;
  email?: unknown;
}

/** Control: change a row behind rolecall's back (drift). The owner rule still holds. */
export function patchMember(
  state: EmulatorState,
  businessId: number,
  uuid: string,
  patch: PatchMemberInput,
  now: Date,
): MemberRecord {
  const business = businessOf(state, businessId);
  const member = memberOf(state, businessId, uuid);
  const role = patch.role === undefined ? member.role : parseAnyRole(patch.role);
  const next = patch.state === undefined ? member.state : parseState(patch.state);
  ensureSingleOwner(business, role, member);
  if (role === 'owner' && next !== 'active')
    throw new MemberOpError('invalid', 'the owner is always active', 'state');
  if (patch.email !== undefined) {
    if (typeof patch.email !== 'string' || !isEmail(patch.email)) {
      throw new MemberOpError('invalid', 'email must be an email address', 'email');
    }
    const email = normalizeEmail(patch.email);
    if (business.members.some((m) => m.email === email && m !== member)) {
      throw new MemberOpError('conflict', `${email} is already in business ${businessId}`, 'email');
    }
    member.email = email;
    // The row now belongs to whoever signs in with that email, as a seed row would.
    const identity = state.identityByEmail(email);
    if (identity && member.identity_id !== null) member.identity_id = identity.id;
  }
  member.role = role;
  if (next !== member.state) setMemberState(state, member, next, now);
  member.updated_at = isoSeconds(now);
  return member;
}

/** Control: the invitee accepts (pending → active, with an identity). */
export function acceptInvitation(
  state: EmulatorState,
  businessId: number,
  uuid: string,
  now: Date,
): MemberRecord {
  const member = memberOf(state, businessId, uuid);
  if (member.state !== 'invited') {
    throw new MemberOpError(
      'conflict',
      `team member ${uuid} has no pending invitation (it is ${member.state})`,
      'state',
    );
  }
  setMemberState(state, member, 'active', now);
  return member;
}
