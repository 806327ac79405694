/**
 * `--token-store github-secret:NAME[@environment]`: the FreshBooks refresh token lives in a
 * GitHub Actions secret. FreshBooks refresh tokens are single-use, so after every refresh the new
 * one must be written back before anything else happens — otherwise the next run starts with a
 * dead token.
 *
 * - `load` reads the environment variable NAME: Actions injects the secret there (the workflow
 *   maps `NAME: ${{ secrets.NAME }}`); secrets cannot be read back through the API. Before it
 *   returns the token it writes that same value back, unchanged: the only way to prove the
 *   secrets token can *write* (reading the public key needs only "Secrets: Read"), and it must be
 *   proven before the single-use refresh token is spent — a token that can read but not write
 *   would otherwise let the refresh happen and then lose the new token. After a `load` or a
 *   `save` in the same process, `load` returns that value without writing again.
 * - `save` fetches the repository's (or environment's) public key, encrypts the token with a
 *   libsodium sealed box, PUTs it, and resolves only after GitHub accepted it (201/204).
 *
 * It writes with `ROLECALL_SECRETS_TOKEN`, never `GITHUB_TOKEN`, which cannot write secrets:
 * a fine-grained personal access token limited to this repository with "Secrets: Read and write"
 * (plus "Environments: Read and write" for an environment secret), or a GitHub App installation
 * token with the same permissions.
 *
 * Writing the current value back is a no-op only while no other job rotated the secret since
 * this job's value was injected: the shipped workflows run every job that holds the refresh
 * token in one concurrency group (`rolecall-freshbooks`), one at a time, so the value a job
 * starts with is the secret's value.
 */
import sodium from 'libsodium-wrappers';
import type { Clock, StoredCredentials, TokenStore } from '../ports.js';
import { systemClock } from '../ports.js';
import { RolecallError, UsageError } from '../errors.js';
import { registerSecret } from '../redact.js';
import { createGitHubClient, type GitHubClient } from './client.js';
import { githubContext, repoParams, type RepoRef } from './context.js';
import { githubError, statusOf } from './github-error.js';

export const SECRETS_TOKEN_VARIABLE = 'ROLECALL_SECRETS_TOKEN';

export interface GitHubSecretSpec {
  name: string;
  environment: string | null;
}

/** Parses `github-secret:NAME` or `github-secret:NAME@environment`. */
export function parseGitHubSecretSpec(spec: string): GitHubSecretSpec {
  const match = /^github-secret:([A-Za-z_][A-Za-z0-9_]*)(?:@([^\s/]+))?$/.exec(spec);
  if (!match) {
    throw new UsageError(
      `--token-store "${spec}" is not "github-secret:NAME" or "github-secret:NAME@environment" (NAME: letters, digits, _)`,
    );
  }
  const name = match[1] as string;
  if (/^GITHUB_/i.test(name))
    throw new UsageError(`secret names cannot start with GITHUB_ (got ${name})`);
  return { name, environment: match[2] ?? null };
}

export interface GitHubSecretStoreOptions {
  /** Client to write with; default: built from `ROLECALL_SECRETS_TOKEN` and `GITHUB_API_URL`. */
  octokit?: GitHubClient;
  /** Default: from `GITHUB_REPOSITORY`. */
  repo?: RepoRef;
  clock?: Clock;
  /** For tests: octokit's retry and throttling. */
  retry?: boolean;
}

interface PublicKey {
  key: string;
  keyId: string;
}

