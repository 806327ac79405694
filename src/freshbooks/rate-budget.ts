/**
 * One token bucket per connection: every FreshBooks request (reads, writes, token calls) takes
 * a token first, so concurrent paging can never exceed the budget.
 *
 * A `429` is answered per request: the request that got it waits the `Retry-After` the server
 * asked for (the caller sleeps, then takes a token again), while the others keep going at the
 * budget's rate. The 429 also drains the bucket: the burst saved up while quiet is gone and
 * each 429 leaves a token of debt, so isolated 429s cost every caller 1/rate, and a burst of
 * them — a server asking for quiet — silences the whole connection in proportion (a burst of
 * `rate` 429s: about a second).
 */
export interface RateBudget {
  /** Resolves when the caller may send one request. */
  take(): Promise<void>;
  /** The server answered 429: empty the bucket, and owe one token more. */
  drain(): void;
}

export interface RateBudgetOptions {
  /** Requests per second; `Infinity` or `0` means unlimited. */
  rate: number;
  /** Bucket size (requests that may go at once after a quiet period). Default `rate`, at least 1. */
  burst?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? realSleep;
  const unlimited = !Number.isFinite(options.rate) || options.rate <= 0;
  const rate = options.rate;
  const burst = Math.max(1, options.burst ?? Math.ceil(rate));
  // Tokens may go negative: a negative balance is a queue of reservations, each of which waits
  // its turn. This keeps the order fair (first come, first served) without a lock.
  let tokens = burst;
  let last = now();

  function refill(): void {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * rate);
    last = t;
  }

  return {
    async take(): Promise<void> {
      if (unlimited) return;
      refill();
      tokens -= 1;
      if (tokens < 0) await sleep((-tokens / rate) * 1000);
    },
    drain(): void {
      if (unlimited) return;
      refill();
      tokens = Math.min(tokens, 0) - 1;
    },
  };
}
