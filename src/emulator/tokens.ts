/**
 * OAuth grants, codes and tokens. Like Doorkeeper (which FreshBooks' auth service resembles),
 * an access token and its refresh token form one grant. Invariants: a refresh token works
 * once (refreshing kills it at once and issues a new grant); a code works once and for five
 * minutes; revoking either token of a grant kills both.
 */
import { randomBytes } from 'node:crypto';

export const CODE_TTL_MS = 5 * 60 * 1000;

export interface Grant {
  clientId: string;
  identityId: number;
  scope: string;
  /** Null for a refresh token that came from the seed and has not been used yet. */
  accessToken: string | null;
  refreshToken: string;
  issuedAt: Date;
  expiresAt: Date | null;
  /** API requests answered with this access token (for "dies after N requests"). */
  uses: number;
  /** Refresh token spent or grant revoked. */
  refreshUsed: boolean;
  accessDead: boolean;
}

interface AuthCode {
  clientId: string;
  identityId: number;
  redirectUri: string;
  scope: string;
  createdAt: Date;
}

export type GrantFailure = 'invalid_grant' | 'invalid_request';

function token(): string {
  return randomBytes(32).toString('hex');
}

export class TokenStore {
  private readonly byAccess = new Map<string, Grant>();
  private readonly byRefresh = new Map<string, Grant>();
  private readonly codes = new Map<string, AuthCode>();

  /** A refresh token from the seed: valid until used. */
  addRefreshToken(
    clientId: string,
    identityId: number,
    scope: string,
    refreshToken: string,
    now: Date,
  ): void {
    if (this.byRefresh.get(refreshToken)?.refreshUsed === false) return;
    this.byRefresh.set(refreshToken, {
      clientId,
      identityId,
      scope,
      accessToken: null,
      refreshToken,
      issuedAt: now,
      expiresAt: null,
      uses: 0,
      refreshUsed: false,
      accessDead: true,
    });
  }

  mintRefreshToken(clientId: string, identityId: number, scope: string, now: Date): string {
    const refreshToken = token();
    this.addRefreshToken(clientId, identityId, scope, refreshToken, now);
    return refreshToken;
  }

  mintCode(
    clientId: string,
    identityId: number,
    redirectUri: string,
    scope: string,
    now: Date,
  ): string {
    const code = token();
    this.codes.set(code, { clientId, identityId, redirectUri, scope, createdAt: now });
    return code;
  }

  private issue(
    clientId: string,
    identityId: number,
    scope: string,
    ttlSeconds: number,
    now: Date,
  ): Grant {
    const grant: Grant = {
      clientId,
      identityId,
      scope,
      accessToken: token(),
      refreshToken: token(),
      issuedAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      uses: 0,
      refreshUsed: false,
      accessDead: false,
    };
    this.byAccess.set(grant.accessToken as string, grant);
    this.byRefresh.set(grant.refreshToken, grant);
    return grant;
  }

  exchangeCode(
    code: string,
    clientId: string,
    redirectUri: string | undefined,
    ttlSeconds: number,
    now: Date,
  ): Grant | GrantFailure {
    const found = this.codes.get(code);
    if (!found || found.clientId !== clientId) return 'invalid_grant';
    if (redirectUri === undefined) return 'invalid_request';
    // A code is spent by any attempt that names it with the right client, as RFC 6749 asks.
    this.codes.delete(code);
    if (now.getTime() - found.createdAt.getTime() >= CODE_TTL_MS) return 'invalid_grant';
    if (redirectUri !== found.redirectUri) return 'invalid_grant';
    return this.issue(clientId, found.identityId, found.scope, ttlSeconds, now);
  }

  refresh(
    refreshToken: string,
    clientId: string,
    ttlSeconds: number,
    now: Date,
  ): Grant | GrantFailure {
    const grant = this.byRefresh.get(refreshToken);
    if (!grant || grant.refreshUsed || grant.clientId !== clientId) return 'invalid_grant';
    grant.refreshUsed = true;
    return this.issue(clientId, grant.identityId, grant.scope, ttlSeconds, now);
  }

  /** The grant behind an access token, without counting a use (rate limiting, faults). */
  peek(accessToken: string): Grant | undefined {
    return this.byAccess.get(accessToken);
  }

  /** The live grant for an API request, counting one use; null when the token is not valid. */
  authenticate(accessToken: string, now: Date, maxRequests: number | null): Grant | null {
    const grant = this.byAccess.get(accessToken);
    if (!grant || grant.accessDead) return null;
    if (grant.expiresAt && now.getTime() >= grant.expiresAt.getTime()) return null;
    if (maxRequests !== null && grant.uses >= maxRequests) {
      grant.accessDead = true;
      return null;
    }
    grant.uses += 1;
    return grant;
  }

  /** Early expiry (the `expire` fault). */
  killAccessToken(accessToken: string): void {
    const grant = this.byAccess.get(accessToken);
    if (grant) grant.accessDead = true;
  }

  /** RFC 7009: unknown tokens and other clients' tokens are ignored, and the answer is the same. */
  revoke(tokenValue: string, clientId: string): void {
    const grant = this.byAccess.get(tokenValue) ?? this.byRefresh.get(tokenValue);
    if (!grant || grant.clientId !== clientId) return;
    grant.accessDead = true;
    grant.refreshUsed = true;
  }

  liveRefreshTokens(clientId: string): string[] {
    return [...this.byRefresh.values()]
      .filter((g) => g.clientId === clientId && !g.refreshUsed)
      .map((g) => g.refreshToken);
  }

  /** Drops every grant and code the predicate rejects (after a state load). */
  retain(keep: (clientId: string, identityId: number) => boolean): void {
    for (const map of [this.byAccess, this.byRefresh]) {
      for (const [key, grant] of map) if (!keep(grant.clientId, grant.identityId)) map.delete(key);
    }
    for (const [key, code] of this.codes)
      if (!keep(code.clientId, code.identityId)) this.codes.delete(key);
  }
}
