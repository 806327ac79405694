import { backoffDelay, parseRetryAfter, type BackoffOptions } from './backoff.js';
import { NetworkError } from './http-transport.js';
import type { FreshBooksLogger } from './logger.js';

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

/** One retry about to wait: why (a status, or the network failure itself) and which one. */
export interface RetryEvent {
  route: string;
  failure: string | NetworkError;
  /** 1 for the first retry. */
  retry: number;
  maxRetries: number;
  delayMs: number;
}

/**
 * Says a retry is coming: always in detail to `warn` (`--verbose`), and, when FreshBooks did not
 * answer at all, as a short notice the user hears without `--verbose` — at the first retry, not
 * after the last one several seconds later: `FreshBooks at api.freshbooks.com did not answer
 * (connection refused); retrying (1/5)…`. An answer (429, 5xx) is not news of that kind.
 */
export function logRetry(logger: FreshBooksLogger, event: RetryEvent): void {
  const { route, failure, retry, maxRetries, delayMs } = event;
  const what = failure instanceof NetworkError ? failure.message : failure;
  logger.warn(`${route}: ${what}; retry ${retry} of ${maxRetries} in ${delayMs} ms`);
  if (failure instanceof NetworkError) {
    logger.notice?.(
      `FreshBooks at ${failure.where} did not answer (${failure.reason}); retrying (${retry}/${maxRetries})…`,
    );
  }
}
