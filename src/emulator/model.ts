/**
 * The emulator's in-memory records. Field names mirror FreshBooks' wire names (snake_case) so
 * that seed ⇄ state ⇄ HTTP answers map one to one without a translation table.
 */
import { API_ROLE_BY_POLICY_ROLE } from '../roles.js';

/** `invited`: pending invitation; `deactivated`: removed (inactive, invitation accepted). */
export type EmulatorMemberState = 'active' | 'invited' | 'deactivated';
export const MEMBER_STATES: readonly EmulatorMemberState[] = ['active', 'invited', 'deactivated'];

/** The optional, free-text fields of a team member; FreshBooks sends them as string or null. */
export const PROFILE_FIELDS = [
  'first_name',
  'middle_name',
  'last_name',
  'job_title',
  'street_1',
  'street_2',
  'city',
  'province',
  'country',
  'postal_code',
  'phone_number',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type Profile = Record<ProfileField, string | null>;

export interface MemberRecord extends Profile {
  uuid: string;
  /** The membership (business group member) id: what users/me calls `business_memberships[].id`. */
  membership_id: number;
  business_id: number;
  email: string;
  /** API role name (`business_role_name`), verbatim: unknown roles are kept as they are. */
  role: string;
  state: EmulatorMemberState;
  identity_id: number | null;
  invitation_date_accepted: string | null;
  created_at: string;
  updated_at: string;
  /**
   * The identity a deactivated member had before a re-invitation cleared `identity_id`
   * (a pending invitation shows no identity); accepting the invitation restores it.
   */
  former_identity_id: number | null;
}

export interface AddressRecord {
  street: string | null;
  city: string | null;
  province: string | null;
  country: string | null;
  postal_code: string | null;
}

export interface BusinessRecord {
  id: number;
  business_uuid: string;
  name: string;
  account_id: string;
  date_format: string;
  timezone: string;
  address: AddressRecord;
  phone_number: string | null;
  /**
   * How many paid team-member seats the subscription has; null: no limit (the default). Not a
   * FreshBooks field (the API exposes no seat count): the emulator's model of the subscription.
   */
  seatLimit: number | null;
  /** Insertion order is list order (seed order, then invitations as they come). */
  members: MemberRecord[];
}

export interface IdentityRecord {
  id: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  created_at: string;
  /** Businesses this identity administers without a team row of its own (test seeds). */
  admin_of: number[];
}

export interface ClientRecord {
  client_id: string;
  client_secret: string;
  identity_id: number;
  redirect_uri: string;
  scope: string;
}

export const DEFAULT_SCOPE =
  'user:profile:read user:teams:read user:account:read user:teams:write user:account:write';
export const DEFAULT_REDIRECT_URI = 'https://localhost/rolecall/callback';

/** Roles that may manage a business's team (invite, change role, remove). */
export const MANAGER_ROLES: ReadonlySet<string> = new Set(['owner', 'business_partner']);

/** API roles an invitation or a role change may set (owner and client are not grantable). */
export const GRANTABLE_API_ROLES: ReadonlySet<string> = new Set(
  Object.values(API_ROLE_BY_POLICY_ROLE).filter((role) => role !== 'owner'),
);

/**
 * A role as a seed, an invitation (`capacity`) or a control call may give it: an API name, or
 * a short UI/policy name (`admin`, `manager`, …) which is mapped to its API name. Anything else
 * is kept verbatim, like FreshBooks keeps roles rolecall does not know.
 */
export function normalizeRole(input: string): string {
  const trimmed = input.trim();
  const short = trimmed.toLowerCase();
  if (short in API_ROLE_BY_POLICY_ROLE) {
    return API_ROLE_BY_POLICY_ROLE[short as keyof typeof API_ROLE_BY_POLICY_ROLE];
  }
  if (short === 'client') return 'client';
  return trimmed;
}

/** FreshBooks timestamps carry whole seconds: `2023-03-22T16:52:01Z`. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export function isEmail(value: string): boolean {
  return EMAIL.test(value.trim());
}
