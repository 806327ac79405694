import { describe, expect, it } from 'vitest';
import { createRateBudget } from '../../../src/freshbooks/rate-budget.js';

/** A virtual clock: `sleep` advances time instead of waiting. */
function virtualTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(Math.round(ms));
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
  };
}

describe('createRateBudget', () => {
  it('lets a burst through at once, then spaces requests at the rate', async () => {
    const clock = virtualTime();
    const budget = createRateBudget({ rate: 2, burst: 3, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 3; i++) await budget.take();
    expect(clock.sleeps).toEqual([]);
    await budget.take();
    await budget.take();
    expect(clock.sleeps).toEqual([500, 500]);
    expect(clock.now()).toBe(1000);
  });

  it('never exceeds rate × time + burst, even with concurrent callers', async () => {
    // A discrete-event clock: concurrent sleeps overlap, time jumps to the next wake-up.
    let t = 0;
    const timers: Array<{ at: number; wake: () => void }> = [];
    const sleep = (ms: number) =>
      new Promise<void>((wake) => timers.push({ at: t + Math.max(0, ms), wake }));
    const budget = createRateBudget({ rate: 5, burst: 5, now: () => t, sleep });
    const granted: number[] = [];
    const all = Promise.all(
      Array.from({ length: 40 }, async () => {
        await budget.take();
        granted.push(t);
      }),
    );
    for (let guard = 0; guard < 1000 && granted.length < 40; guard++) {
      await new Promise((resolve) => setImmediate(resolve));
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (next) {
        t = Math.max(t, next.at);
        next.wake();
      }
    }
    await all;
    expect(granted).toHaveLength(40);
    granted.forEach((at, i) => {
      expect(i + 1).toBeLessThanOrEqual(5 + (at / 1000) * 5 + 1e-6);
    });
    // …and it is not needlessly slow: 35 beyond the burst at 5/s take 7 s.
    expect(Math.max(...granted)).toBeCloseTo(7000, 0);
  });

  it('refills while idle, but not beyond the burst', async () => {
    const clock = virtualTime();
    const budget = createRateBudget({ rate: 1, burst: 2, now: clock.now, sleep: clock.sleep });
    await budget.take();
    await budget.take();
    clock.advance(60_000);
    await budget.take();
    await budget.take();
    expect(clock.sleeps).toEqual([]);
    await budget.take();
    expect(clock.sleeps).toEqual([1000]);
  });

  it('a 429 drains the bucket: the saved-up burst is gone, and it leaves one token of debt', async () => {
    const clock = virtualTime();
    const budget = createRateBudget({ rate: 4, burst: 4, now: clock.now, sleep: clock.sleep });
    await budget.take();
    // Three tokens were left; the 429 takes them and one more.
    budget.drain();
    await budget.take();
    expect(clock.sleeps).toEqual([500]);
    // A burst of 429s silences the connection in proportion: four at 4/s, about a second.
    for (let i = 0; i < 4; i++) budget.drain();
    await budget.take();
    expect(clock.sleeps).toEqual([500, 1250]);
    // Quiet again: the bucket refills up to its burst as before.
    clock.advance(10_000);
    for (let i = 0; i < 4; i++) await budget.take();
    expect(clock.sleeps).toEqual([500, 1250]);
  });

  it('a 429 does not hold a caller that already has its turn, and changes nothing when unlimited', async () => {
    const clock = virtualTime();
    const budget = createRateBudget({ rate: 2, burst: 1, now: clock.now, sleep: clock.sleep });
    await budget.take();
    const queued = budget.take(); // its turn is 500 ms from now, reserved before the 429
    budget.drain();
    await queued;
    expect(clock.sleeps).toEqual([500]);
    const free = createRateBudget({ rate: Infinity, now: clock.now, sleep: clock.sleep });
    free.drain();
    await free.take();
    expect(clock.sleeps).toEqual([500]);
  });

  it('is unlimited with rate Infinity', async () => {
    const clock = virtualTime();
    const budget = createRateBudget({ rate: Infinity, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 1000; i++) await budget.take();
    expect(clock.sleeps).toEqual([]);
  });
});
