/**
 * The environment `freshbooks-production` holds every secret; its branch rule is what keeps a
 * workflow pushed on another branch from reading them. Required reviewers are reported, not
 * judged: the security model recommends none (every plan and the hourly expiry would wait for
 * a person), and having them is no less safe.
 */
import { fail, pass, type CheckResult } from './check-result.js';
import { ENVIRONMENT } from './deployment.js';
import type { EnvironmentSettings, GitHubSettings } from './facts.js';
import { unreadableCheck } from './unreadable.js';

const ID = 'environment.branches';
const WHY = `the secrets live in ${ENVIRONMENT}; its deployment-branch rule is all that keeps a workflow pushed on another branch (by any writer, unreviewed) from reading them`;

function where(branch: string): string {
  return `Settings → Environments → ${ENVIRONMENT} → "Deployment branches and tags": "Selected branches and tags" with the one rule \`${branch}\``;
}

function reviewersNote(environment: EnvironmentSettings): string {
  return environment.reviewers.length === 0
    ? '; no required reviewers'
    : `; required reviewers: ${environment.reviewers.join(', ')} (every plan and the hourly expiry wait for them; the security model recommends none)`;
}

/** `environment.branches`: the environment exists and only the default branch may deploy to it. */
export function checkEnvironment(github: GitHubSettings): CheckResult {
  const read = github.environment;
  if (!read.ok) return unreadableCheck(ID, `the environment ${ENVIRONMENT}`, WHY, read);
  if (!github.defaultBranch.ok) {
    return unreadableCheck(ID, "the repository's default branch", WHY, github.defaultBranch);
  }
  const branch = github.defaultBranch.value;
  const environment = read.value;
  if (environment === null) {
    return fail(
      ID,
      `the environment ${ENVIRONMENT} does not exist`,
      WHY,
      `Settings → Environments → New environment \`${ENVIRONMENT}\`, then ${where(branch)}; add the secrets to it`,
    );
  }
  const note = reviewersNote(environment);
  const policy = environment.branchPolicy;
  if (policy === null) {
    return fail(ID, `every branch may deploy to ${ENVIRONMENT}${note}`, WHY, where(branch));
  }
  if (policy.kind === 'protected') {
    if (!policy.protectedBranches.ok) {
      return unreadableCheck(ID, 'which branches are protected', WHY, policy.protectedBranches);
    }
    const others = policy.protectedBranches.value.filter((b) => b !== branch);
    if (others.length > 0) {
      return fail(
        ID,
        `every protected branch may deploy to ${ENVIRONMENT}, and ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} protected besides ${branch}${note}`,
        WHY,
        where(branch),
      );
    }
    return pass(
      ID,
      `only protected branches may deploy to ${ENVIRONMENT}, and ${branch} is the only one${note}`,
      WHY,
    );
  }
  if (!policy.policies.ok) {
    return unreadableCheck(
      ID,
      `the deployment branch rules of ${ENVIRONMENT}`,
      WHY,
      policy.policies,
    );
  }
  const rules = policy.policies.value;
  const extra = rules.filter((r) => !(r.type === 'branch' && r.name === branch));
  if (rules.length === 0 || extra.length > 0) {
    const shown = extra.map((r) => `${r.type} \`${r.name}\``).join(', ');
    return fail(
      ID,
      rules.length === 0
        ? `${ENVIRONMENT} has custom deployment rules but none for ${branch}${note}`
        : `${ENVIRONMENT} may also be deployed from ${shown}${note}`,
      WHY,
      where(branch),
    );
  }
  return pass(ID, `only ${branch} may deploy to ${ENVIRONMENT}${note}`, WHY);
}
