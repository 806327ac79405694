/**
 * Who the token is. rolecall finds its own comments and issues by marker *and* author, so it
 * must know the login GitHub records as the author of what it writes.
 *
 * - A personal access token (classic or fine-grained) or a GitHub App *user* token can call
 *   `GET /user`: the answer is the login.
 * - `GITHUB_TOKEN` and every GitHub App *installation* token cannot (GitHub answers 403
 *   "Resource not accessible by integration"). What they write is authored by the app's bot
 *   user: `github-actions[bot]` for `GITHUB_TOKEN`, `<app-slug>[bot]` for your own app. rolecall
 *   then falls back to `fallback` (default `github-actions[bot]`); with your own app's token,
 *   pass its bot login (`ROLECALL_GITHUB_LOGIN=my-app[bot]`).
 */
import type { GitHubClient } from './client.js';
import { githubError, statusOf } from './github-error.js';

export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

export interface TokenLogin {
  login: string;
  /** `user`: from `GET /user`; `fallback`: the token cannot call it. */
  source: 'user' | 'fallback' | 'configured';
}

export async function resolveTokenLogin(
  octokit: GitHubClient,
  options: { fallback?: string; configured?: string } = {},
): Promise<TokenLogin> {
  if (options.configured) return { login: options.configured, source: 'configured' };
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return { login: data.login, source: 'user' };
  } catch (error) {
    const status = statusOf(error);
    if (status === 403 || status === 401 || status === 404) {
      return { login: options.fallback ?? ACTIONS_BOT_LOGIN, source: 'fallback' };
    }
    throw githubError('find out which GitHub user the token belongs to', error);
  }
}

/** Logins are case-insensitive on GitHub. */
export function sameLogin(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

/** A bot account: `type: 'Bot'` or a login ending in `[bot]`. */
export function isBot(
  user: { login?: string | null; type?: string | null } | null | undefined,
): boolean {
  if (!user) return true; // a deleted account ("ghost") counts for nothing
  return user.type === 'Bot' || /\[bot\]$/i.test(user.login ?? '');
}
