/**
 * The review pack as CSV for auditors' spreadsheets: RFC 4180 (CRLF line ends, fields with a
 * comma, quote, CR or LF quoted, quotes doubled), one header row, one row per person.
 *
 * Guard against CSV/formula injection: a name or reason typed by anyone could start with `=`,
 * `+`, `-`, `@`, a tab or a carriage return and run as a formula when the file is opened in a
 * spreadsheet. Such cells get a leading `'` (OWASP's recommendation), which spreadsheets show as
 * text. No column rolecall writes legitimately starts with one of those characters.
 *
 * Paid seats: per person, whether they hold one and what it costs (amount, currency and period
 * in three columns, so a spreadsheet can sum `seat_cost`); per business, the policy's limit,
 * repeated on each of its rows. The file stays one header and one row per person, and a
 * business's seats in use, cost and waste are a pivot away (count `paid_seat` = yes, sum
 * `seat_cost`, filter `flags` on `pending-seat` / `expired-seat`). The seat columns come last,
 * so that tools reading the older columns by position keep working.
 */
import { displayExpiry } from '../plan/expiry.js';
import type { ReviewRow, ReviewSeats } from './review-types.js';

export const REVIEW_CSV_COLUMNS = [
  'business_id',
  'business_name',
  'email',
  'name',
  'role',
  'state',
  'in_policy',
  'policy_role',
  'via',
  'reason',
  'ticket',
  'expires',
  'granted_by',
  'granted_by_email',
  'granted_at',
  'commit',
  'pull_request',
  'days_since_granted',
  'live_since',
  'flags',
  'policy_source',
  'paid_seat',
  'seat_cost',
  'seat_currency',
  'seat_period',
  'seat_limit',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: injection-guarded, then quoted when RFC 4180 requires it. */
export function csvField(value: string | number | boolean | null): string {
  let text =
    value === null ? '' : typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function cells(
  row: ReviewRow,
  seats: ReviewSeats | undefined,
): Array<string | number | boolean | null> {
  return [
    row.businessId,
    row.businessName,
    row.email,
    row.name,
    row.role,
    row.state,
    row.inPolicy,
    row.policyRole,
    row.via,
    row.reason,
    row.ticket,
    row.expires === null ? null : displayExpiry(row.expires),
    row.grantedBy,
    row.grantedByEmail,
    row.grantedAt,
    row.commit,
    row.pullRequest,
    row.daysSinceGranted,
    row.liveSince,
    row.flags.join(';'),
    row.policySource,
    row.paidSeat,
    row.seatCost?.amount ?? null,
    row.seatCost?.currency ?? null,
    row.seatCost?.per ?? null,
    seats?.limit ?? null,
  ];
}

/** `seats` (`summarizeReviewSeats`) fills `seat_limit`; without it the column is empty. */
export function renderReviewCsv(
  rows: readonly ReviewRow[],
  options: { seats?: readonly ReviewSeats[] } = {},
): string {
  const seatsById = new Map((options.seats ?? []).map((seats) => [seats.businessId, seats]));
  const lines = [REVIEW_CSV_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(cells(row, seatsById.get(row.businessId)).map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
