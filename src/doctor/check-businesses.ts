import { isAdminRole, policyRoleOf } from '../roles.js';
import { fail, pass, unknown, type CheckResult } from './check-result.js';
import type { FreshBooksFacts, PolicyFacts } from './facts.js';

const ID = 'freshbooks.businesses';
const WHY =
  'rolecall acts as the identity the token belongs to: a business it cannot reach cannot be planned, and only an admin (or the owner) may change a team';

/** `freshbooks.businesses`: every business the policies name is reachable, as an admin. */
export function checkBusinesses(freshbooks: FreshBooksFacts, policies: PolicyFacts): CheckResult {
  const { identity } = freshbooks;
  if (!policies.ok) {
    return unknown(ID, 'not known: the policies did not load', WHY, 'fix `policies` first');
  }
  if (identity.state === 'skipped') {
    return unknown(
      ID,
      'not known: no working FreshBooks token (see freshbooks.refresh)',
      WHY,
      'fix freshbooks.refresh first',
    );
  }
  if (identity.state === 'failed') {
    return fail(
      ID,
      `FreshBooks did not say who the token is: ${identity.message}`,
      WHY,
      '`rolecall auth status` shows the identity and its businesses',
    );
  }
  const memberships = new Map(identity.businesses.map((b) => [b.businessId, b]));
  const problems: string[] = [];
  for (const business of policies.businesses) {
    const membership = memberships.get(business.businessId);
    if (!membership) {
      problems.push(`${business.businessId} (${business.file}) is not reachable`);
      continue;
    }
    // Membership roles are API names (`business_partner` is Admin), or `admin` in some answers.
    const admin = membership.role === 'admin' || isAdminRole(policyRoleOf(membership.role));
    if (!admin) {
      const role = policyRoleOf(membership.role) ?? (membership.role || 'no role');
      problems.push(
        `${membership.name} (${business.businessId}): ${identity.email} is ${role} there`,
      );
    }
  }
  if (problems.length > 0) {
    const reachable = identity.businesses.map((b) => b.businessId).join(', ') || 'none';
    return fail(
      ID,
      `${problems.join('; ')} (${identity.email} reaches: ${reachable})`,
      WHY,
      `log in as an admin of every business the policies name (\`rolecall auth login\`), make ${identity.email} an admin there in FreshBooks, or correct \`business:\` in the policy`,
    );
  }
  const count = policies.businesses.length;
  return pass(
    ID,
    `${identity.email} is an admin of ${count === 1 ? 'the business' : `all ${count} businesses`} the policies name`,
    WHY,
  );
}
