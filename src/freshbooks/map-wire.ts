import { RolecallError } from '../errors.js';
import type { BusinessMembershipRecord, IdentityRecord, TeamMemberRecord } from '../ports.js';

/**
 * FreshBooks JSON → the records of `ports.ts`. Values are kept as sent (no normalisation: that
 * is the sync's job); only the shape is checked, so a changed API fails loudly and clearly
 * instead of producing a LiveState with holes.
 */
export class UnexpectedResponseError extends RolecallError {
  constructor(route: string, problem: string) {
    super('FRESHBOOKS_BAD_RESPONSE', `unexpected answer from FreshBooks to ${route}: ${problem}`);
    this.name = 'UnexpectedResponseError';
  }
}

type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(record: Json, key: string, route: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') {
    throw new UnexpectedResponseError(route, `${where}.${key} is missing or not a string`);
  }
  return value;
}

function optStr(record: Json, key: string): string | null {
  const value = record[key];
  return typeof value === 'string' ? value : null;
}

function int(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

/** One element of `response[]` (list) or `response` (single member). */
export function teamMemberFromWire(
  raw: unknown,
  businessId: number,
  route: string,
): TeamMemberRecord {
  if (!isRecord(raw)) throw new UnexpectedResponseError(route, 'a team member is not an object');
  const where = 'team member';
  const active = raw['active'];
  if (typeof active !== 'boolean') {
    throw new UnexpectedResponseError(route, `${where}.active is not a boolean`);
  }
  return {
    uuid: str(raw, 'uuid', route, where),
    businessId: int(raw['business_id']) ?? businessId,
    email: str(raw, 'email', route, where),
    firstName: optStr(raw, 'first_name'),
    middleName: optStr(raw, 'middle_name'),
    lastName: optStr(raw, 'last_name'),
    apiRole: str(raw, 'business_role_name', route, where),
    active,
    identityId: int(raw['identity_id']),
    invitationDateAccepted: optStr(raw, 'invitation_date_accepted'),
    createdAt: optStr(raw, 'created_at'),
    updatedAt: optStr(raw, 'updated_at'),
  };
}

/** The `response` of `GET /auth/api/v1/users/me`. */
export function identityFromWire(raw: unknown, route: string): IdentityRecord {
  if (!isRecord(raw)) throw new UnexpectedResponseError(route, '`response` is not an object');
  const identityId = int(raw['id']);
  if (identityId === null)
    throw new UnexpectedResponseError(route, 'response.id is not an integer');
  const memberships = raw['business_memberships'];
  const businesses: BusinessMembershipRecord[] = [];
  for (const membership of Array.isArray(memberships) ? memberships : []) {
    if (!isRecord(membership) || !isRecord(membership['business'])) continue;
    const business = membership['business'];
    // `business.id` is the business id; the membership's own `id` is something else.
    const businessId = int(business['id']);
    if (businessId === null) {
      throw new UnexpectedResponseError(
        route,
        'business_memberships[].business.id is not an integer',
      );
    }
    businesses.push({
      businessId,
      businessUuid: optStr(business, 'business_uuid'),
      name: optStr(business, 'name') ?? '',
      accountId: optStr(business, 'account_id'),
      role: optStr(membership, 'role') ?? '',
    });
  }
  const scopes = scopesOf(raw);
  return {
    identityId,
    email: str(raw, 'email', route, 'response'),
    firstName: optStr(raw, 'first_name'),
    lastName: optStr(raw, 'last_name'),
    businesses,
    ...(scopes === null ? {} : { scopes }),
  };
}

/**
 * The token's scopes, if `users/me` names them: no published sample does, so both plausible
 * spellings are read (`scope` as in the token answer, space-separated, or a `scopes` list) and
 * anything else is ignored rather than failing the identity.
 */
function scopesOf(raw: Json): string[] | null {
  const scope = raw['scope'];
  if (typeof scope === 'string') return scope.split(/\s+/).filter(Boolean);
  const scopes = raw['scopes'];
  if (Array.isArray(scopes) && scopes.every((s): s is string => typeof s === 'string')) {
    return scopes.map((s) => s.trim()).filter(Boolean);
  }
  return null;
}

/** `meta` of a team-member page: `{page, per_page, total}`. */
export function pageMetaFromWire(
  raw: unknown,
  route: string,
): { page: number; perPage: number; total: number } {
  if (!isRecord(raw)) throw new UnexpectedResponseError(route, '`meta` is missing');
  const page = int(raw['page']);
  const perPage = int(raw['per_page']);
  const total = int(raw['total']);
  if (page === null || perPage === null || total === null || perPage < 1) {
    throw new UnexpectedResponseError(route, '`meta` lacks page, per_page or total');
  }
  return { page, perPage, total };
}
