import { createHash } from 'node:crypto';
import type { StoredCredentials } from '../ports.js';

/** Where a refresh token comes from: this target's stored entry, a version-1 entry, the env. */
export type TokenOrigin = 'store' | 'unclaimed' | 'environment';

export interface RefreshCandidate {
  origin: TokenOrigin;
  token: string;
}

/** Why the first candidate comes first; `describeChoice` turns it into words. */
export type ChoiceReason =
  | 'none'
  | 'store-only'
  | 'store-is-env'
  | 'store-over-seen-env'
  | 'store-untracked'
  | 'env-store-empty'
  | 'env-new'
  | 'unclaimed-only'
  | 'unclaimed-is-env'
  | 'env-before-unclaimed';

export interface TokenChoice {
  /**
   * In order of preference. FreshBooks rejecting a refresh token (invalid_grant) does not
   * spend anything, so when one is rejected the next is tried: that is how a restarted sandbox
   * whose exported token looks old, or an exported token that is stale after all, still works.
   */
  candidates: RefreshCandidate[];
  reason: ChoiceReason;
  /** The stored access token may be used without a refresh: it belongs to the preferred entry. */
  reuseAccessToken: boolean;
}

export interface ChoiceInput {
  /** What the store loaded for this target (or a version-1 entry, `unclaimed`). */
  stored: StoredCredentials | null;
  /** The environment's refresh token, if any. */
  env: string | undefined;
  /** The store keeps `envTokenSha256` (it is bound to a target): it can tell a new env token. */
  tracksEnvironment: boolean;
}

/** SHA-256 of a token, hex: what the store keeps to recognise an environment token it saw. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Which refresh token wins, as a Terraform user would expect: the stored token for this target
 * (the rotated successor of the exported one) over the environment's — unless the environment
 * holds a token the store has never seen for this target (a restarted sandbox, a new login),
 * which was exported on purpose and replaces the stored one. Never another target's token:
 * the store only returns this target's entry, or a version-1 entry whose target is unknown
 * (tried after the environment's token, or alone, and bound to this target once it works).
 */
export function chooseRefreshToken(input: ChoiceInput): TokenChoice {
  const { stored, env, tracksEnvironment } = input;
  const fromEnv = env === undefined ? [] : [{ origin: 'environment' as const, token: env }];
  if (!stored) {
    return {
      candidates: fromEnv,
      reason: env === undefined ? 'none' : 'env-store-empty',
      reuseAccessToken: false,
    };
  }
  if (stored.unclaimed) {
    // Its target is unknown: never reuse its access token (a refresh proves the target), and
    // let an exported token go first, so the old token is sent to this API only if needed.
    const old = { origin: 'unclaimed' as const, token: stored.refreshToken };
    if (env === undefined)
      return { candidates: [old], reason: 'unclaimed-only', reuseAccessToken: false };
    if (env === stored.refreshToken) {
      return { candidates: [old], reason: 'unclaimed-is-env', reuseAccessToken: false };
    }
    return {
      candidates: [...fromEnv, old],
      reason: 'env-before-unclaimed',
      reuseAccessToken: false,
    };
  }
  const own = { origin: 'store' as const, token: stored.refreshToken };
  if (env === undefined) return { candidates: [own], reason: 'store-only', reuseAccessToken: true };
  if (env === stored.refreshToken) {
    return { candidates: [own], reason: 'store-is-env', reuseAccessToken: true };
  }
  if (!tracksEnvironment) {
    return { candidates: [own, ...fromEnv], reason: 'store-untracked', reuseAccessToken: true };
  }
  if (stored.envTokenSha256 === tokenFingerprint(env)) {
    return { candidates: [own, ...fromEnv], reason: 'store-over-seen-env', reuseAccessToken: true };
  }
  return { candidates: [...fromEnv, own], reason: 'env-new', reuseAccessToken: false };
}

export interface ChoiceWords {
  /** The variable the environment token came from, e.g. `FRESHBOOKS_REFRESH_TOKEN`. */
  variable: string;
  /** `http://127.0.0.1:8080 (client rolecall-sandbox)`, or null when the store has no target. */
  target: string | null;
  /** `file .rolecall/credentials.json`. */
  store: string;
}

/**
 * The words for a choice: `summary` for `rolecall auth status`, `notice` (one stderr line,
 * or null when the choice is the obvious one) saying which token is used, why, and how to
 * switch. Neither ever contains a token.
 */
export function describeChoice(
  choice: TokenChoice,
  words: ChoiceWords,
): { summary: string; notice: string | null } {
  const { variable } = words;
  // A store bound to a target (the file) has one entry per target; a GitHub secret just one.
  const entry = words.target ? 'this target’s entry' : 'its one token';
  switch (choice.reason) {
    case 'none':
      return { summary: 'none', notice: null };
    case 'store-only':
    case 'store-is-env':
    case 'store-untracked':
      return { summary: `from the token store (${entry})`, notice: null };
    case 'store-over-seen-env':
      return {
        summary: `from the token store (${entry}; ${variable} holds the older token it was rotated from)`,
        notice: null,
      };
    case 'env-store-empty':
      return {
        summary: `from ${variable} (the token store has no entry for this target yet; the first refresh fills it)`,
        notice: null,
      };
    case 'env-new':
      return {
        summary: `from ${variable} (a token the store has not seen: it replaces the stored one at the next refresh)`,
        notice: `using ${variable} for ${words.target ?? 'this target'}, not the stored token: the store has not seen it (a restarted sandbox, a new login), so it replaces the stored one; unset ${variable} to keep the stored token, or run \`rolecall auth logout\` to forget it`,
      };
    case 'unclaimed-only':
    case 'unclaimed-is-env':
      return {
        summary:
          'from the token store’s entry written by an older rolecall (no target recorded; it is bound to this target once FreshBooks accepts it)',
        notice:
          choice.reason === 'unclaimed-is-env'
            ? null
            : `${words.store} was written by an older rolecall and records no API URL or client id: trying its token for ${words.target ?? 'this target'} (bound to it once FreshBooks accepts it; \`rolecall auth login\` starts afresh)`,
      };
    case 'env-before-unclaimed':
      return {
        summary: `from ${variable} (the token store has no entry for this target; its entry from an older rolecall, with no target recorded, is tried if FreshBooks rejects this one)`,
        notice: null,
      };
  }
}

/** The stderr line when `rejected` was refused (invalid_grant) and `next` is tried instead. */
export function describeFallback(
  rejected: RefreshCandidate,
  next: RefreshCandidate,
  words: ChoiceWords,
): string {
  const target = words.target ?? 'this target';
  const what = (candidate: RefreshCandidate) =>
    candidate.origin === 'environment'
      ? words.variable
      : candidate.origin === 'store'
        ? `the token stored for ${target}`
        : 'the token store’s entry from an older rolecall (no target recorded)';
  const then =
    next.origin === 'environment'
      ? `; using ${words.variable} instead, which replaces it`
      : next.origin === 'store'
        ? `; using the token stored for ${target} instead (${words.variable} will not be tried again; \`rolecall auth logout\` forgets the stored one)`
        : `; trying ${what(next)}, bound to ${target} once FreshBooks accepts it`;
  const hint = rejected.origin === 'store' ? ', e.g. by a restarted sandbox' : '';
  return `FreshBooks rejected ${what(rejected)} (already used or revoked${hint})${then}`;
}
