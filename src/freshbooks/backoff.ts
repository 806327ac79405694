/**
 * Retry timing. Backoff is exponential with "equal jitter": half the step is fixed, half is
 * random, so clients that failed together do not retry together, yet nobody retries at once.
 */
export interface BackoffOptions {
  /** First step, ms. */
  baseMs: number;
  /** No single wait is longer than this, ms. */
  capMs: number;
  /** [0, 1), injectable for tests. */
  random: () => number;
}

/** The wait before retry number `retry` (1 for the first retry). */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const step = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(step / 2 + options.random() * (step / 2));
}

/**
 * `Retry-After` as milliseconds from `nowMs` (epoch ms): either delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3). A date in the past is 0. Anything else is `null` (ignored).
 */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | null {
  if (value === undefined || value === null) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only the date forms HTTP allows; `Date.parse` alone would accept "1.5" or "tomorrow"-ish text.
  if (!/^[A-Za-z]{3,9},?\s.*\d{1,2}:\d{2}:\d{2}/.test(text)) return null;
  // asctime dates carry no zone; HTTP dates are always GMT.
  const at = Date.parse(/\b(GMT|UTC)\b|[+-]\d{4}$/.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
