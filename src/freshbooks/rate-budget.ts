/**
 * One token bucket per connection: every FreshBooks request (reads, writes, token calls) takes
 * a token first, so concurrent paging can never exceed the budget. A `429` with `Retry-After`
 * pauses the whole bucket, not just the request that saw it, so the other in-flight callers
 * do not keep hammering a server that asked for quiet.
 */
export interface RateBudget {
  /** Resolves when the caller may send one request. */
  take(): Promise<void>;
  /** Nobody sends before `ms` from now. */
  pause(ms: number): void;
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
  let pausedUntil = 0;

  function refill(): void {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * rate);
    last = t;
  }

  return {
    async take(): Promise<void> {
      // One wait per pause; wait again only if someone extended the pause meanwhile.
      let target = pausedUntil;
      while (now() < target) {
        await sleep(target - now());
        if (pausedUntil === target) break;
        target = pausedUntil;
      }
      if (unlimited) return;
      refill();
      tokens -= 1;
      if (tokens < 0) await sleep((-tokens / rate) * 1000);
    },
    pause(ms: number): void {
      if (ms > 0) pausedUntil = Math.max(pausedUntil, now() + ms);
    },
  };
}
