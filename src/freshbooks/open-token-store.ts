import { resolve } from 'node:path';
import { RolecallError, UsageError } from '../errors.js';
import type { TokenStore, TokenTarget } from '../ports.js';
import { createFileTokenStore } from './token-store-file.js';

export const DEFAULT_TOKEN_STORE = 'file:.rolecall/credentials.json';

/**
 * Opens the token store a spec names:
 * - `file:PATH` (relative to the working directory), the default `file:.rolecall/credentials.json`;
 * - `github-secret:NAME[@environment]`: a GitHub Actions secret, written through the GitHub API
 *   (implemented in `src/github/`, loaded only when asked for).
 * Without a spec, `ROLECALL_TOKEN_STORE` is used, then the default.
 *
 * `target` (the API URL and client id in use) binds a file store to its entry: the file keeps
 * one per target. A GitHub secret holds one raw token, for whichever target the workflow uses.
 */
export async function openTokenStore(
  spec: string | undefined,
  context: {
    env: Record<string, string | undefined>;
    cwd: string;
    target?: TokenTarget | null;
  },
): Promise<TokenStore> {
  const chosen = spec ?? nonEmpty(context.env['ROLECALL_TOKEN_STORE']) ?? DEFAULT_TOKEN_STORE;
  const colon = chosen.indexOf(':');
  const kind = colon < 0 ? '' : chosen.slice(0, colon);
  const rest = colon < 0 ? '' : chosen.slice(colon + 1);
  if (kind === 'file') {
    if (rest === '')
      throw new UsageError(
        'token store "file:" needs a path, e.g. file:.rolecall/credentials.json',
      );
    return createFileTokenStore(resolve(context.cwd, rest), {
      cwd: context.cwd,
      target: context.target ?? null,
    });
  }
  if (kind === 'github-secret') {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(@[^@\s]+)?$/.test(rest)) {
      throw new UsageError(
        `token store "${chosen}" is not github-secret:NAME[@environment] (NAME: letters, digits, _)`,
      );
    }
    return loadGitHubSecretStore(chosen, context.env);
  }
  throw new UsageError(
    `unknown token store "${chosen}": use file:PATH or github-secret:NAME[@environment]`,
  );
}

interface GitHubSecretStoreModule {
  createGitHubSecretStore(
    spec: string,
    env: Record<string, string | undefined>,
  ): TokenStore | Promise<TokenStore>;
}

async function loadGitHubSecretStore(
  spec: string,
  env: Record<string, string | undefined>,
): Promise<TokenStore> {
  // Loaded only when asked for (it brings octokit and libsodium). A literal specifier, so that
  // the npm package's bundle (src/bundle-package.ts) carries the module; a build without it
  // still gets a clear error, not a crash at start-up.
  let module: Partial<GitHubSecretStoreModule>;
  try {
    module =
      (await import('../github/token-store-github-secret.js')) as Partial<GitHubSecretStoreModule>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT') {
      throw new RolecallError(
        'TOKEN_STORE_UNAVAILABLE',
        `the github-secret token store is not available in this build of rolecall; use file:PATH`,
      );
    }
    throw error;
  }
  if (typeof module.createGitHubSecretStore !== 'function') {
    throw new RolecallError(
      'TOKEN_STORE_UNAVAILABLE',
      'the github-secret token store module does not export createGitHubSecretStore',
    );
  }
  return module.createGitHubSecretStore(spec, env);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
