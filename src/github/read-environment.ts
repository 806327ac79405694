/**
 * An Actions environment as `rolecall doctor` judges it: its required reviewers, which branches
 * may deploy to it, the names of its secrets (never values) and whether a token can read its
 * public key. Also the names of the repository's own secrets.
 */
import type { GitHubClient } from './client.js';
import { repoParams, type RepoRef } from './context.js';
import { readProtectedBranches } from './read-branch-rules.js';
import { readSetting, type GitHubRead, type ReadContext } from './read-result.js';

export interface EnvironmentProtection {
  reviewers: string[];
  branchPolicy:
    | null
    | { kind: 'protected'; protectedBranches: GitHubRead<string[]> }
    | { kind: 'custom'; policies: GitHubRead<Array<{ name: string; type: string }>> };
}

const ENVIRONMENT_PERMISSION = 'Actions: read';

/** `null`: the environment does not exist. */
export async function readEnvironment(
  octokit: GitHubClient,
  repo: RepoRef,
  name: string,
  context: ReadContext,
): Promise<GitHubRead<EnvironmentProtection | null>> {
  const read = await readSetting(
    context,
    ENVIRONMENT_PERMISSION,
    async () => {
      const { data } = await octokit.rest.repos.getEnvironment({
        ...repoParams(repo),
        environment_name: name,
      });
      return data;
    },
    (status) => (status === 404 ? { value: null } : null),
  );
  if (!read.ok || read.value === null) return read as GitHubRead<null>;
  const data = read.value;
  const reviewers = (data.protection_rules ?? []).flatMap((rule) =>
    'reviewers' in rule && Array.isArray(rule.reviewers)
      ? rule.reviewers.flatMap((r) => {
          const who = r.reviewer as { login?: string; slug?: string } | undefined;
          return who?.login ? [who.login] : who?.slug ? [`team ${who.slug}`] : [];
        })
      : [],
  );
  const policy = data.deployment_branch_policy ?? null;
  let branchPolicy: EnvironmentProtection['branchPolicy'] = null;
  if (policy?.custom_branch_policies) {
    branchPolicy = {
      kind: 'custom',
      policies: await readSetting(context, ENVIRONMENT_PERMISSION, async () => {
        const found = await octokit.paginate(octokit.rest.repos.listDeploymentBranchPolicies, {
          ...repoParams(repo),
          environment_name: name,
          per_page: 100,
        });
        return found.map((p) => ({ name: p.name ?? '', type: p.type ?? 'branch' }));
      }),
    };
  } else if (policy?.protected_branches) {
    branchPolicy = {
      kind: 'protected',
      protectedBranches: await readProtectedBranches(octokit, repo, context),
    };
  }
  return { ok: true, value: { reviewers, branchPolicy } };
}

/**
 * The names of an environment's secrets. (A 404 is a refusal here: whether the environment
 * exists is `readEnvironment`'s answer.)
 */
export function readEnvironmentSecretNames(
  octokit: GitHubClient,
  repo: RepoRef,
  name: string,
  context: ReadContext,
): Promise<GitHubRead<string[]>> {
  return readSetting(context, 'Environments: read', async () => {
    const secrets = await octokit.paginate(octokit.rest.actions.listEnvironmentSecrets, {
      ...repoParams(repo),
      environment_name: name,
      per_page: 100,
    });
    return secrets.map((s) => s.name);
  });
}

/** The names of the repository's own Actions secrets. */
export function readRepositorySecretNames(
  octokit: GitHubClient,
  repo: RepoRef,
  context: ReadContext,
): Promise<GitHubRead<string[]>> {
  return readSetting(context, 'Secrets: read', async () => {
    const secrets = await octokit.paginate(octokit.rest.actions.listRepoSecrets, {
      ...repoParams(repo),
      per_page: 100,
    });
    return secrets.map((s) => s.name);
  });
}

/** Whether the token can read the environment's public key (what writing a secret needs first). */
export function readEnvironmentPublicKey(
  octokit: GitHubClient,
  repo: RepoRef,
  name: string,
  context: ReadContext,
): Promise<GitHubRead<true>> {
  return readSetting(context, 'Environments: read', async () => {
    await octokit.rest.actions.getEnvironmentPublicKey({
      ...repoParams(repo),
      environment_name: name,
    });
    return true as const;
  });
}
