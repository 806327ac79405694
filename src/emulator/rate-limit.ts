/**
 * A token bucket per OAuth client: `rate` tokens per second refill a bucket of `burst`
 * (default `rate`, at least 1). Time comes from the emulator's clock, so a test can exhaust
 * the bucket and advance time instead of sleeping.
 */
export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  lastMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private rate: number | null = null;
  private capacity = 1;

  constructor(rate: number | null, burst: number | null) {
    this.configure(rate, burst);
  }

  /** `rate` null or 0: unlimited. Changing the limits refills every bucket. */
  configure(rate: number | null, burst: number | null): void {
    this.rate = rate !== null && rate > 0 ? rate : null;
    this.capacity = Math.max(1, burst ?? rate ?? 1);
    this.buckets.clear();
  }

  take(key: string, nowMs: number): TakeResult {
    if (this.rate === null) return { ok: true };
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, lastMs: nowMs };
    const elapsed = Math.max(0, nowMs - bucket.lastMs) / 1000;
    bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.rate);
    bucket.lastMs = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    // Whole seconds, like a real Retry-After header; never 0 (that would invite a busy loop).
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate)),
    };
  }
}
