import { RolecallError } from '../errors.js';
import type { StoredCredentials, TokenStore } from '../ports.js';
import { registerSecret } from '../redact.js';
import { InvalidGrantError, type OAuthClient, type TokenGrant } from './oauth.js';
import type { FreshBooksLogger } from './logger.js';

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
  /** `FRESHBOOKS_REFRESH_TOKEN`: used only until the store holds a token. */
  envRefreshToken: string | undefined;
  /** Wall clock, epoch ms (access-token expiry). */
  now: () => number;
  logger: FreshBooksLogger;
}

/** An access token this close to its expiry is treated as expired. */
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;

/**
 * The token lifecycle. Invariants:
 * - The refresh token in the store wins over the environment once it exists: after the first
 *   rotation the environment's token is dead.
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
    if (!this.current && stored?.accessToken && stored.accessTokenExpiresAt) {
      const expiresAt = Date.parse(stored.accessTokenExpiresAt);
      if (Number.isFinite(expiresAt) && expiresAt - EXPIRY_MARGIN_MS > this.options.now()) {
        this.current = { token: stored.accessToken, refreshAt: expiresAt - EXPIRY_MARGIN_MS };
        return stored.accessToken;
      }
    }
    return this.refreshOnce();
  }

  async renew(rejected: string): Promise<string> {
    if (this.current && this.current.token !== rejected) return this.current.token;
    if (this.inflight) return this.inflight;
    this.current = null;
    return this.refreshOnce();
  }

  /** Which refresh token the next refresh would use, and where it comes from (no value). */
  async source(): Promise<'store' | 'environment' | 'none'> {
    const stored = await this.loadStored();
    if (stored?.refreshToken) return 'store';
    return this.options.envRefreshToken ? 'environment' : 'none';
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
    const refreshToken = stored?.refreshToken ?? this.options.envRefreshToken;
    if (!refreshToken) {
      throw new RolecallError(
        'NO_CREDENTIALS',
        `no FreshBooks refresh token: set FRESHBOOKS_REFRESH_TOKEN or run \`rolecall auth login\` (token store: ${this.options.store.describe()})`,
      );
    }
    try {
      return await this.rotate(refreshToken);
    } catch (error) {
      if (!(error instanceof InvalidGrantError)) throw error;
      // Another process (a parallel run, `auth login`) may have rotated the token after we read
      // the store. Its token is then in the store: use that instead of failing.
      this.stored = null;
      const again = await this.loadStored();
      if (!again?.refreshToken || again.refreshToken === refreshToken) throw error;
      this.options.logger.warn(
        'the stored refresh token changed during this run; using the new one',
      );
      const expiresAt = again.accessTokenExpiresAt ? Date.parse(again.accessTokenExpiresAt) : NaN;
      if (again.accessToken && expiresAt - EXPIRY_MARGIN_MS > this.options.now()) {
        this.current = { token: again.accessToken, refreshAt: expiresAt - EXPIRY_MARGIN_MS };
        return again.accessToken;
      }
      return this.rotate(again.refreshToken);
    }
  }

  private async rotate(refreshToken: string): Promise<string> {
    const grant: TokenGrant = await this.options.oauth().refresh(refreshToken);
    registerSecret(grant.accessToken);
    registerSecret(grant.refreshToken);
    const expiresAt = this.options.now() + grant.expiresIn * 1000;
    await saveOrExplain(this.options.store, {
      refreshToken: grant.refreshToken,
      accessToken: grant.accessToken,
      accessTokenExpiresAt: new Date(expiresAt).toISOString(),
      updatedAt: new Date(this.options.now()).toISOString(),
    });
    this.stored = Promise.resolve({
      refreshToken: grant.refreshToken,
      accessToken: grant.accessToken,
      accessTokenExpiresAt: new Date(expiresAt).toISOString(),
      updatedAt: new Date(this.options.now()).toISOString(),
    });
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
): Promise<void> {
  try {
    await store.save(credentials);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RolecallError(
      'TOKEN_NOT_SAVED',
      `could not save the new refresh token to ${store.describe()} (${reason}); FreshBooks has already retired the previous one, so run \`rolecall auth login\` once the store is writable`,
      { cause: error },
    );
  }
}
