/**
 * Every check of `rolecall doctor`, in the order it prints them: the policies, FreshBooks, the
 * repository's files, then GitHub's settings. Pure: the facts in, one result per check out.
 */
import { checkActionsPullRequests } from './check-actions.js';
import { checkBranch } from './check-branch.js';
import { checkBusinesses } from './check-businesses.js';
import { checkCodeownersCoverage, checkCodeownersErrors } from './check-codeowners.js';
import { checkEnvironment } from './check-environment.js';
import { checkPolicies } from './check-policies.js';
import { checkRefresh } from './check-refresh.js';
import { unknown, type CheckResult } from './check-result.js';
import { checkScopes } from './check-scopes.js';
import {
  checkEnvironmentSecrets,
  checkRepositorySecrets,
  checkSecretsToken,
} from './check-secrets.js';
import { checkTokenStore } from './check-token-store.js';
import {
  checkWorkflowsCurrent,
  checkWorkflowsPinned,
  checkWorkflowsPresent,
} from './check-workflows.js';
import type { DoctorFacts } from './facts.js';

export function evaluateDoctor(facts: DoctorFacts): CheckResult[] {
  const { policies, freshbooks, repository, github } = facts;
  const results = [
    checkPolicies(policies),
    checkTokenStore(freshbooks),
    checkRefresh(freshbooks),
    checkScopes(freshbooks, policies),
    checkBusinesses(freshbooks, policies),
    checkWorkflowsPresent(repository),
    checkWorkflowsPinned(repository),
    checkWorkflowsCurrent(repository),
    checkCodeownersCoverage(repository, policies),
  ];
  if (!github.checked) {
    results.push(
      unknown(
        'github',
        `GitHub's settings were not checked: ${github.reason}`,
        "branch protection, CODEOWNERS review, the environment's branch rule and where the secrets live are the gate in front of rolecall's own",
        'run `rolecall doctor --github` with GITHUB_REPOSITORY=owner/repo and a token in GITHUB_TOKEN (or ROLECALL_DOCTOR_TOKEN) that may read the settings',
      ),
    );
    return results;
  }
  return [
    ...results,
    ...checkBranch(github, policies),
    checkCodeownersErrors(github),
    checkEnvironment(github),
    checkEnvironmentSecrets(github, policies),
    checkRepositorySecrets(github),
    checkSecretsToken(github, freshbooks),
    checkActionsPullRequests(github),
  ];
}
