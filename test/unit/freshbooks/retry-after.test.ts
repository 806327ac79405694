/**
 * `Retry-After` is answered per request: the request that got the 429 waits what the server
 * asked for; the others keep the shared budget's pace; a burst of 429s still slows everyone,
 * because each 429 drains the bucket. Discrete-event time: concurrent sleeps overlap, and the
 * clock jumps to the next wake-up.
 */
import { describe, expect, it } from 'vitest';
import { ApiClient, type ApiCall } from '../../../src/freshbooks/api-client.js';
import type { HttpRequest, HttpResponse } from '../../../src/freshbooks/http-transport.js';
import { redactingLogger } from '../../../src/freshbooks/logger.js';
import { createRateBudget } from '../../../src/freshbooks/rate-budget.js';
import { newCounters } from '../../../src/freshbooks/retry-policy.js';

function world(answer: (req: HttpRequest, nth: number) => HttpResponse, rate: number) {
  let t = 0;
  const timers: Array<{ at: number; wake: () => void }> = [];
  const sleep = (ms: number) =>
    new Promise<void>((wake) => timers.push({ at: t + Math.max(0, ms), wake }));
  const sent: Array<{ at: number; url: string }> = [];
  const client = new ApiClient({
    baseUrl: 'https://api.example',
    transport: {
      send: (req) => {
        sent.push({ at: t, url: req.url });
        return Promise.resolve(answer(req, sent.filter((s) => s.url === req.url).length));
      },
      close: () => Promise.resolve(),
    },
    budget: createRateBudget({ rate, burst: rate, now: () => t, sleep }),
    tokens: {
      accessToken: () => Promise.resolve('token-0123456789abcdef'),
      renew: () => Promise.resolve('token-0123456789abcdef'),
    },
    retry: {
      maxRetries: 3,
      backoff: { baseMs: 100, capMs: 1000, random: () => 0 },
      maxRetryAfterMs: 60_000,
      sleep,
      wallNow: () => 0,
    },
    counters: newCounters(),
    logger: redactingLogger({ debug: () => {}, warn: () => {} }),
  });
  /** Runs the calls to completion; resolves with the time each one finished. */
  async function run(calls: Array<{ path: string; startAt?: number }>): Promise<number[]> {
    const finished: number[] = [];
    const all = calls.map(async (c, i) => {
      if (c.startAt) await sleep(c.startAt);
      const call: ApiCall = { method: 'GET', path: c.path, kind: 'read' };
      await client.call(call);
      finished[i] = t;
    });
    const done = Promise.all(all);
    let settled = false;
    void done.then(() => (settled = true));
    for (let guard = 0; guard < 10_000 && !settled; guard++) {
      await new Promise((resolve) => setImmediate(resolve));
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (next) {
        t = Math.max(t, next.at);
        next.wake();
      }
    }
    await done;
    return finished;
  }
  return { run, sent };
}

const tooMany = (seconds: number): HttpResponse => ({
  status: 429,
  headers: { 'retry-after': String(seconds) },
  text: '',
});
const ok: HttpResponse = { status: 200, headers: {}, text: '{"response":{}}' };

describe('Retry-After, per request', () => {
  it('only the request that got the 429 waits what the server asked; the others go on', async () => {
    // /slow is refused once with Retry-After: 2; ten other reads follow at 10/s.
    const w = world((req, nth) => (req.url.endsWith('/slow') && nth === 1 ? tooMany(2) : ok), 10);
    const calls = [
      { path: '/slow' },
      ...Array.from({ length: 10 }, (_, i) => ({ path: `/r${i}` })),
    ];
    const finished = await w.run(calls);
    // The slow one: sent at 0, refused, back after its 2 s.
    expect(finished[0]).toBeGreaterThanOrEqual(2000);
    // The others never waited for it: all done within about a second (10 at 10/s, less the
    // burst, plus the token the 429 cost), long before the slow one.
    expect(Math.max(...finished.slice(1))).toBeLessThan(1500);
    expect(w.sent.filter((s) => s.url.endsWith('/slow')).map((s) => s.at)).toEqual([0, 2000]);
  });

  it('a burst of 429s drains the bucket: everyone slows down in proportion', async () => {
    // Ten reads at once, each refused once (Retry-After: 0: the wait is the bucket's alone),
    // then a late one. Without the drain they would all be done within a second (burst 10).
    const w = world((_req, nth) => (nth === 1 ? tooMany(0) : ok), 10);
    const calls = Array.from({ length: 10 }, (_, i) => ({ path: `/r${i}` }));
    const finished = await w.run([...calls, { path: '/late', startAt: 100 }]);
    // Ten 429s leave ten tokens of debt on top of the ten retries: the late read waits ~2 s.
    expect(finished[10]).toBeGreaterThanOrEqual(1900);
    // Nobody went faster than the budget: at most burst + rate × time requests by any moment.
    w.sent.forEach((s, i) => expect(i + 1).toBeLessThanOrEqual(10 + (s.at / 1000) * 10 + 1e-6));
  });
});
