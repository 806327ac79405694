import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../../../src/freshbooks/backoff.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['1', 1000],
    ['  7 ', 7000],
    ['120', 120_000],
    ['Sun, 01 Mar 2026 12:00:05 GMT', 5000],
    ['Sunday, 01-Mar-26 12:00:30 GMT', 30_000],
    ['Sun Mar  1 12:01:00 2026', 60_000],
    ['Sun, 01 Mar 2026 11:00:00 GMT', 0],
  ])('%j → %d ms', (header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });

  it.each([[undefined], [null], [''], ['-1'], ['1.5'], ['soon'], ['2026-03-01'], ['Sun, 99 Foo']])(
    'ignores %j',
    (header) => {
      expect(parseRetryAfter(header, NOW)).toBeNull();
    },
  );
});

describe('backoffDelay', () => {
  const options = (random: number) => ({ baseMs: 100, capMs: 1600, random: () => random });

  it('doubles per retry with equal jitter, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options(0)))).toEqual([
      50, 100, 200, 400, 800, 800,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options(0.999999)))).toEqual([
      100, 200, 400, 800, 1600, 1600,
    ]);
  });

  it('always waits between half a step and a full step, never more than the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, baseMs, capMs, random) => {
          const step = Math.min(capMs, baseMs * 2 ** (retry - 1));
          const delay = backoffDelay(retry, { baseMs, capMs, random: () => random });
          return delay >= Math.floor(step / 2) && delay <= Math.ceil(step) && delay <= capMs;
        },
      ),
    );
  });
});
