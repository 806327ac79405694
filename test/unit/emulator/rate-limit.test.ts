import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/emulator/rate-limit.js';

describe('RateLimiter (token bucket)', () => {
  it('lets a burst through, then answers with the seconds until the next token', () => {
    const limiter = new RateLimiter(2, 3);
    expect([0, 0, 0].map(() => limiter.take('a', 1000).ok)).toEqual([true, true, true]);
    expect(limiter.take('a', 1000)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('a', 1499).ok).toBe(false);
    expect(limiter.take('a', 1500).ok).toBe(true);
  });

  it('rounds Retry-After up to whole seconds, never 0', () => {
    const slow = new RateLimiter(0.1, 1);
    expect(slow.take('a', 0).ok).toBe(true);
    expect(slow.take('a', 0)).toEqual({ ok: false, retryAfterSeconds: 10 });
    expect(slow.take('a', 9_500)).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter(1, 1);
    expect(limiter.take('a', 0).ok).toBe(true);
    expect(limiter.take('a', 0).ok).toBe(false);
    expect(limiter.take('b', 0).ok).toBe(true);
  });

  it('is unlimited without a rate, and reconfiguring refills', () => {
    const limiter = new RateLimiter(null, null);
    for (let i = 0; i < 1000; i += 1) expect(limiter.take('a', 0).ok).toBe(true);
    limiter.configure(1, null);
    expect(limiter.take('a', 0).ok).toBe(true);
    expect(limiter.take('a', 0).ok).toBe(false);
    limiter.configure(1, null);
    expect(limiter.take('a', 0).ok).toBe(true);
  });

  it('never lets more than burst + rate × elapsed requests through (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 200 }),
        (rate, burst, gaps) => {
          const limiter = new RateLimiter(rate, burst);
          let now = 0;
          let allowed = 0;
          for (const gap of gaps) {
            now += gap;
            if (limiter.take('k', now).ok) allowed += 1;
          }
          expect(allowed).toBeLessThanOrEqual(burst + (rate * now) / 1000 + 1e-9);
        },
      ),
    );
  });
});
