/**
 * `POST /auth/oauth/token` (authorization_code, refresh_token) and `POST /auth/oauth/revoke`.
 * Bodies may be form or JSON; client credentials may be in the body or HTTP Basic. Error
 * descriptions are Doorkeeper's (the Rails OAuth provider FreshBooks' auth service answers like).
 */
import { timingSafeEqual } from 'node:crypto';
import type { EmulatorContext } from './context.js';
import { basicCredentials, json, type Reply } from './http.js';
import type { ClientRecord } from './model.js';
import type { Grant, GrantFailure } from './tokens.js';
import { authError } from './wire.js';

export interface OAuthRequest {
  body: Record<string, unknown>;
  authorization: string | undefined;
}

const DESCRIPTIONS = {
  invalid_request:
    'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.',
  invalid_client:
    'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
  invalid_grant:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  unsupported_grant_type:
    'The authorization grant type is not supported by the authorization server.',
} as const;
type OAuthErrorCode = keyof typeof DESCRIPTIONS;

// OAuth answers must never be cached (RFC 6749 §5.1).
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function oauthError(code: OAuthErrorCode): Reply {
  return json(code === 'invalid_client' ? 401 : 400, authError(code, DESCRIPTIONS[code]), NO_STORE);
}

function text(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The client a request names (Basic first), before it is authenticated: for logs and limits. */
export function namedClientId(req: OAuthRequest): string | null {
  return basicCredentials(req.authorization)?.id ?? text(req.body, 'client_id') ?? null;
}

function authenticateClient(
  ctx: EmulatorContext,
  req: OAuthRequest,
): ClientRecord | OAuthErrorCode {
  const basic = basicCredentials(req.authorization);
  const bodyId = text(req.body, 'client_id');
  const bodySecret = text(req.body, 'client_secret');
  // Two methods at once are allowed only when they agree (RFC 6749 §2.3 says use one).
  if (basic && ((bodyId && bodyId !== basic.id) || (bodySecret && bodySecret !== basic.secret))) {
    return 'invalid_request';
  }
  const id = basic?.id ?? bodyId;
  const secret = basic?.secret ?? bodySecret;
  const client = id === undefined ? undefined : ctx.state.clients.get(id);
  if (!client || secret === undefined || !sameSecret(secret, client.client_secret))
    return 'invalid_client';
  return client;
}

function tokenJson(grant: Grant, ttlSeconds: number): Record<string, unknown> {
  return {
    access_token: grant.accessToken,
    token_type: 'Bearer',
    expires_in: ttlSeconds,
    refresh_token: grant.refreshToken,
    scope: grant.scope,
    created_at: Math.floor(grant.issuedAt.getTime() / 1000),
    direct_buy_tokens: {},
  };
}

export function tokenEndpoint(ctx: EmulatorContext, req: OAuthRequest): Reply {
  const grantType = text(req.body, 'grant_type');
  if (grantType === undefined) return oauthError('invalid_request');
  const client = authenticateClient(ctx, req);
  if (typeof client === 'string') return oauthError(client);
  const ttl = ctx.config.accessTokenTtlSeconds;
  let result: Grant | GrantFailure;
  if (grantType === 'authorization_code') {
    const code = text(req.body, 'code');
    if (code === undefined) return oauthError('invalid_request');
    result = ctx.tokens.exchangeCode(
      code,
      client.client_id,
      text(req.body, 'redirect_uri'),
      ttl,
      ctx.now(),
    );
  } else if (grantType === 'refresh_token') {
    const refreshToken = text(req.body, 'refresh_token');
    if (refreshToken === undefined) return oauthError('invalid_request');
    // `redirect_uri` is tolerated here and ignored, as FreshBooks' own examples send it.
    result = ctx.tokens.refresh(refreshToken, client.client_id, ttl, ctx.now());
  } else {
    return oauthError('unsupported_grant_type');
  }
  if (typeof result === 'string') return oauthError(result);
  return json(200, tokenJson(result, ttl), NO_STORE);
}

/** RFC 7009: the answer is `200 {}` whether or not the token was known. */
export function revokeEndpoint(ctx: EmulatorContext, req: OAuthRequest): Reply {
  const client = authenticateClient(ctx, req);
  if (typeof client === 'string') return oauthError(client);
  const token = text(req.body, 'token');
  if (token === undefined) return oauthError('invalid_request');
  ctx.tokens.revoke(token, client.client_id);
  return { ...json(200, {}, NO_STORE), applied: true };
}
