/**
 * GitHub's side of `rolecall doctor`: the settings the gate depends on, read through the REST
 * API. Settings are read with `ROLECALL_DOCTOR_TOKEN` when it is set (a read-only token that
 * may see branch protection and secret names, which a workflow's GITHUB_TOKEN never may), else
 * with `GITHUB_TOKEN`; secret names with the doctor token, else the secrets token. What a
 * token may not see is recorded as such (the check says `?`), never guessed.
 */
import { DOCTOR_TOKEN, ENVIRONMENT, type GitHubFacts, type Read } from '../../doctor/index.js';
import { createGitHubClient, type GitHubClient } from '../../github/client.js';
import { githubContext, repoParams, type RepoRef } from '../../github/context.js';
import {
  readBranchProtection,
  readBranchRules,
  readDefaultBranch,
  readRuleset,
} from '../../github/read-branch-rules.js';
import {
  readEnvironment,
  readEnvironmentPublicKey,
  readEnvironmentSecretNames,
  readRepositorySecretNames,
} from '../../github/read-environment.js';
import {
  readCodeownersErrors,
  readWorkflowPermissions,
} from '../../github/read-repository-settings.js';
import { SECRETS_TOKEN_VARIABLE } from '../../github/token-store-github-secret.js';
import type { Console } from '../../ports.js';
import { redact } from '../../redact.js';

/** Whether GitHub is checked: `--github`, or a repository and a token to read it with are set. */
export function githubWanted(io: Console, github: boolean): boolean {
  const set = (name: string) => !!io.env[name]?.trim();
  return github || (set('GITHUB_REPOSITORY') && (set('GITHUB_TOKEN') || set(DOCTOR_TOKEN)));
}

interface Reader {
  octokit: GitHubClient;
  token: string;
}

export async function probeGitHub(io: Console): Promise<GitHubFacts> {
  const context = githubContext(io.env);
  const repo: RepoRef = repoParams(context);
  const warn = (message: string) => io.stderr.write(`${redact(message)}\n`);
  const client = (tokenName: string): Reader => ({
    octokit: createGitHubClient({ env: io.env, tokenName, warn }),
    token: tokenName,
  });
  const has = (name: string) => !!io.env[name]?.trim();
  // Only the token that is used is built (a missing GITHUB_TOKEN is fine next to the doctor's).
  const settings = has(DOCTOR_TOKEN) ? client(DOCTOR_TOKEN) : client('GITHUB_TOKEN');
  const secretNames = has(DOCTOR_TOKEN)
    ? settings
    : has(SECRETS_TOKEN_VARIABLE)
      ? client(SECRETS_TOKEN_VARIABLE)
      : settings;
  const secretsToken = has(SECRETS_TOKEN_VARIABLE) ? client(SECRETS_TOKEN_VARIABLE) : null;
  const on = (reader: Reader) => [reader.octokit, repo] as const;
  const ctx = (reader: Reader) => ({ token: reader.token });

  const defaultBranch = await readDefaultBranch(...on(settings), ctx(settings));
  const [protection, rules] = defaultBranch.ok
    ? await Promise.all([
        readBranchProtection(...on(settings), defaultBranch.value, ctx(settings)),
        readBranchRules(...on(settings), defaultBranch.value, ctx(settings)),
      ])
    : [defaultBranch as Read<never>, defaultBranch as Read<never>];
  const ids = rules.ok
    ? [...new Set(rules.value.flatMap((r) => (r.rulesetId === null ? [] : [r.rulesetId])))]
    : [];
  const rulesets = Object.fromEntries(
    await Promise.all(
      ids.map(
        async (id) => [String(id), await readRuleset(...on(settings), id, ctx(settings))] as const,
      ),
    ),
  );
  const [
    codeownersErrors,
    environment,
    environmentSecrets,
    repositorySecrets,
    workflowPermissions,
    publicKey,
  ] = await Promise.all([
    readCodeownersErrors(...on(settings), ctx(settings)),
    readEnvironment(...on(settings), ENVIRONMENT, ctx(settings)),
    readEnvironmentSecretNames(...on(secretNames), ENVIRONMENT, ctx(secretNames)),
    readRepositorySecretNames(...on(secretNames), ctx(secretNames)),
    readWorkflowPermissions(...on(settings), ctx(settings)),
    secretsToken
      ? readEnvironmentPublicKey(...on(secretsToken), ENVIRONMENT, ctx(secretsToken))
      : Promise.resolve(null),
  ]);
  return {
    checked: true,
    repository: context.repository,
    defaultBranch,
    protection,
    rules,
    rulesets,
    codeownersErrors,
    environment,
    environmentSecrets,
    repositorySecrets,
    workflowPermissions,
    secretsToken: publicKey === null ? { present: false } : { present: true, publicKey },
  };
}
