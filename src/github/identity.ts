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

// ── One person, however their address is written ──────────────────────────────────────────
//
// The approval gate must recognise a reviewer as a grantee or as someone who made the change.
// These helpers only ever decide that two names are the *same* person, which removes an
// approver: a false match fails closed, a missed match is what they exist to prevent.

/** GitHub's no-reply domain: `12345+login@users.noreply.github.com` or `login@…`. */
const NOREPLY_DOMAIN = 'users.noreply.github.com';

/**
 * One mailbox, however it is written: trimmed, lower-case, a `+tag` dropped from the local part
 * (`maya+fb@` is delivered to `maya@`), a trailing dot dropped from the domain (`acme.example.`
 * is the fully qualified `acme.example`). A GitHub no-reply address keeps its `id+login` form.
 */
export function normalizeMailbox(email: string): string {
  const text = email.trim().toLowerCase();
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const domain = text.slice(at + 1).replace(/\.+$/, '');
  let local = text.slice(0, at);
  const plus = local.indexOf('+');
  if (domain !== NOREPLY_DOMAIN && plus > 0) local = local.slice(0, plus);
  return `${local}@${domain}`;
}

/**
 * A login or an address's local part reduced for comparison: lower-case, with `.`, `_` and `-`
 * the same character (GitHub logins allow only `-`, mailboxes write `maya.park` or `maya_park`).
 */
export function nameKey(name: string): string {
  return name.trim().toLowerCase().replace(/[._]/g, '-');
}

/** The login a GitHub no-reply address belongs to, or `null` for any other address. */
export function noreplyLogin(email: string): string | null {
  const text = email.trim().toLowerCase();
  const at = text.lastIndexOf('@');
  if (at < 0 || text.slice(at + 1).replace(/\.+$/, '') !== NOREPLY_DOMAIN) return null;
  const local = text.slice(0, at);
  return /^(?:\d+\+)?(.+)$/.exec(local)?.[1] ?? null;
}

/**
 * Whether the GitHub user `login`, whose known addresses are `known` (public profile email, the
 * policy's `identities:`), is taken to be the owner of `email`: the same mailbox as a known
 * address, their no-reply address, or a local part that is their login (`maya+fb@…` for
 * `maya`, `maya.park@…` for `maya-park`, at any domain).
 */
export function ownsMailbox(login: string, known: readonly string[], email: string): boolean {
  const mailbox = normalizeMailbox(email);
  if (known.some((k) => normalizeMailbox(k) === mailbox)) return true;
  const noreply = noreplyLogin(email);
  if (noreply !== null) return sameLogin(noreply, login);
  const at = mailbox.lastIndexOf('@');
  const local = at < 0 ? mailbox : mailbox.slice(0, at);
  return local !== '' && nameKey(local) === nameKey(login);
}
