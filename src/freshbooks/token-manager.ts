import { RolecallError } from '../errors.js';
import type { SaveOptions, StoredCredentials, TokenStore } from '../ports.js';
import { registerSecret } from '../redact.js';
import {
  chooseRefreshToken,
  describeChoice,
  describeFallback,
  tokenFingerprint,
  type ChoiceWords,
  type RefreshCandidate,
  type TokenChoice,
  type TokenOrigin,
} from './choose-refresh-token.js';
import { InvalidGrantError, type OAuthClient, type TokenGrant } from './oauth.js';
import type { FreshBooksLogger } from './logger.js';
import { describeTarget } from './token-target.js';

/** What the API client needs: a usable access token, and a new one when FreshBooks says 401. */
export interface AccessTokenSource {
  accessToken(): Promise<string>;
  /** FreshBooks rejected `rejected`; returns a fresh token (refreshing at most once for it). */
  renew(rejected: string): Promise<string>;
}

export interface TokenManagerOptions {
  store: TokenStore;
  /** Built lazily: only a refresh needs the client id and secret. */
  oauth: () => Pick<OAuthClient, 'refresh'>;
  /**
   * The environment's refresh token (`FRESHBOOKS_REFRESH_TOKEN` or its alias): used while the
   * store holds nothing for this target, or when it is new to the store (see
   * choose-refresh-token.ts), and as the fallback when the stored one is rejected.
   */
  envRefreshToken: string | undefined;
  /** The variable it came from, for messages. Default `FRESHBOOKS_REFRESH_TOKEN`. */
  envRefreshTokenVariable?: string;
  /** Wall clock, epoch ms (access-token expiry). */
  now: () => number;
  logger: FreshBooksLogger;
  /**
   * One line the user sees whatever the verbosity: which refresh token is used and why, when
   * that is not the obvious one. Default: the logger's `warn`.
   */
  notice?: (line: string) => void;
}

/** Where the next refresh would take its refresh token from, and why (never the value). */
export interface TokenSource {
  origin: TokenOrigin | 'none';
  /** One phrase for `rolecall auth status`. */
  summary: string;
}

/** An access token this close to its expiry is treated as expired. */
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;

/**
 * The token lifecycle. Invariants:
 * - Which refresh token is used is chooseRefreshToken's rule: this target's stored token wins
 *   over the environment's (after the first rotation the environment's is dead), unless the
 *   environment's is one the store has never seen; a token FreshBooks rejects (invalid_grant,
 *   nothing spent) gives way to the next candidate. Whenever that is not the obvious choice,
 *   one notice line says which token is used and why.
 * - A rotated refresh token is saved (the store's `save` resolves durably) *before* the new access
 *   token is handed to anyone. If the process dies after the refresh answer and before the save,
 *   the only copy is lost; if it dies after the save, the next run has a valid token.
 * - One refresh at a time (single flight): concurrent 401s share the same refresh.
 * - A still-valid access token in the store is reused, so consecutive commands do not burn a
 *   refresh each.
 */
export class TokenManager implements AccessTokenSource {
  /** The access token in use; it is replaced once `now` passes `refreshAt`. */
  private current: { token: string; refreshAt: number } | null = null;
  private stored: Promise<StoredCredentials | null> | null = null;
  private inflight: Promise<string> | null = null;

  constructor(private readonly options: TokenManagerOptions) {
    registerSecret(options.envRefreshToken);
  }

  async accessToken(): Promise<string> {
    if (this.current && this.current.refreshAt > this.options.now()) return this.current.token;
    if (this.inflight) return this.inflight;
    const stored = await this.loadStored();
    // Concurrent first callers all wait for the store above: the first one through may already
    // have set the token, or started the refresh. Re-check before refreshing again.
    if (this.current && this.current.refreshAt > this.options.now()) return this.current.token;
    if (this.inflight) return this.inflight;
    if (!this.current && this.choose(stored).reuseAccessToken) {
      const reused = this.useStoredAccess(stored);
      if (reused) return reused;
    }
    return this.refreshOnce();
  }

  async renew(rejected: string): Promise<string> {
    if (this.current && this.current.token !== rejected) return this.current.token;
    if (this.inflight) return this.inflight;
    this.current = null;
    return this.refreshOnce();
  }

  /** Which refresh token the next refresh would use, and why (no value). */
  async source(): Promise<TokenSource> {
    const choice = this.choose(await this.loadStored());
    return {
      origin: choice.candidates[0]?.origin ?? 'none',
      summary: describeChoice(choice, this.words()).summary,
    };
  }

  private choose(stored: StoredCredentials | null): TokenChoice {
    return chooseRefreshToken({
      stored,
      env: this.options.envRefreshToken,
      tracksEnvironment: this.options.store.target !== undefined,
    });
  }

  private words(): ChoiceWords {
    const { store } = this.options;
    return {
      variable: this.options.envRefreshTokenVariable ?? 'FRESHBOOKS_REFRESH_TOKEN',
      target: store.target ? describeTarget(store.target) : null,
      store: store.describe(),
    };
  }

  private notify(line: string): void {
    if (this.options.notice) this.options.notice(line);
    else this.options.logger.warn(line);
  }

  /** Takes the stored access token when it is still valid, and returns it; else null. */
  private useStoredAccess(stored: StoredCredentials | null): string | null {
    if (!stored?.accessToken || !stored.accessTokenExpiresAt) return null;
    const expiresAt = Date.parse(stored.accessTokenExpiresAt);
    if (!Number.isFinite(expiresAt) || expiresAt - EXPIRY_MARGIN_MS <= this.options.now()) {
      return null;
    }
    this.current = { token: stored.accessToken, refreshAt: expiresAt - EXPIRY_MARGIN_MS };
    return stored.accessToken;
  }

