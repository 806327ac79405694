/**
 * `rolecall review --github`: one access-review issue per business, a checkbox per policy entry
 * (checked = keep), with a due date. At most one open review per business: when one is open
 * (found by label, hidden marker and author — never by title) it is left exactly as it is,
 * because rewriting its body would wipe the ticks reviewers already made.
 */
import { UsageError } from '../errors.js';
import { appendJobSummary } from '../github/job-summary.js';
import { findLabelledItems } from '../github/labelled-items.js';
import { REVIEW_LABEL } from '../github/review-issue-record.js';
import { createReviewIssue } from './github/review-issue.js';
import { parseDuration } from '../policy/parse-time.js';
import {
  parseReviewIssueBody,
  renderReviewIssueBody,
  renderReviewMarkdown,
} from '../review/index.js';
import type { Console } from '../ports.js';
import { openGitHub } from './context.js';
import type { ReviewPack } from './review-pack.js';

const DAY_MS = 86_400_000;
export const DEFAULT_DUE_IN = '14d';

/**
 * The due date (`YYYY-MM-DD`, UTC) from `--due` or `--due-in` (default 14 days). A review due
 * in the past, or more than a year out, is a typo.
 */
export function dueDateOf(
  options: { due?: string | undefined; dueIn?: string | undefined },
  now: Date,
): string {
  if (options.due !== undefined && options.dueIn !== undefined) {
    throw new UsageError('give --due or --due-in, not both');
  }
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let due: number;
  if (options.due !== undefined) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(options.due);
    due = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
    if (Number.isNaN(due) || new Date(due).toISOString().slice(0, 10) !== options.due) {
      throw new UsageError(`--due must be a date YYYY-MM-DD, got "${options.due}"`);
    }
  } else {
    const text = options.dueIn ?? DEFAULT_DUE_IN;
    const ms = /^\d+[dw]$/.test(text.trim()) ? parseDuration(text) : undefined;
    if (ms === undefined) {
      throw new UsageError(`--due-in must be a number of days or weeks (14d, 2w), got "${text}"`);
    }
    due = today + Math.ceil(ms / DAY_MS) * DAY_MS;
  }
  if (due < today) throw new UsageError(`the due date ${iso(due)} is in the past`);
  if (due > today + 366 * DAY_MS) {
    throw new UsageError(`the due date ${iso(due)} is more than a year away`);
  }
  return iso(due);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export interface CampaignResult {
  businessId: number;
  action: 'opened' | 'already-open';
  number: number;
  url: string;
  due: string | null;
  people: number;
}

/** Opens the review issues; returns what happened per business (printed by the caller). */
export async function openReviewCampaign(
  io: Console,
  pack: ReviewPack,
  due: string,
): Promise<CampaignResult[]> {
  const gh = await openGitHub(io);
  const results: CampaignResult[] = [];
  for (const business of pack.desired.businesses) {
    const id = business.businessId;
    const rows = pack.rows.filter((row) => row.businessId === id);
    const name =
      pack.live.businesses.find((b) => b.businessId === id)?.name ??
      business.name ??
      `business ${id}`;
    const open = await findLabelledItems(gh.octokit, gh.repo, {
      label: REVIEW_LABEL,
      kind: 'review',
      scope: String(id),
      state: 'open',
      type: 'issue',
      author: gh.identity.login,
    });
    const existing = open[0];
    if (existing) {
      results.push({
        businessId: id,
        action: 'already-open',
        number: existing.number,
        url: existing.htmlUrl,
        due: parseReviewIssueBody(existing.body).due,
        people: rows.filter((row) => row.reviewKey !== null).length,
      });
      continue;
    }
    const seats = pack.seats.find((entry) => entry.businessId === id);
    const body = renderReviewIssueBody(rows, {
      due,
      business: { id, name },
      ...(seats === undefined ? {} : { seats }),
      closeCommand: '`rolecall review close --issue <this issue’s number>`',
    });
    const created = await createReviewIssue(gh.octokit, {
      repo: gh.repo,
      businessId: id,
      title: `Access review: ${oneLine(name)} (business ${id}), due ${due}`,
      body,
    });
    results.push({
      businessId: id,
      action: 'opened',
      number: created.number,
      url: created.url,
      due,
      people: rows.filter((row) => row.reviewKey !== null).length,
    });
  }
  // The whole pack (everyone, with provenance) in the run's summary, for the audit trail.
  await appendJobSummary(
    gh.context.stepSummaryPath,
    renderReviewMarkdown(pack.rows, { seats: pack.seats }),
  );
  return results;
}

/** Issue titles are one line and at most 256 characters. */
function oneLine(text: string): string {
  const clean = text.replace(/[\r\n\t]+/g, ' ').trim();
  return clean.length > 120 ? `${clean.slice(0, 119)}…` : clean;
}

export function describeCampaign(results: readonly CampaignResult[]): string {
  const lines = results.map((r) =>
    r.action === 'opened'
      ? `business ${r.businessId}: opened review #${r.number} (${r.people} to review, due ${r.due}) ${r.url}`
      : `business ${r.businessId}: review #${r.number} is still open (due ${r.due ?? 'unknown'}); not opening another ${r.url}`,
  );
  return `${lines.join('\n')}\n`;
}
