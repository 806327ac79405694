/**
 * JSON bodies exactly as FreshBooks shapes them (keys, nesting, types and key order of the
 * published samples in test/fixtures/freshbooks/). Pure functions of the records.
 */
import type { BusinessRecord, IdentityRecord, MemberRecord } from './model.js';
import type { Membership } from './state.js';

/** A TeamMember exactly as FreshBooks sends it (`GET …/team_members`). */
export interface TeamMemberJson {
  uuid: string;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  email: string;
  job_title: string | null;
  street_1: string | null;
  street_2: string | null;
  city: string | null;
  province: string | null;
  country: string | null;
  postal_code: string | null;
  phone_number: string | null;
  business_id: number;
  business_role_name: string;
  active: boolean;
  identity_id: number | null;
  invitation_date_accepted: string | null;
  created_at: string;
  updated_at: string;
}

export function teamMemberJson(m: MemberRecord): TeamMemberJson {
  return {
    uuid: m.uuid,
    first_name: m.first_name,
    middle_name: m.middle_name,
    last_name: m.last_name,
    email: m.email,
    job_title: m.job_title,
    street_1: m.street_1,
    street_2: m.street_2,
    city: m.city,
    province: m.province,
    country: m.country,
    postal_code: m.postal_code,
    phone_number: m.phone_number,
    business_id: m.business_id,
    business_role_name: m.role,
    active: m.state === 'active',
    identity_id: m.identity_id,
    invitation_date_accepted: m.invitation_date_accepted,
    created_at: m.created_at,
    updated_at: m.updated_at,
  };
}

// ───────────────────────────── errors ─────────────────────────────

/** Auth-service (OAuth and identity) error shape: `{error, error_description}`. */
export function authError(error: string, description: string): Record<string, string> {
  return { error, error_description: description };
}

export const UNAUTHENTICATED = authError(
  'unauthenticated',
  'This action requires authentication to continue.',
);

/** Accounting-family error shape: `{"response":{"errors":[{errno, field, message, object, value}]}}`. */
export function accountingError(
  errno: number,
  message: string,
  field: string | null = null,
  object: string | null = null,
  value: string | null = null,
): Record<string, unknown> {
  return { response: { errors: [{ errno, field, message, object, value }] } };
}

/** The published 403 body (errno 1003), byte for byte in content. */
export const PERMISSION_DENIED = accountingError(1003, 'Permission Denied.');
export const ROUTE_NOT_FOUND = accountingError(1012, 'Not found.');
export const SERVER_ERROR = authError('internal_server_error', 'internal server error');

export function rateLimited(retryAfterSeconds: number): Record<string, string> {
  return authError(
    'rate_limited',
    `Too many requests for this OAuth client. Retry after ${retryAfterSeconds} second(s).`,
  );
}

/** A gateway's own error page: not JSON, as a real 502/503 from a proxy usually is not. */
export function gatewayPage(status: 502 | 503): string {
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

// ───────────────────────────── users/me ─────────────────────────────

/** Feature flags per account; a few of the published ones, enough for a realistic shape. */
const PERMISSIONS = {
  'advanced_accounting.access': true,
  'business_accountant.limit': 10,
  'client.limit': -1,
  'staff.limit': -1,
  'accountant_invite.access': true,
  'premium_contractor_role.access': true,
  'business_manager_role.access': true,
};

function businessJson(business: BusinessRecord, addressId: number): Record<string, unknown> {
  return {
    id: business.id,
    business_uuid: business.business_uuid,
    name: business.name,
    account_id: business.account_id,
    timezone: business.timezone,
    date_format: business.date_format,
    address: { id: addressId, ...business.address },
    phone_number:
      business.phone_number === null
        ? null
        : { id: addressId + 1, phone_number: business.phone_number },
    business_clients: [],
  };
}

/** A fasttrack token is an opaque JWT-like string in FreshBooks; ours is clearly fake. */
function fasttrackToken(identityId: number, businessId: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sandbox: true, identity_id: identityId, business_id: businessId })}.emulator`;
}

/** Accounting-system role shown in `roles[]`: owners and admins are `admin` there. */
function systemRole(role: string): string {
  return role === 'owner' || role === 'business_partner' ? 'admin' : role;
}

export function usersMeJson(
  identity: IdentityRecord,
  memberships: Membership[],
): Record<string, unknown> {
  const first = memberships[0];
  return {
    id: identity.id,
    first_name: identity.first_name,
    last_name: identity.last_name,
    email: identity.email,
    language: 'en',
    created_at: identity.created_at,
    phone_numbers: [{ title: '', phone_number: null }],
    addresses: [null],
    profession: {
      id: identity.id + 2_000_000,
      business_id: first?.business.id ?? null,
      title: '',
      company: first?.business.name ?? '',
      designation: null,
    },
    links: {
      me: `/service/auth/api/v1/users?id=${identity.id}`,
      roles: `/service/auth/api/v1/users/role/${identity.id}`,
    },
    permissions: Object.fromEntries(
      memberships.map((m) => [m.business.account_id, { ...PERMISSIONS }]),
    ),
    groups: memberships.map((m) => ({
      id: m.membershipId,
      group_id: m.business.id + 4_000_000,
      role: m.role,
      identity_id: identity.id,
      business_id: m.business.id,
      active: true,
    })),
    subscription_statuses: Object.fromEntries(
      memberships.map((m) => [m.business.account_id, 'active']),
    ),
    integrations: {},
    business_memberships: memberships.map((m) => ({
      id: m.membershipId,
      role: m.role,
      unacknowledged_change: false,
      fasttrack_token: fasttrackToken(identity.id, m.business.id),
      business: businessJson(m.business, m.business.id + 3_000_000),
    })),
    identity_origin: 'magnum',
    roles: memberships.map((m, index) => ({
      id: m.membershipId + 1_000_000,
      role: systemRole(m.role),
      systemid: m.business.id + 5_000_000,
      userid: index + 1,
      created_at: identity.created_at,
      links: { destroy: `/service/auth/api/v1/users/role/${m.membershipId + 1_000_000}` },
      accountid: m.business.account_id,
    })),
  };
}
