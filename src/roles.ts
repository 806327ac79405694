/**
 * FreshBooks roles as rolecall names them, and their API names (`business_role_name`).
 * Source: ../shared/freshbooks-api.md, "Roles".
 */

/** Roles a policy may grant. `owner` is deliberately absent: it is read-only and protected. */
export const POLICY_ROLES = [
  'admin',
  'manager',
  'accountant',
  'employee',
  'contractor',
  'unassigned',
] as const;
export type PolicyRole = (typeof POLICY_ROLES)[number];

/** A role as rolecall understands live data: a grantable role or the owner. */
export type KnownRole = PolicyRole | 'owner';

export const API_ROLE_BY_POLICY_ROLE: Readonly<Record<KnownRole, string>> = {
  owner: 'owner',
  admin: 'business_partner',
  manager: 'business_manager',
  accountant: 'business_accountant',
  employee: 'business_employee',
  contractor: 'contractor',
  unassigned: 'no_seat_employee',
};

const POLICY_ROLE_BY_API_ROLE: ReadonlyMap<string, KnownRole> = new Map(
  Object.entries(API_ROLE_BY_POLICY_ROLE).map(([role, api]) => [api, role as KnownRole]),
);

/** `client` is a FreshBooks role, but not a team role: clients are not part of team state. */
export const NON_TEAM_API_ROLES: ReadonlySet<string> = new Set(['client']);

export function isPolicyRole(value: string): value is PolicyRole {
  return (POLICY_ROLES as readonly string[]).includes(value);
}

/** The rolecall name of an API role, or `null` when rolecall does not know it (kept verbatim). */
export function policyRoleOf(apiRole: string): KnownRole | null {
  return POLICY_ROLE_BY_API_ROLE.get(apiRole) ?? null;
}

export function apiRoleOf(role: KnownRole): string {
  return API_ROLE_BY_POLICY_ROLE[role];
}

/**
 * Privilege rank, highest first. Used to order an apply (upgrades before downgrades) and to
 * tell an upgrade from a downgrade. Unknown roles rank lowest: a change away from one is
 * treated as an upgrade so that it runs early, before anything is taken away.
 */
const RANK: Readonly<Record<KnownRole, number>> = {
  owner: 100,
  admin: 50,
  manager: 40,
  accountant: 30,
  employee: 20,
  contractor: 10,
  unassigned: 0,
};

export function roleRank(role: KnownRole | null): number {
  return role === null ? -1 : RANK[role];
}

/** Roles that can manage the business and its team; they count towards `minAdmins`. */
export function isAdminRole(role: KnownRole | null): boolean {
  return role === 'owner' || role === 'admin';
}

/** Roles an access review flags as privileged. */
export function isPrivilegedRole(role: KnownRole | null): boolean {
  return role === 'owner' || role === 'admin' || role === 'manager' || role === 'accountant';
}
