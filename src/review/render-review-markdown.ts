/**
 * The review pack as markdown (a job summary, a file attached to an audit ticket): per business a
 * summary of counts, then one table row per person, then the flag legend.
 */
import { displayExpiry } from '../plan/expiry.js';
import { summarizeReview } from './build-review-pack.js';
import { describeReviewSeats, flagWords, seatsOf } from './describe-review-seats.js';
import { markdownCode, markdownText } from './escape-markdown.js';
import {
  REVIEW_FLAGS,
  REVIEW_FLAG_MEANINGS,
  type ReviewRow,
  type ReviewSeats,
} from './review-types.js';

const HEADER =
  '| Email | Name | Role | State | Policy | Reason | Ticket | Expires | Granted by | Granted | Commit | PR | Days | Flags |';
const RULE = '|---|---|---|---|---|---|---|---|---|---|---|---|---:|---|';

function dash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : value;
}

/** `accountant (team bookkeeping)`, `admin`, or `—` when not in the policy. */
export function describePolicyEntry(row: ReviewRow): string {
  if (row.policyRole === null) return '—';
  const team = row.via?.startsWith('team:') ? ` (team ${markdownText(row.via.slice(5))})` : '';
  return `${row.policyRole}${team}`;
}

function tableRow(row: ReviewRow): string {
  const cells = [
    markdownCode(row.email),
    dash(row.name === null ? null : markdownText(row.name)),
    dash(row.role === null ? null : markdownText(row.role)),
    row.state,
    describePolicyEntry(row),
    dash(row.reason === null ? null : markdownText(row.reason)),
    dash(row.ticket === null ? null : markdownText(row.ticket)),
    dash(row.expires === null ? null : displayExpiry(row.expires)),
    dash(row.grantedBy === null ? null : markdownText(row.grantedBy)),
    dash(row.grantedAt?.slice(0, 10)),
    row.commit === null ? '—' : markdownCode(row.commit.slice(0, 12)),
    row.pullRequest === null ? '—' : `#${row.pullRequest}`,
    row.daysSinceGranted === null ? '—' : String(row.daysSinceGranted),
    row.flags.length === 0 ? '—' : flagWords(row).join(', '),
  ];
  return `| ${cells.join(' | ')} |`;
}

function summaryLine(rows: readonly ReviewRow[]): string {
  const summary = summarizeReview(rows);
  const flagged = REVIEW_FLAGS.filter((flag) => summary.flags[flag] > 0).map(
    (flag) => `${flag} **${summary.flags[flag]}**`,
  );
  const people = `**${summary.people}** ${summary.people === 1 ? 'person' : 'people'}`;
  return [people, `**${summary.inPolicy}** in the policy`, ...flagged].join(' · ');
}

export interface RenderReviewOptions {
  generatedAt?: string;
  /** Paid seats per business (`summarizeReviewSeats`): a seat line under each summary. */
  seats?: readonly ReviewSeats[];
}

export function renderReviewMarkdown(
  rows: readonly ReviewRow[],
  options: RenderReviewOptions = {},
): string {
  const businesses = new Map<number, ReviewRow[]>();
  for (const row of rows)
    businesses.set(row.businessId, [...(businesses.get(row.businessId) ?? []), row]);
  const out: string[] = ['# Access review', ''];
  const count = businesses.size;
  const scope = `${rows.length} ${rows.length === 1 ? 'person' : 'people'} across ${count} ${count === 1 ? 'business' : 'businesses'}.`;
  out.push(
    options.generatedAt === undefined ? scope : `Generated ${options.generatedAt}. ${scope}`,
    '',
  );
  if (rows.length === 0) out.push('No one has access to the businesses under review.', '');
  for (const [businessId, group] of businesses) {
    const name = markdownText(group[0]?.businessName ?? '');
    out.push(`## ${name} (business ${businessId})`, '', summaryLine(group), '');
    const seats = seatsOf(options.seats, businessId);
    if (seats !== undefined) out.push(`💺 ${describeReviewSeats(seats)}`, '');
    out.push(HEADER, RULE);
    for (const row of group) out.push(tableRow(row));
    out.push('');
  }
  out.push('<details><summary>What the flags mean</summary>', '');
  for (const flag of REVIEW_FLAGS) out.push(`- **${flag}**: ${REVIEW_FLAG_MEANINGS[flag]}`);
  out.push(
    '',
    '"Granted by" is the author of the commit that introduced the current email and role of the',
    'policy entry (`git blame`); PR is the pull request of that commit or of the merge that',
    'brought it in. People not in the policy have no provenance: they were granted by hand.',
    '',
    'Paid seats are the active members and pending invitations whose role is in `seats.paidRoles`',
    '(default: every role but unassigned, not the owner); the limit and the price are the',
    'policy’s `seats:` block, as FreshBooks exposes neither, and costs are in the price’s own',
    'period. Unused seats are shown, not flagged: they are the room the next grant needs.',
    '',
    '</details>',
    '',
  );
  return out.join('\n');
}