  private loadStored(): Promise<StoredCredentials | null> {
    this.stored ??= this.options.store.load().then((creds) => {
      registerSecret(creds?.refreshToken);
      registerSecret(creds?.accessToken);
      return creds;
    });
    return this.stored;
  }

  private refreshOnce(): Promise<string> {
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async refresh(): Promise<string> {
    const stored = await this.loadStored();
    const choice = this.choose(stored);
    const words = this.words();
    const queue = [...choice.candidates];
    if (queue.length === 0) {
      throw new RolecallError(
        'NO_CREDENTIALS',
        `no FreshBooks refresh token${words.target ? ` for ${words.target}` : ''}: set FRESHBOOKS_REFRESH_TOKEN (or BATON_REFRESH_TOKEN) or run \`rolecall auth login\` (token store: ${words.store})`,
      );
    }
    const notice = describeChoice(choice, words).notice;
    if (notice) this.notify(notice);
    const rejected: RefreshCandidate[] = [];
    let lastError: InvalidGrantError | null = null;
    for (let candidate = queue.shift(); candidate; candidate = queue.shift()) {
      const previous = rejected[rejected.length - 1];
      if (previous) this.notify(describeFallback(previous, candidate, words));
      try {
        return await this.rotate(candidate, stored);
      } catch (error) {
        if (!(error instanceof InvalidGrantError)) throw error;
        lastError = error;
        rejected.push(candidate);
      }
      // Another process (a parallel run, `auth login`) may have rotated the token after we read
      // the store. Its token is then in the store: use that before anything else.
      this.stored = null;
      const again = await this.loadStored();
      const tried = (token: string) => rejected.some((r) => r.token === token);
      if (again && !again.unclaimed && again.refreshToken !== stored?.refreshToken) {
        if (tried(again.refreshToken)) continue;
        this.options.logger.warn(
          'the stored refresh token changed during this run; using the new one',
        );
        return (
          this.useStoredAccess(again) ??
          this.rotate({ origin: 'store', token: again.refreshToken }, again)
        );
      }
    }
    // Every candidate was rejected. One alone keeps the oauth client's message; several, or a
    // stored one, say which were tried and how to get going again.
    const only = rejected.length === 1 ? rejected[0] : undefined;
    if (only?.origin === 'environment' && lastError) throw lastError;
    const what = rejected.map((r) =>
      r.origin === 'environment'
        ? words.variable
        : r.origin === 'store'
          ? `the token stored in ${words.store}`
          : `the older entry of ${words.store} (no target recorded)`,
    );
    throw new InvalidGrantError(
      `FreshBooks rejected ${what.join(' and ')}${words.target ? ` for ${words.target}` : ''}: already used or revoked — export a new ${words.variable} (a restarted sandbox prints one) or run \`rolecall auth login\`; \`rolecall auth logout\` forgets the stored token`,
    );
  }

  private async rotate(
    candidate: RefreshCandidate,
    stored: StoredCredentials | null,
  ): Promise<string> {
    const grant: TokenGrant = await this.options.oauth().refresh(candidate.token);
    registerSecret(grant.accessToken);
    registerSecret(grant.refreshToken);
    const expiresAt = this.options.now() + grant.expiresIn * 1000;
    const env = this.options.envRefreshToken;
    // The environment's token is now seen: it seeded this chain, was superseded by the stored
    // one, or was rejected. Without one, keep what the entry knew.
    const envTokenSha256 =
      env !== undefined
        ? tokenFingerprint(env)
        : stored && !stored.unclaimed
          ? stored.envTokenSha256
          : undefined;
    const saved: StoredCredentials = {
      refreshToken: grant.refreshToken,
      accessToken: grant.accessToken,
      accessTokenExpiresAt: new Date(expiresAt).toISOString(),
      updatedAt: new Date(this.options.now()).toISOString(),
      ...(envTokenSha256 === undefined ? {} : { envTokenSha256 }),
    };
    await saveOrExplain(this.options.store, saved, {
      claimUnclaimed: candidate.origin === 'unclaimed',
    });
    this.stored = Promise.resolve(saved);
    // A token granted for less than twice the margin is used for half its life, so that a
    // short-lived grant does not trigger a refresh before every request.
    const margin = Math.min(EXPIRY_MARGIN_MS, (grant.expiresIn * 1000) / 2);
    this.current = { token: grant.accessToken, refreshAt: expiresAt - margin };
    this.options.logger.warn(
      `refreshed the FreshBooks access token; saved the new refresh token to ${this.options.store.describe()}`,
    );
    return grant.accessToken;
  }
}

/**
 * Saves rotated credentials. A failure here is the one unrecoverable moment of the lifecycle:
 * FreshBooks has already killed the old refresh token, so say so plainly.
 */
export async function saveOrExplain(
  store: TokenStore,
  credentials: StoredCredentials,
  options: SaveOptions = {},
): Promise<void> {
  try {
    await store.save(credentials, options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RolecallError(
      'TOKEN_NOT_SAVED',
      `could not save the new refresh token to ${store.describe()} (${reason}); FreshBooks has already retired the previous one, so run \`rolecall auth login\` once the store is writable`,
      { cause: error },
    );
  }
}
