/**
 * A fake repository configured exactly as the security model recommends: branch protection
 * on the default branch with every setting, GitHub finding no error in CODEOWNERS, the
 * environment `freshbooks-production` limited to the default branch and holding every secret
 * (none as repository secrets), and Actions allowed to open pull requests.
 */
import { recommendedProtection } from './settings.js';
import type { FakeRepo } from './state.js';

export const ENVIRONMENT = 'freshbooks-production';

export const ENVIRONMENT_SECRETS = [
  'FRESHBOOKS_CLIENT_ID',
  'FRESHBOOKS_CLIENT_SECRET',
  'FRESHBOOKS_REFRESH_TOKEN',
  'ROLECALL_SECRETS_TOKEN',
] as const;

/** `values`: secret name → value (a test's real refresh token, say); others get a placeholder. */
export function configureRecommended(
  repo: FakeRepo,
  values: Partial<Record<(typeof ENVIRONMENT_SECRETS)[number], string>> = {},
): void {
  const branch = repo.settings.defaultBranch;
  repo.settings.protection.set(branch, recommendedProtection(1));
  repo.settings.codeownersErrors = [];
  repo.settings.actions.canApprovePullRequestReviews = true;
  repo.configureEnvironment(ENVIRONMENT, {
    reviewers: [],
    branchPolicy: { kind: 'custom', rules: [{ name: branch, type: 'branch' }] },
  });
  for (const name of ENVIRONMENT_SECRETS) {
    repo.setSecret(name, values[name] ?? `placeholder-${name.toLowerCase()}`, ENVIRONMENT);
  }
}
