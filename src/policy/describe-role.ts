import { API_ROLE_BY_POLICY_ROLE, POLICY_ROLES, type KnownRole } from '../roles.js';
import { quote } from './check-email.js';
import { didYouMean } from './suggest.js';

/** Words people write for a role, beyond typos. */
const SYNONYMS: Readonly<Record<string, string>> = {
  administrator: 'admin',
  partner: 'admin',
  'business partner': 'admin',
  bookkeeper: 'accountant',
  accounting: 'accountant',
  staff: 'employee',
  'team member': 'employee',
  freelancer: 'contractor',
  'no seat': 'unassigned',
  none: 'unassigned',
};

const POLICY_ROLE_BY_API: ReadonlyMap<string, string> = new Map(
  Object.entries(API_ROLE_BY_POLICY_ROLE).map(([role, api]) => [api, role]),
);

/**
 * Why `value` is not a grantable role, as a diagnostic code and message: `owner` has its own
 * code, FreshBooks API names and common synonyms point at the policy name.
 */
export function describeBadRole(value: unknown, where: string): { code: string; message: string } {
  if (typeof value !== 'string') {
    return {
      code: 'UNKNOWN_ROLE',
      message: `${where} must be a role name (${POLICY_ROLES.join(', ')}), got ${JSON.stringify(value) ?? 'nothing'}`,
    };
  }
  const text = value.trim().toLowerCase();
  if (text === 'owner') {
    return {
      code: 'OWNER_ROLE',
      message: `${where}: "owner" cannot be granted; the owner is read-only to rolecall and always protected (name them under rules.protected instead)`,
    };
  }
  const fromApi = POLICY_ROLE_BY_API.get(text) as KnownRole | undefined;
  if (fromApi && fromApi !== 'owner' && fromApi !== text) {
    return {
      code: 'UNKNOWN_ROLE',
      message: `${where}: ${quote(value)} is FreshBooks' API name for a role; a policy says "${fromApi}"`,
    };
  }
  const synonym = SYNONYMS[text.replace(/[_-]/g, ' ')];
  const hint = synonym ? ` Did you mean "${synonym}"?` : didYouMean(text, POLICY_ROLES);
  return {
    code: 'UNKNOWN_ROLE',
    message: `${where}: unknown role ${quote(value)}; roles are ${POLICY_ROLES.join(', ')}.${hint}`,
  };
}
