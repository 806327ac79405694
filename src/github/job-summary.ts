/**
 * The job summary (`$GITHUB_STEP_SUMMARY`): the full plan, where the pull-request comment only
 * has room for a summary. GitHub shows at most 1 MiB per step and drops a larger summary
 * entirely, so rolecall asks the renderer for less when the first rendering does not fit (the
 * planner's renderer degrades to a summary, then to counts), and cuts with a note as a last
 * resort.
 */
import { appendFile, stat } from 'node:fs/promises';
import { redact } from '../redact.js';
import { STEP_SUMMARY_MAX_BYTES, truncateBytesWithNote, utf8Bytes } from './limits.js';

export const SUMMARY_TRUNCATION_NOTE =
  '> ⚠️ **Truncated** to stay under GitHub’s 1 MiB job-summary limit. The plan artifact of this run has everything.';

export interface SummaryResult {
  written: boolean;
  bytes: number;
  /** The renderer was asked again with a smaller budget. */
  degraded: boolean;
  truncated: boolean;
}

/**
 * Appends markdown to the job summary. `content` is the markdown, or a renderer taking a
 * character budget. Does nothing (and says so in the result) when `path` is null, as outside
 * Actions. Everything written passes through `redact`.
 */
export async function appendJobSummary(
  path: string | null,
  content: string | ((maxChars: number) => string),
  options: { maxBytes?: number } = {},
): Promise<SummaryResult> {
  if (!path) return { written: false, bytes: 0, degraded: false, truncated: false };
  const limit = options.maxBytes ?? STEP_SUMMARY_MAX_BYTES;
  const existing = await sizeOf(path);
  // One byte for the separating newline.
  const available = limit - existing - 1;
  if (available < utf8Bytes(SUMMARY_TRUNCATION_NOTE) + 64) {
    return { written: false, bytes: 0, degraded: false, truncated: false };
  }
  const render = typeof content === 'string' ? () => content : content;
  let text = redact(render(available));
  let degraded = false;
  let bytes = utf8Bytes(text);
  if (bytes > available && typeof content !== 'string') {
    // Characters may take several bytes each: shrink the budget in proportion, with a margin.
    text = redact(render(Math.floor((available * available * 0.95) / bytes)));
    degraded = true;
    bytes = utf8Bytes(text);
  }
  let truncated = false;
  if (bytes > available) {
    text = truncateBytesWithNote(text, available, SUMMARY_TRUNCATION_NOTE);
    truncated = true;
  }
  const chunk = `${text}\n`;
  await appendFile(path, chunk, 'utf8');
  return { written: true, bytes: utf8Bytes(chunk), degraded, truncated };
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}
