import { RolecallError } from '../errors.js';
import { redact, registerSecret } from '../redact.js';
import type { HttpTransport } from './http-transport.js';
import { NetworkError } from './http-transport.js';
import type { FreshBooksLogger } from './logger.js';
import { apiErrorFromResponse, parseErrorBody } from './parse-api-error.js';
import type { RateBudget } from './rate-budget.js';
import { logRetry, retryDelay, type RequestCounters, type RetrySettings } from './retry-policy.js';

export const TOKEN_PATH = '/auth/oauth/token';

/** What the token endpoint answers, secrets already registered for redaction. */
export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  /** Seconds. */
  expiresIn: number;
  scope: string | null;
}

/** The refresh token was already used (rotated away) or revoked. */
export class InvalidGrantError extends RolecallError {
  constructor(message: string) {
    super('INVALID_GRANT', message, { exitCode: 1 });
    this.name = 'InvalidGrantError';
  }
}

export const REFRESH_TOKEN_USED_MESSAGE =
  'this refresh token was already used or revoked — run `rolecall auth login`';

export interface OAuthClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  transport: HttpTransport;
  budget: RateBudget;
  retry: RetrySettings;
  counters: RequestCounters;
  logger: FreshBooksLogger;
}

/**
 * The OAuth token endpoint. Refresh tokens are single-use, so a refresh is *not* idempotent:
 * when its answer is lost (timeout, reset, 5xx) the old token may already be dead. Retrying is
 * still the only way forward; if that retry then meets `invalid_grant`, the message says why.
 */
export class OAuthClient {
  private lastScope: string | null | undefined = undefined;

  constructor(private readonly options: OAuthClientOptions) {
    registerSecret(options.clientSecret);
  }

  /**
   * The scopes FreshBooks granted with the last token this client received (the token answer's
   * `scope`, space-separated); `null` when the answer had none, `undefined` before any grant.
   * Access tokens are opaque: this answer is the only place the scopes show.
   */
  get grantedScope(): string | null | undefined {
    return this.lastScope;
  }

  exchangeCode(code: string, redirectUri: string): Promise<TokenGrant> {
    registerSecret(code);
    return this.grant(
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
      'the authorization code was already used, has expired (codes live 5 minutes) or was issued for another redirect URI — run `rolecall auth login` again',
    );
  }

  refresh(refreshToken: string): Promise<TokenGrant> {
    registerSecret(refreshToken);
    return this.grant(
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      REFRESH_TOKEN_USED_MESSAGE,
    );
  }

  private async grant(
    fields: Record<string, string>,
    invalidGrantMessage: string,
  ): Promise<TokenGrant> {
    const { baseUrl, clientId, clientSecret, transport, budget, retry, counters, logger } =
      this.options;
    const body = new URLSearchParams({
      ...fields,
      client_id: clientId,
      client_secret: clientSecret,
    });
    const route = `POST ${TOKEN_PATH}`;
    let outcomeWasUnknown = false;
    for (let attempt = 0; ; attempt++) {
      await budget.take();
      counters.tokenRequests++;
      let failure: string | NetworkError;
      let retryAfter: string | undefined;
      try {
        const res = await transport.send({
          method: 'POST',
          url: `${baseUrl}${TOKEN_PATH}`,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: body.toString(),
        });
        const requestId = res.headers['x-request-id'] ?? null;
        logger.debug(`${route} → ${res.status}${requestId ? ` [${requestId}]` : ''}`);
        if (res.status >= 200 && res.status < 300) {
          const grant = parseGrant(res.text);
          this.lastScope = grant.scope;
          return grant;
        }
        const info = parseErrorBody(res.text);
        if (info.apiCode === 'invalid_grant') {
          throw new InvalidGrantError(
            outcomeWasUnknown
              ? `${invalidGrantMessage} (an earlier attempt got no clear answer and may have used the token)`
              : invalidGrantMessage,
          );
        }
        if (info.apiCode === 'invalid_client' || info.apiCode === 'unauthorized_client') {
          throw new RolecallError(
            'INVALID_CLIENT',
            `FreshBooks rejected the client credentials (${info.apiCode}): check FRESHBOOKS_CLIENT_ID and FRESHBOOKS_CLIENT_SECRET`,
          );
        }
        const retryable = res.status === 429 || res.status >= 500;
        if (!retryable || attempt >= retry.maxRetries) {
          throw apiErrorFromResponse({ route, status: res.status, body: res.text, requestId });
        }
        if (res.status >= 500) outcomeWasUnknown = true;
        failure = String(res.status);
        retryAfter = res.headers['retry-after'];
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        if (attempt >= retry.maxRetries) {
          // The host first: "cannot reach api.freshbooks.com (…): connection refused — check …".
          throw new RolecallError(
            'FRESHBOOKS_UNREACHABLE',
            redact(`${error.message} (${route}, ${attempt + 1} attempts)`),
          );
        }
        if (!error.certainlyNotSent) outcomeWasUnknown = true;
        failure = error;
      }
      const delay = retryDelay(attempt + 1, retryAfter, retry);
      if (delay === null) {
        throw new RolecallError(
          'FRESHBOOKS_RATE_LIMITED',
          `FreshBooks asked to wait longer than ${Math.round(retry.maxRetryAfterMs / 1000)} s before ${route}; try again later`,
        );
      }
      if (failure === '429') budget.drain();
      counters.retries++;
      logRetry(logger, {
        route,
        failure,
        retry: attempt + 1,
        maxRetries: retry.maxRetries,
        delayMs: delay,
      });
      await retry.sleep(delay);
    }
  }
}

function parseGrant(text: string): TokenGrant {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RolecallError(
      'FRESHBOOKS_BAD_RESPONSE',
      'the FreshBooks token endpoint answered something that is not JSON',
    );
  }
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const accessToken = record['access_token'];
  const refreshToken = record['refresh_token'];
  const expiresIn = record['expires_in'];
  const scope = record['scope'];
  // Register before validating anything else: nothing below may print them, but be sure.
  if (typeof accessToken === 'string') registerSecret(accessToken);
  if (typeof refreshToken === 'string') registerSecret(refreshToken);
  if (
    typeof accessToken !== 'string' ||
    accessToken === '' ||
    typeof refreshToken !== 'string' ||
    refreshToken === ''
  ) {
    throw new RolecallError(
      'FRESHBOOKS_BAD_RESPONSE',
      'the FreshBooks token endpoint answered without an access token and a refresh token',
    );
  }
  return {
    accessToken,
    refreshToken,
    expiresIn: typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 43_200,
    scope: typeof scope === 'string' ? scope : null,
  };
}
