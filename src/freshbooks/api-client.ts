import { FreshBooksApiError } from '../errors.js';
import { redact } from '../redact.js';
import { NetworkError, type HttpTransport } from './http-transport.js';
import type { FreshBooksLogger } from './logger.js';
import { apiErrorFromResponse } from './parse-api-error.js';
import type { RateBudget } from './rate-budget.js';
import { logRetry, retryDelay, type RequestCounters, type RetrySettings } from './retry-policy.js';
import type { AccessTokenSource } from './token-manager.js';
import { readWaits, waitUnsent } from './lane-hooks.js';

export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path without query, e.g. `/auth/api/v1/users/me`; it is also the error's route. */
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  /**
   * `read`: retried on 429, 5xx, timeouts and resets. `write`: retried only when it certainly
   * did not take effect (429, 401 before refresh, connection refused); otherwise it fails with
   * `outcomeUnknown` so that the caller re-reads the member before trying again.
   */
  kind: 'read' | 'write';
}

export interface ApiAnswer {
  status: number;
  body: unknown;
  requestId: string | null;
}

export interface ApiClientOptions {
  baseUrl: string;
  transport: HttpTransport;
  budget: RateBudget;
  tokens: AccessTokenSource;
  retry: RetrySettings;
  counters: RequestCounters;
  logger: FreshBooksLogger;
  /** Monotonic ms, for the debug log only. */
  clock?: () => number;
  /**
   * The scopes FreshBooks granted with the last token it issued to this process (the token
   * answer's `scope`); `undefined` while no token was issued (a stored access token is reused),
   * `null` when the answer named none. Without it, scopes are never known.
   */
  grantedScope?: () => string | null | undefined;
}

/** Every FreshBooks API request goes through `call`: budget, auth, retries, typed errors. */
export class ApiClient {
  private learning: Promise<boolean> | null = null;

  constructor(private readonly options: ApiClientOptions) {}

  /** See `ApiClientOptions.grantedScope`. */
  grantedScope(): string | null | undefined {
    return this.options.grantedScope?.();
  }

  /**
   * Makes the granted scopes known when they are not: access tokens are opaque, and only a
   * token answer names the scopes, so this refreshes the access token once (the rotated
   * refresh token is saved first, as on every refresh). At most once per client (callers share
   * it); false when this client has no way to learn them.
   */
  learnGrantedScope(): Promise<boolean> {
    if (!this.options.grantedScope) return Promise.resolve(false);
    // Writes refused together wait for the same refresh, and all see its scopes.
    this.learning ??= (async () => {
      const { tokens } = this.options;
      await tokens.renew(await tokens.accessToken());
      return true;
    })();
    return this.learning;
  }

  async call(call: ApiCall): Promise<ApiAnswer> {
    const { transport, budget, tokens, retry, counters, logger } = this.options;
    const clock = this.options.clock ?? (() => performance.now());
    const route = `${call.method} ${call.path}`;
    const url = this.url(call);
    let refreshed = false;
    let failures = 0;
    for (;;) {
      await budget.take();
      const token = await tokens.accessToken();
      counters.requests++;
      const started = clock();
      let failure: string | NetworkError;
      let retryAfter: string | undefined;
      try {
        const res = await transport.send({
          method: call.method,
          url,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        });
        const requestId = res.headers['x-request-id'] ?? null;
        logger.debug(
          `${call.method} ${url.slice(this.options.baseUrl.length)} → ${res.status} (${Math.round(clock() - started)} ms)${requestId ? ` [${requestId}]` : ''}`,
        );
        if (res.status >= 200 && res.status < 300) {
          return { status: res.status, body: parseBody(res.text), requestId };
        }
        // A 401 means the request was refused before doing anything: refresh once, send again.
        if (res.status === 401 && !refreshed) {
          refreshed = true;
          counters.retries++;
          logger.warn(`${route}: 401; refreshing the access token and retrying once`);
          await tokens.renew(token);
          continue;
        }
        const transient = res.status === 429 || res.status >= 500;
        const unknown = call.kind === 'write' && res.status >= 500;
        if (!transient || unknown || failures >= retry.maxRetries) {
          throw apiErrorFromResponse({
            route,
            status: res.status,
            body: res.text,
            requestId,
            outcomeUnknown: unknown,
            ...errorHint(res.status, unknown, failures),
          });
        }
        failure = String(res.status);
        retryAfter = res.headers['retry-after'];
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        logger.debug(`${call.method} ${url.slice(this.options.baseUrl.length)} → ${error.message}`);
        const safe = call.kind === 'read' || error.certainlyNotSent;
        if (!safe || failures >= retry.maxRetries) {
          throw new FreshBooksApiError(
            redact(
              safe
                ? `${route} failed: ${error.message}, after ${failures + 1} attempts`
                : `${route} failed: ${error.message}; the change may or may not have been made`,
            ),
            {
              status: null,
              route,
              outcomeUnknown: !error.certainlyNotSent && call.kind === 'write',
            },
          );
        }
        failure = error;
      }
      failures++;
      const delay = retryDelay(failures, retryAfter, retry);
      if (delay === null) {
        throw new FreshBooksApiError(
          `FreshBooks asked to wait longer than ${Math.round(retry.maxRetryAfterMs / 1000)} s before ${route}; try again later`,
          { status: 429, route },
        );
      }
      if (failure === '429') budget.drain();
      counters.retries++;
      logRetry(logger, {
        route,
        failure,
        retry: failures,
        maxRetries: retry.maxRetries,
        delayMs: delay,
      });
      // A write retried here certainly did not take effect (a 429, or a connection refused: a
      // 5xx or a reset made it `outcomeUnknown` above), so it waits out of its business's lane.
      if (call.kind === 'write') await waitUnsent(() => retry.sleep(delay));
      else {
        // The server asked for quiet on this read: a listing need not hold writes back for it.
        if (retryAfter !== undefined) readWaits();
        await retry.sleep(delay);
      }
    }
  }

  private url(call: ApiCall): string {
    const query = call.query
      ? `?${new URLSearchParams(Object.entries(call.query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`
      : '';
    return `${this.options.baseUrl}${call.path}${query}`;
  }
}

function errorHint(status: number, unknown: boolean, failures: number): { hint?: string } {
  if (unknown) return { hint: 'the change may or may not have been made; re-read before retrying' };
  if (status === 401) return { hint: 'the credentials were refused even after a token refresh' };
  if (status === 429 || status >= 500) return { hint: `gave up after ${failures + 1} attempts` };
  return {};
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
