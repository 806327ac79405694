/**
 * Time in policies. Two forms for `expires`:
 *
 * - a date, `2026-12-31`: access through the **end of that day, UTC**. The grant ends at the
 *   first instant of the next day, `2027-01-01T00:00:00.000Z`;
 * - a date-time with an offset, `2026-12-31T18:00:00+01:00` (or `Z`): the grant ends at that
 *   instant. A date-time without an offset is refused: it would mean different instants on a
 *   laptop and in CI.
 *
 * The result is the first instant at which the grant is no longer allowed (see
 * `DesiredMember.expires`): a grant is expired iff `now >= expires`.
 *
 * Durations (`rules.maxDuration`, `rolecall request --for`): a whole number and one unit,
 * `m` minutes, `h` hours, `d` days (24 h), `w` weeks: `30m`, `8h`, `14d`, `2w`.
 */

export type TimeResult = { ok: true; value: Date } | { ok: false; message: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^([1-9]\d{0,5})([mhdw])$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validDate(y: number, m: number, d: number): boolean {
  return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

const EXAMPLES = 'use a date (2026-12-31) or a date-time with an offset (2026-12-31T18:00:00Z)';

/** Parses an `expires` value into the instant the grant ends. */
export function parseExpires(text: string): TimeResult {
  const s = text.trim();
  const date = DATE.exec(s);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!validDate(y, m, d)) return { ok: false, message: `"${s}" is not a calendar date` };
    // End of that day UTC = start of the next day.
    return { ok: true, value: new Date(Date.UTC(y, m - 1, d + 1)) };
  }
  const dt = DATE_TIME.exec(s);
  if (!dt) return { ok: false, message: `"${s}" is not a date: ${EXAMPLES}` };
  const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((k) => Number(dt[k])) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const sec = dt[6] === undefined ? 0 : Number(dt[6]);
  const ms = dt[7] === undefined ? 0 : Math.floor(Number(`0.${dt[7]}`) * 1000);
  if (!validDate(y, mo, d)) return { ok: false, message: `"${s}" is not a calendar date` };
  if (h > 23 || mi > 59 || sec > 59)
    return { ok: false, message: `"${s}" is not a valid time of day` };
  let offsetMinutes: number;
  if (dt[8] !== undefined) {
    offsetMinutes = 0;
  } else if (dt[9] !== undefined) {
    const oh = Number(dt[10]);
    const om = Number(dt[11]);
    if (oh > 23 || om > 59) return { ok: false, message: `"${s}" has an invalid UTC offset` };
    offsetMinutes = (dt[9] === '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return {
      ok: false,
      message: `"${s}" has no UTC offset: add one (e.g. ${s}Z or ${s}+01:00) so it means the same instant everywhere`,
    };
  }
  return {
    ok: true,
    value: new Date(Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMinutes * 60_000),
  };
}

/** Parses `30m`, `8h`, `14d`, `2w` into milliseconds, or `undefined`. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * MS[match[2] as keyof typeof MS];
}

/** A duration for humans: `180d`, `8h`, `2w` (the largest unit that divides it). */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    if (ms % MS[unit] === 0) return `${ms / MS[unit]}${unit}`;
  }
  return `${Math.round(ms / 60_000)}m`;
}

/** An instant for humans, to the minute: `2027-01-01 00:00 UTC`. */
export function formatInstant(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How to write an instant into a policy's `expires`: `2026-12-01T08:00:00Z` (UTC, seconds). */
export function formatExpiresValue(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}