export function createGitHubSecretStore(
  spec: string,
  env: Record<string, string | undefined>,
  options: GitHubSecretStoreOptions = {},
): TokenStore {
  const { name, environment } = parseGitHubSecretSpec(spec);
  const where = environment
    ? `environment secret ${name} (environment ${environment})`
    : `repository secret ${name}`;
  if (!options.octokit && !env[SECRETS_TOKEN_VARIABLE]) {
    throw new RolecallError(
      'SECRETS_TOKEN_MISSING',
      `--token-store ${spec} needs ${SECRETS_TOKEN_VARIABLE} to write the rotated refresh token: ` +
        `GITHUB_TOKEN cannot write secrets. ${setupHint(environment)}`,
    );
  }
  const repo: RepoRef = repoParams(options.repo ?? githubContext(env, () => '{}'));
  const clock = options.clock ?? systemClock;
  const octokit =
    options.octokit ??
    createGitHubClient({
      env,
      tokenName: SECRETS_TOKEN_VARIABLE,
      ...(options.retry === undefined ? {} : { retry: options.retry, throttle: options.retry }),
    });
  let latest: StoredCredentials | null = null;
  let publicKey: PublicKey | null = null;

  const readPublicKey = async (): Promise<PublicKey> => {
    try {
      const { data } = environment
        ? await octokit.rest.actions.getEnvironmentPublicKey({
            ...repoParams(repo),
            environment_name: environment,
          })
        : await octokit.rest.actions.getRepoPublicKey({ ...repoParams(repo) });
      return { key: data.key, keyId: data.key_id };
    } catch (error) {
      throw refused('read the public key for', error);
    }
  };

  const refused = (doing: string, error: unknown) => {
    const status = statusOf(error);
    if (status === 401 || status === 403 || status === 404) {
      return new RolecallError(
        'SECRET_WRITE_REFUSED',
        `GitHub refused to ${doing} ${where} in ${repo.owner}/${repo.repo} (HTTP ${status}): ` +
          `${SECRETS_TOKEN_VARIABLE} cannot write it. ${setupHint(environment)}` +
          (environment ? ` Check that the environment "${environment}" exists.` : ''),
        { cause: error },
      );
    }
    return githubError(`${doing} ${where}`, error);
  };

  /** Seals `value` with the current public key and PUTs it; a rotated key (422) is re-read once. */
  const writeSecret = async (value: string): Promise<void> => {
    await sodium.ready;
    const put = async (key: PublicKey) => {
      const sealed = sodium.crypto_box_seal(
        sodium.from_string(value),
        sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL),
      );
      const encrypted_value = sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
      if (environment) {
        await octokit.rest.actions.createOrUpdateEnvironmentSecret({
          ...repoParams(repo),
          environment_name: environment,
          secret_name: name,
          encrypted_value,
          key_id: key.keyId,
        });
      } else {
        await octokit.rest.actions.createOrUpdateRepoSecret({
          ...repoParams(repo),
          secret_name: name,
          encrypted_value,
          key_id: key.keyId,
        });
      }
    };
    try {
      publicKey ??= await readPublicKey();
      try {
        await put(publicKey);
      } catch (error) {
        // The key was rotated since it was read (GitHub answers 422): read it again, once.
        if (statusOf(error) !== 422) throw error;
        publicKey = await readPublicKey();
        await put(publicKey);
      }
    } catch (error) {
      throw error instanceof RolecallError ? error : refused('write', error);
    }
  };

  return {
    describe: () => `GitHub ${where} in ${repo.owner}/${repo.repo}`,

    async load() {
      if (latest) return latest;
      const value = env[name];
      if (!value) return null;
      registerSecret(value);
      // Prove the secret can be written before the single-use refresh token is spent: write the
      // current value back unchanged. Reading the public key alone passes a read-only token.
      try {
        await writeSecret(value);
      } catch (error) {
        const wrapped = error as RolecallError;
        throw new RolecallError(
          wrapped.code,
          `${wrapped.message} Nothing was spent: rolecall checks that it can write the secret ` +
            'before it uses the FreshBooks refresh token, so the token was not used and the secret ' +
            'still holds it. Fix the token and run again.',
          { cause: error },
        );
      }
      latest = { refreshToken: value, updatedAt: clock.now().toISOString() };
      return latest;
    },

    async save(credentials) {
      registerSecret(credentials.refreshToken);
      try {
        await writeSecret(credentials.refreshToken);
      } catch (error) {
        const wrapped = error as RolecallError;
        throw new RolecallError(
          wrapped.code,
          `${wrapped.message} The new FreshBooks refresh token was NOT saved and the old one is spent: ` +
            'after fixing the token, run `rolecall auth login` and store the new refresh token in the secret.',
          { cause: error },
        );
      }
      latest = { refreshToken: credentials.refreshToken, updatedAt: credentials.updatedAt };
    },
  };
}

function setupHint(environment: string | null): string {
  return (
    `Set ${SECRETS_TOKEN_VARIABLE} to a fine-grained personal access token for this repository with ` +
    `"Secrets: Read and write"${environment ? ' and "Environments: Read and write"' : ''}, ` +
    'or to a GitHub App installation token with the same permissions (see rolecall\'s .github/workflows/README.md, "The GitHub secret token store").'
  );
}
