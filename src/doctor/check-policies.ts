import { fail, pass, type CheckResult } from './check-result.js';
import type { PolicyFacts } from './facts.js';

const WHY =
  'the policies are what every check below is measured against: the businesses to reach, the approvals GitHub must require';

/** `policies`: the policy files load and validate. */
export function checkPolicies(policies: PolicyFacts): CheckResult {
  if (!policies.ok) {
    return fail(
      'policies',
      `${policies.dir} does not load: ${policies.message}`,
      WHY,
      `\`rolecall validate --policies ${policies.dir}\` lists each problem with its file:line:col`,
    );
  }
  const names = policies.businesses.map((b) =>
    b.name ? `${b.name} (${b.businessId})` : `business ${b.businessId}`,
  );
  const count = names.length;
  return pass(
    'policies',
    `${count} ${count === 1 ? 'business' : 'businesses'} in ${policies.dir}: ${names.join(', ')}`,
    WHY,
  );
}
