import { backoffDelay, parseRetryAfter, type BackoffOptions } from './backoff.js';

/** Shared retry settings of one connection. */
export interface RetrySettings {
  /** Retries after the first attempt (so `maxRetries + 1` attempts at most). */
  maxRetries: number;
  backoff: BackoffOptions;
  /**
   * A `Retry-After` longer than this is not waited for: the request fails with a clear error
   * instead of a CI job hanging for an hour.
   */
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Wall clock, epoch ms: only for `Retry-After` HTTP dates. */
  wallNow: () => number;
}

/** Counters shared by every request of a connection (`stats()`). */
export interface RequestCounters {
  /** API requests sent (each attempt counts), token endpoint excluded. */
  requests: number;
  /** Attempts beyond the first, for any reason (429, 5xx, network, 401 refresh). */
  retries: number;
  /** Calls to the OAuth token endpoint. */
  tokenRequests: number;
}

export function newCounters(): RequestCounters {
  return { requests: 0, retries: 0, tokenRequests: 0 };
}

/**
 * How long to wait before retry number `retry`. A server's `Retry-After` is a floor (plus a
 * little jitter so waiting callers do not return in lock step); otherwise exponential backoff.
 * Returns `null` when the server asks for a wait longer than `maxRetryAfterMs`.
 */
export function retryDelay(
  retry: number,
  retryAfterHeader: string | undefined,
  settings: RetrySettings,
): number | null {
  const backoff = backoffDelay(retry, settings.backoff);
  const asked = parseRetryAfter(retryAfterHeader, settings.wallNow());
  if (asked === null) return backoff;
  if (asked > settings.maxRetryAfterMs) return null;
  return asked + Math.round(settings.backoff.random() * settings.backoff.baseMs);
}
