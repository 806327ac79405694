/**
 * GitHub's size limits, and the last-resort truncation that keeps rolecall under them. The
 * planner's markdown renderer already degrades (full detail → summary → counts) to fit the
 * budget it is given; truncation here is the defensive backstop, and it always says so.
 */

/** Issue, pull-request and comment bodies: GitHub rejects 65,536 characters and more. */
export const GITHUB_BODY_MAX_CHARS = 65_535;

/** The job summary of one step: 1 MiB. */
export const STEP_SUMMARY_MAX_BYTES = 1024 * 1024;

/**
 * `text` if it fits in `maxChars`; otherwise its longest prefix that ends at a line break, with
 * an unclosed ``` fence closed and `note` appended, in at most `maxChars` characters. Never
 * splits a surrogate pair.
 */
export function truncateWithNote(text: string, maxChars: number, note: string): string {
  if (text.length <= maxChars) return text;
  const tail = `\n\n${note}\n`;
  // Room for the note and for a closing fence.
  const budget = maxChars - tail.length - '\n```'.length;
  if (budget <= 0) return tail.trim().slice(0, maxChars);
  let cut = text.slice(0, budget);
  const lastBreak = cut.lastIndexOf('\n');
  if (lastBreak > budget / 2) cut = cut.slice(0, lastBreak);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const fences = cut.match(/^\s*(```|~~~)/gm)?.length ?? 0;
  if (fences % 2 === 1) cut += '\n```';
  return `${cut}${tail}`;
}

/** UTF-8 size of a string. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Like `truncateWithNote`, with the budget in UTF-8 bytes (the job summary's unit). */
export function truncateBytesWithNote(text: string, maxBytes: number, note: string): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  // Characters are at most 4 bytes: start from a safe character budget and grow towards the limit.
  let low = Math.floor(maxBytes / 4);
  let high = Math.min(text.length, maxBytes);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (utf8Bytes(truncateWithNote(text, mid, note)) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  return truncateWithNote(text, low, note);
}
