import { UsageError } from '../errors.js';
import {
  formatExpiresValue,
  formatInstant,
  parseDuration,
  parseExpires,
} from '../policy/parse-time.js';

/** When a requested grant ends, as the policy will say it and as the pull request shows it. */
export interface RequestedExpiry {
  /** The `expires` text written into the policy. */
  value: string;
  /** The first instant at which the grant is no longer allowed (`now >= endsAt` = expired). */
  endsAt: Date;
  /** The user's own words: `--for 8h`, `--until 2026-12-31`. */
  input: string;
  /** `for`: a duration from now; `date`: through the end of that day UTC; `instant`: a date-time. */
  kind: 'for' | 'date' | 'instant';
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `--for DURATION` (measured from `now`) or `--until DATE|DATE-TIME`, exactly one of them.
 *
 * - `--for 8h` is written as a UTC instant to the second (`2026-03-02T17:00:00Z`). `now` is
 *   truncated to the whole second first, so the written grant is never longer than asked for
 *   (and so never over a `maxDuration` equal to the request).
 * - `--until 2026-12-31` is written as that date: "through the end of that day, UTC", the way a
 *   person reads it in the policy.
 * - `--until 2026-12-31T18:00:00+01:00` is written as the same instant in UTC
 *   (`2026-12-31T17:00:00Z`): one canonical form in the file; the pull request shows the input.
 *
 * Refuses (a `UsageError`) an unparseable value and an end that is not in the future.
 */
export function resolveExpiry(
  options: { for?: string | undefined; until?: string | undefined },
  now: Date,
): RequestedExpiry {
  const { for: duration, until } = options;
  if ((duration === undefined) === (until === undefined)) {
    throw new UsageError(
      'say how long the access is for: --for DURATION (8h, 14d) or --until DATE (2026-12-31)',
    );
  }
  let expiry: RequestedExpiry;
  if (duration !== undefined) {
    const ms = parseDuration(duration);
    if (ms === undefined) {
      throw new UsageError(
        `--for must be a whole number and a unit (m, h, d, w), like 30m, 8h, 14d or 2w; got "${duration}"`,
      );
    }
    const endsAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + ms);
    expiry = { value: formatExpiresValue(endsAt), endsAt, input: `--for ${duration}`, kind: 'for' };
  } else {
    const text = (until as string).trim();
    const parsed = parseExpires(text);
    if (!parsed.ok) throw new UsageError(`--until: ${parsed.message}`);
    const isDate = DATE_ONLY.test(text);
    expiry = {
      value: isDate ? text : formatExpiresValue(parsed.value),
      endsAt: parsed.value,
      input: `--until ${text}`,
      kind: isDate ? 'date' : 'instant',
    };
  }
  if (expiry.endsAt.getTime() <= now.getTime()) {
    throw new UsageError(
      `${expiry.input} ends at ${formatInstant(expiry.endsAt)}, which is not after now (${formatInstant(now)})`,
    );
  }
  return expiry;
}
