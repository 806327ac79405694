/**
 * `rolecall review`: the access review pack (CSV, JSON or markdown, to stdout or a file), and
 * with `--github` the review campaign — one issue per business to tick (review-campaign.ts).
 * `rolecall review close` is review-close.ts.
 */
import { EXIT } from '../errors.js';
import { resolve } from 'node:path';
import type { Console } from '../ports.js';
import { renderReviewCsv, renderReviewJson, renderReviewMarkdown } from '../review/index.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import {
  describeCampaign,
  dueDateOf,
  openReviewCampaign,
  type CampaignResult,
} from './review-campaign.js';
import { loadReviewPack, type ReviewPack, type ReviewPackOptions } from './review-pack.js';

export type ReviewFormat = 'csv' | 'json' | 'markdown';

export interface ReviewOptions extends ReviewPackOptions {
  format: ReviewFormat;
  /** Write the pack to this file (atomically) instead of stdout. */
  out?: string | undefined;
  /** `--github`: open the review campaign, due on `--due` or in `--due-in`. */
  campaign?: { due?: string | undefined; dueIn?: string | undefined } | undefined;
}

export interface ReviewOutcome {
  exitCode: 0;
  /** What the campaign did per business; absent without `--github`. */
  campaign?: CampaignResult[];
}

export async function review(io: Console, options: ReviewOptions): Promise<ReviewOutcome> {
  const { now } = options;
  // Checked before any network call: a typo must not cost a FreshBooks sync.
  const due = options.campaign ? dueDateOf(options.campaign, now) : null;
  const pack = await loadReviewPack(io, options);
  if (due !== null) {
    const results = await openReviewCampaign(io, pack, due);
    io.stdout.write(describeCampaign(results));
    if (options.out !== undefined) {
      await writePack(io, options.out, render(pack, options.format, now));
    }
    return { exitCode: EXIT.OK, campaign: results };
  }
  const text = render(pack, options.format, now);
  if (options.out === undefined) {
    io.stdout.write(text);
  } else {
    await writePack(io, options.out, text);
  }
  return { exitCode: EXIT.OK };
}

function render(pack: ReviewPack, format: ReviewFormat, now: Date): string {
  const options = { generatedAt: now.toISOString(), seats: pack.seats };
  if (format === 'json') return renderReviewJson(pack.rows, options);
  if (format === 'markdown') return renderReviewMarkdown(pack.rows, options);
  return renderReviewCsv(pack.rows, { seats: pack.seats });
}

async function writePack(io: Console, out: string, text: string): Promise<void> {
  await writeFileAtomic(resolve(io.cwd, out), text);
  io.stderr.write(`wrote ${out}\n`);
}
