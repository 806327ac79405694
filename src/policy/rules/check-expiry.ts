import type { PolicyRole } from '../../roles.js';
import { quote } from '../check-email.js';
import type { CheckOptions, DurationCheck, Grant, PolicyDocument, Report } from '../model.js';
import { grantLabel } from '../model.js';
import { formatDuration, formatInstant, parseDuration, parseExpires } from '../parse-time.js';

function who(grant: Grant): string {
  return grant.kind === 'team'
    ? grantLabel(grant)
    : (grant.people[0]?.rawEmail.trim() ?? grantLabel(grant));
}

/**
 * Time-bound access. For each member entry and team:
 * - `expires` must parse (sets `grant.expiresAt`);
 * - roles in `rules.requireExpiry`, and roles with a `rules.maxDuration`, must carry `expires`;
 * - `expires` may lie at most `maxDuration` after the grant was made: the time of the commit that
 *   last set the `expires` line when `grantTimes` knows it (an extension is an edit of that line,
 *   so it is measured from the extension), otherwise from `now` — collected here, checked by
 *   `checkDurations` once every file is through its own rules;
 * - an `expires` already past is a warning: valid, but the planner will revoke the grant.
 */
export function checkExpiry(doc: PolicyDocument, report: Report, options: CheckOptions): void {
  const rules = doc.raw.rules;
  const required = new Set<PolicyRole>(rules?.requireExpiry ?? []);
  const maxDuration = rules?.maxDuration ?? {};
  for (const grant of doc.grants) {
    const limitText = maxDuration[grant.role];
    const limitMs = limitText === undefined ? undefined : parseDuration(limitText);
    if (grant.expires === undefined) {
      if (required.has(grant.role)) {
        report.error(
          'EXPIRY_REQUIRED',
          `${who(grant)}: role "${grant.role}" must carry \`expires\` (rules.requireExpiry)`,
          doc.locator.at(grant.path),
        );
      } else if (limitMs !== undefined) {
        report.error(
          'EXPIRY_REQUIRED',
          `${who(grant)}: role "${grant.role}" is limited to ${limitText ?? ''} (rules.maxDuration), so it must carry \`expires\``,
          doc.locator.at(grant.path),
        );
      }
      continue;
    }
    const where = doc.locator.at([...grant.path, 'expires']);
    const parsed = parseExpires(grant.expires);
    if (!parsed.ok) {
      report.error('INVALID_EXPIRES', `${who(grant)}: \`expires\` ${parsed.message}`, where);
      continue;
    }
    grant.expiresAt = parsed.value;
    if (options.now.getTime() >= parsed.value.getTime()) {
      report.warning(
        'EXPIRED',
        `${who(grant)}: the grant expired at ${formatInstant(parsed.value)} (expires ${quote(grant.expires.trim())}); the planner will revoke it. Remove the entry, or extend it`,
        where,
      );
    }
    if (limitMs !== undefined) {
      doc.durations.push({
        who: who(grant),
        role: grant.role,
        expiresAt: parsed.value,
        limitMs,
        where,
      });
    }
  }
}

/**
 * `rules.maxDuration`, for the checks `checkExpiry` collected: measured from the commit that set
 * the `expires` line when `grantTimes` knows it, otherwise from `now`.
 */
export function checkDurations(
  docs: ReadonlyArray<{ file: string; durations: readonly DurationCheck[] }>,
  report: Report,
  options: CheckOptions,
): void {
  for (const doc of docs) {
    for (const check of doc.durations) {
      const grantedAt = options.grantTimes?.(doc.file, check.where.line);
      const from = grantedAt ?? options.now;
      const length = check.expiresAt.getTime() - from.getTime();
      if (length <= check.limitMs) continue;
      const since = grantedAt
        ? `after the commit that set it (${formatInstant(grantedAt)})`
        : `from now (${formatInstant(options.now)})`;
      report.error(
        'EXPIRY_TOO_LONG',
        `${check.who}: expires ${formatInstant(check.expiresAt)}, ${formatLength(length)} ${since}; rules.maxDuration allows "${check.role}" at most ${formatDuration(check.limitMs)}`,
        { ...check.where },
      );
    }
  }
}

/** `183d 4h` — coarse, for messages. */
function formatLength(ms: number): string {
  const hours = Math.ceil(ms / 3_600_000);
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  if (days === 0) return `${hours}h`;
  return rest === 0 ? `${days}d` : `${days}d ${rest}h`;
}
