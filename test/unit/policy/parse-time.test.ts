import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatExpiresValue,
  parseDuration,
  parseExpires,
} from '../../../src/policy/parse-time.js';

describe('parseExpires', () => {
  it.each([
    // A date means through the end of that day UTC: the grant ends at the next midnight UTC.
    ['2026-12-31', '2027-01-01T00:00:00.000Z'],
    ['2028-02-29', '2028-03-01T00:00:00.000Z'],
    ['2026-12-31T18:00:00Z', '2026-12-31T18:00:00.000Z'],
    ['2026-12-31T18:00Z', '2026-12-31T18:00:00.000Z'],
    ['2026-12-31T18:00:00+01:00', '2026-12-31T17:00:00.000Z'],
    ['2026-12-31T18:00:00-0530', '2026-12-31T23:30:00.000Z'],
    ['2026-12-31T18:00:00.250Z', '2026-12-31T18:00:00.250Z'],
    ['  2026-12-31  ', '2027-01-01T00:00:00.000Z'],
  ])('%s ends at %s', (text, instant) => {
    const result = parseExpires(text);
    expect(result.ok && result.value.toISOString()).toBe(instant);
  });

  it.each([
    ['2027-02-29', 'not a calendar date'],
    ['2026-13-01', 'not a calendar date'],
    ['2026-12-31T24:00:00Z', 'not a valid time'],
    ['2026-12-31T18:00:00', 'no UTC offset'],
    ['2026-12-31T18:00:00+25:00', 'invalid UTC offset'],
    ['31/12/2026', 'is not a date'],
    ['tomorrow', 'is not a date'],
    ['2026-1-5', 'is not a date'],
  ])('%s is refused (%s)', (text, why) => {
    const result = parseExpires(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(why);
  });

  it('a grant is expired iff now >= expires: the last millisecond of the day is still inside', () => {
    const result = parseExpires('2026-12-31');
    if (!result.ok) throw new Error('unreachable');
    expect(new Date('2026-12-31T23:59:59.999Z') < result.value).toBe(true);
    expect(new Date('2027-01-01T00:00:00.000Z') >= result.value).toBe(true);
  });
});

describe('durations', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['8h', 8 * 3_600_000],
    ['14d', 14 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['180d', 180 * 86_400_000],
  ])('%s = %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['0d', '8', 'h', '1.5h', '8 h', '-1d', '1y', '1d12h', '9999999d'])(
    '%s is refused',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );

  it('formats durations and instants for messages and the policy', () => {
    expect(formatDuration(14 * 86_400_000)).toBe('2w');
    expect(formatDuration(3 * 86_400_000)).toBe('3d');
    expect(formatDuration(90 * 60_000)).toBe('90m');
    expect(formatExpiresValue(new Date('2026-12-06T08:00:00.000Z'))).toBe('2026-12-06T08:00:00Z');
    expect(parseExpires(formatExpiresValue(new Date('2026-12-06T08:00:00.000Z')))).toEqual({
      ok: true,
      value: new Date('2026-12-06T08:00:00.000Z'),
    });
  });
});
