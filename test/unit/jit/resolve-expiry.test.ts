import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { resolveExpiry } from '../../../src/jit/resolve-expiry.js';

const NOW = new Date('2026-03-02T09:00:00.750Z');

describe('resolveExpiry', () => {
  it.each([
    // input, written value, first instant without access, kind
    [{ for: '8h' }, '2026-03-02T17:00:00Z', '2026-03-02T17:00:00.000Z', 'for'],
    [{ for: '30m' }, '2026-03-02T09:30:00Z', '2026-03-02T09:30:00.000Z', 'for'],
    [{ for: '14d' }, '2026-03-16T09:00:00Z', '2026-03-16T09:00:00.000Z', 'for'],
    [{ for: '2w' }, '2026-03-16T09:00:00Z', '2026-03-16T09:00:00.000Z', 'for'],
    // A date: through the end of that day, UTC; written as the date.
    [{ until: '2026-03-31' }, '2026-03-31', '2026-04-01T00:00:00.000Z', 'date'],
    [{ until: ' 2026-03-02 ' }, '2026-03-02', '2026-03-03T00:00:00.000Z', 'date'],
    // A date-time with an offset: the same instant, written in UTC.
    [
      { until: '2026-03-02T18:00:00+01:00' },
      '2026-03-02T17:00:00Z',
      '2026-03-02T17:00:00.000Z',
      'instant',
    ],
    [{ until: '2026-03-02T18:00Z' }, '2026-03-02T18:00:00Z', '2026-03-02T18:00:00.000Z', 'instant'],
  ] as const)('%o → expires: %s', (input, value, endsAt, kind) => {
    const expiry = resolveExpiry(input, NOW);
    expect(expiry.value).toBe(value);
    expect(expiry.endsAt.toISOString()).toBe(endsAt);
    expect(expiry.kind).toBe(kind);
    expect(expiry.input).toBe(
      'for' in input ? `--for ${input.for}` : `--until ${input.until.trim()}`,
    );
  });

  it('never makes a --for grant longer than asked: now is cut to the whole second', () => {
    const expiry = resolveExpiry({ for: '8h' }, NOW);
    expect(expiry.endsAt.getTime() - NOW.getTime()).toBeLessThanOrEqual(8 * 3_600_000);
    expect(expiry.endsAt.getTime() - NOW.getTime()).toBeGreaterThan(8 * 3_600_000 - 1000);
  });

  it.each([
    [{}, /--for DURATION .* or --until DATE/],
    [{ for: '8h', until: '2026-12-31' }, /--for DURATION .* or --until DATE/],
    [{ for: '8 hours' }, /--for must be a whole number and a unit/],
    [{ for: '0h' }, /--for must be/],
    [{ for: '1y' }, /--for must be/],
    [{ until: 'tomorrow' }, /--until: "tomorrow" is not a date/],
    [{ until: '2026-02-30' }, /not a calendar date/],
    [{ until: '2026-03-02T18:00:00' }, /has no UTC offset/],
    // The past, and the exact present, are refused: the grant would be expired on arrival.
    [{ until: '2026-03-01' }, /ends at 2026-03-02 00:00 UTC, which is not after now/],
    [{ until: '2026-03-02T09:00:00.750Z' }, /not after now/],
  ])('refuses %o', (input, message) => {
    expect(() => resolveExpiry(input, NOW)).toThrow(UsageError);
    expect(() => resolveExpiry(input, NOW)).toThrow(message);
  });

  it('accepts the day itself: a date means through its end', () => {
    expect(resolveExpiry({ until: '2026-03-02' }, NOW).endsAt.toISOString()).toBe(
      '2026-03-03T00:00:00.000Z',
    );
  });
});
