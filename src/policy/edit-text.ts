/**
 * Small helpers for splicing YAML source text by offsets and lines. Offsets are UTF-16 indices
 * into the text, as the `yaml` package reports them in `node.range`.
 */

export interface Splice {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping splices (any order). */
export function applySplices(text: string, splices: readonly Splice[]): string {
  const sorted = [...splices].sort((a, b) => b.start - a.start);
  let out = text;
  for (const s of sorted) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line's `\n` (or the end of the text). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** Offset of the line's `\n` (or the end of the text). */
export function lineEndOf(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl;
}

/** Column (0-based) of an offset. */
export function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** The offset of the last non-blank character before `end` (a node's range end includes trailing newlines). */
export function lastContentOffset(text: string, start: number, end: number): number {
  let p = end;
  while (p > start && /\s/.test(text[p - 1] as string)) p--;
  return Math.max(start, p - 1);
}

export function isBlankLine(text: string, lineStart: number): boolean {
  if (lineStart >= text.length) return false;
  const end = lineEndOf(text, lineStart);
  return text.slice(lineStart, end).trim() === '';
}

/** Start of the previous line, or -1 at the first line. */
export function previousLineStart(text: string, lineStart: number): number {
  if (lineStart === 0) return -1;
  return lineStartOf(text, lineStart - 1);
}
