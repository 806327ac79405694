/**
 * The one place that builds an Octokit. Every GitHub call rolecall makes goes through a client
 * made here, so `GITHUB_API_URL` (GitHub Enterprise Server, or the fake server in tests), the
 * token, the user agent and the retry/throttle policy are decided once.
 */
import { Octokit } from 'octokit';
import { RolecallError } from '../errors.js';
import { redact, registerSecret } from '../redact.js';
import { toolVersion } from '../paths.js';

export type GitHubClient = Octokit;

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

export interface GitHubClientOptions {
  /** Process environment: `GITHUB_API_URL` and (unless `token` is given) `GITHUB_TOKEN`. */
  env: Record<string, string | undefined>;
  /** Token to use instead of `GITHUB_TOKEN` (e.g. `ROLECALL_SECRETS_TOKEN`). */
  token?: string;
  /** Name of the variable the token came from, for error messages. Default `GITHUB_TOKEN`. */
  tokenName?: string;
  /**
   * Retry 5xx/network failures and wait out rate limits. Default true. Tests turn both off:
   * with them on, one injected 500 costs three retries with back-off (about 14 s). Default:
   * on, unless `ROLECALL_GITHUB_RETRY=off` is in `env`.
   */
  retry?: boolean;
  throttle?: boolean;
  /** Where octokit's warnings go (redacted). Default: stderr. */
  warn?: (message: string) => void;
}

/**
 * An authenticated Octokit pointed at `GITHUB_API_URL` (default api.github.com).
 * Throws a `RolecallError` naming the missing variable when there is no token.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const tokenName = options.tokenName ?? 'GITHUB_TOKEN';
  const token = options.token ?? options.env[tokenName];
  if (!token) {
    throw new RolecallError(
      'GITHUB_TOKEN_MISSING',
      `${tokenName} is not set: rolecall needs a GitHub token for --github (in a workflow, ` +
        `pass it with \`env: ${tokenName}: \${{ ${tokenName === 'GITHUB_TOKEN' ? 'github.token' : `secrets.${tokenName}`} }}\`)`,
    );
  }
  registerSecret(token);
  const warn = options.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
  const log = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message: string) => warn(redact(`github: ${message}`)),
    error: (message: string) => warn(redact(`github: ${message}`)),
  };
  // `ROLECALL_GITHUB_RETRY=off` is the command-line equivalent of `retry: false, throttle:
  // false`: the integration tests run whole commands against a local fake GitHub, where
  // octokit's throttling would space writes a second apart for nothing.
  const envOff = options.env['ROLECALL_GITHUB_RETRY'] === 'off';
  const retry = options.retry ?? !envOff;
  const throttle = options.throttle ?? !envOff;
  return new Octokit({
    auth: token,
    baseUrl: apiUrlOf(options.env),
    userAgent: `rolecall/${toolVersion()}`,
    log,
    retry: { enabled: retry },
    throttle: throttle
      ? {
          enabled: true,
          // Wait out a primary or secondary rate limit once; a second hit fails the run with
          // octokit's error rather than stalling a scheduled job for an hour.
          onRateLimit: (_after: number, opts: { request: { retryCount: number } }) =>
            opts.request.retryCount === 0,
          onSecondaryRateLimit: (_after: number, opts: { request: { retryCount: number } }) =>
            opts.request.retryCount === 0,
        }
      : { enabled: false },
  });
}

/** `GITHUB_API_URL` without a trailing slash, or api.github.com. */
export function apiUrlOf(env: Record<string, string | undefined>): string {
  return (env['GITHUB_API_URL'] || DEFAULT_GITHUB_API_URL).replace(/\/+$/, '');
}

export { githubContext, isForkPullRequest, repoParams } from './context.js';
export type { GitHubContext, PullRequestContext, RepoRef } from './context.js';
