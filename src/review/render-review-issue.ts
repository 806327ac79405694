/**
 * The review campaign's issue body: one checkbox per policy entry, **checked (keep) by default**;
 * the reviewer unchecks whoever should lose access, and `rolecall review close` turns the
 * unchecked boxes into a pull request that removes those entries (which then goes through the
 * normal plan, approval and apply).
 *
 * Why checked by default: the failure mode of a review nobody finishes must be "nothing
 * changes", not "everyone is removed". Removal needs a deliberate act on a named person; every
 * other state of a line (deleted, garbled, both checked and unchecked, moved into a code block
 * or comment) keeps the person. Lines are matched by a hidden per-line key
 * (`<!-- member:<email> -->`), never by the visible text, so reviewers may annotate lines freely.
 *
 * People a policy edit cannot remove (the owner, people not in the policy) are listed for
 * information, without a checkbox.
 */
import { RolecallError } from '../errors.js';
import { displayExpiry } from '../plan/expiry.js';
import { summarizeReview } from './build-review-pack.js';
import { describeReviewSeats, flagWords } from './describe-review-seats.js';
import { markdownCode, markdownText } from './escape-markdown.js';
import { describePolicyEntry } from './render-review-markdown.js';
import { keyComment } from './review-issue-key.js';
import { REVIEW_FLAGS, type ReviewRow, type ReviewSeats } from './review-types.js';

export interface ReviewIssueOptions {
  /** `YYYY-MM-DD`. */
  due: string;
  /** Needed when `rows` is empty; otherwise taken from the rows. */
  business?: { id: number; name: string };
  /** The command that closes the review, shown to the reviewer. */
  closeCommand?: string;
  /** GitHub refuses bodies over 65,536 characters; leave room for wrappers. Default 60,000. */
  maxLength?: number;
  /** The business's paid seats (`summarizeReviewSeats`): a seat line under the summary. */
  seats?: ReviewSeats;
}

type Detail = 'full' | 'compact' | 'minimal';

function checkboxLine(row: ReviewRow, detail: Detail): string {
  const key = keyComment(row.reviewKey ?? row.email);
  if (detail !== 'full')
    return `- [x] ${markdownCode(row.email)} **${row.policyRole ?? '—'}** ${key}`;
  const parts: string[] = [];
  const name = row.name === null ? '' : ` ${markdownText(row.name)}`;
  let role = `**${describePolicyEntry(row)}**`;
  if (row.state === 'absent') role += ' (no access yet)';
  else if (row.role !== row.policyRole) role += ` (live: ${markdownText(row.role ?? '—')})`;
  if (row.state === 'invited') role += ' (invitation pending)';
  if (row.state === 'deactivated') role += ' (deactivated)';
  parts.push(`${markdownCode(row.email)}${name} — ${role}`);
  const flags = flagWords({
    flags: row.flags.filter((flag) => flag !== 'role-mismatch' && flag !== 'never-accepted'),
    seatCost: row.seatCost,
  });
  if (flags.length > 0) parts.push(flags.join(', '));
  if (row.reason !== null) parts.push(markdownText(row.reason));
  if (row.ticket !== null) parts.push(markdownText(row.ticket));
  if (row.expires !== null) parts.push(`expires ${displayExpiry(row.expires)}`);
  if (row.grantedBy !== null) {
    const when = row.grantedAt === null ? '' : ` on ${row.grantedAt.slice(0, 10)}`;
    const pr = row.pullRequest === null ? '' : ` (#${row.pullRequest})`;
    parts.push(`granted by ${markdownText(row.grantedBy)}${when}${pr}`);
  }
  return `- [x] ${parts.join(' · ')} ${key}`;
}

function infoTable(rows: readonly ReviewRow[]): string[] {
  const out = ['| Email | Name | Role | State | Flags |', '|---|---|---|---|---|'];
  for (const row of rows) {
    const cells = [
      markdownCode(row.email),
      row.name === null ? '—' : markdownText(row.name),
      markdownText(row.role ?? '—'),
      row.state,
      flagWords(row).join(', ') || '—',
    ];
    out.push(`| ${cells.join(' | ')} |`);
  }
  return out;
}

function render(
  rows: readonly ReviewRow[],
  options: ReviewIssueOptions,
  business: { id: number; name: string },
  detail: Detail,
): string {
  const reviewed = rows.filter((row) => row.reviewKey !== null);
  const others = rows.filter((row) => row.reviewKey === null);
  const summary = summarizeReview(rows);
  const flagged = REVIEW_FLAGS.filter((flag) => summary.flags[flag] > 0).map(
    (flag) => `${flag} ${summary.flags[flag]}`,
  );
  const close = options.closeCommand ?? '`rolecall review close --issue <this issue number>`';
  const out = [
    `<!-- rolecall:review-body business=${business.id} due=${options.due} -->`,
    `## Access review: ${markdownText(business.name)} (business ${business.id})`,
    '',
    `**Due ${options.due}.** Everyone in the policy is listed below, **checked (keep)**. **Uncheck** each`,
    `person who should lose access. When the review is done, ${close} opens a pull request that`,
    'removes every unchecked person from the policy; it goes through the usual plan, approval and apply.',
    '',
    'Only an unchecked box removes someone: a deleted, edited or duplicated line keeps the person.',
    '',
    `${summary.people} people · ${summary.inPolicy} in the policy${flagged.length > 0 ? ` · ${flagged.join(' · ')}` : ''}`,
    '',
    ...(options.seats === undefined ? [] : [`💺 ${describeReviewSeats(options.seats)}`, '']),
    `### In the policy (${reviewed.length})`,
    '',
    ...(reviewed.length === 0 ? ['No one.'] : reviewed.map((row) => checkboxLine(row, detail))),
    '',
  ];
  if (others.length > 0) {
    out.push(
      `### Not removable by a policy edit (${others.length})`,
      '',
      'The owner, and people with access who are not in the policy (an authoritative policy revokes',
      'them at the next apply; an additive one only reports them). For information; no checkbox.',
      '',
      ...(detail === 'minimal'
        ? [`${others.length} people: see \`rolecall review --format csv\`.`]
        : infoTable(others)),
      '',
    );
  }
  return out.join('\n');
}

export function renderReviewIssueBody(
  rows: readonly ReviewRow[],
  options: ReviewIssueOptions,
): string {
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(options.due) ||
    Number.isNaN(Date.parse(`${options.due}T00:00:00Z`))
  ) {
    throw new RolecallError(
      'INVALID_DUE_DATE',
      `invalid due date ${JSON.stringify(options.due)}: use YYYY-MM-DD`,
    );
  }
  const ids = new Set(rows.map((row) => row.businessId));
  if (ids.size > 1) throw new Error('internal: a review issue covers one business');
  const first = rows[0];
  const business =
    first === undefined ? options.business : { id: first.businessId, name: first.businessName };
  if (business === undefined) throw new Error('internal: a review issue needs its business');
  if (options.seats !== undefined && options.seats.businessId !== business.id) {
    throw new Error('internal: the seats of another business');
  }
  const limit = options.maxLength ?? 60_000;
  for (const detail of ['full', 'compact', 'minimal'] as const) {
    const body = render(rows, options, business, detail);
    if (body.length <= limit) return body;
  }
  throw new RolecallError(
    'REVIEW_TOO_LARGE',
    `the review of business ${business.id} has too many people for one issue (${rows.length}); ` +
      'review with `rolecall review --format csv` instead',
  );
}
