/**
 * Reads a review issue's checkboxes back (see `render-review-issue.ts`). Lenient about layout,
 * strict about identity: a line counts only when it is a task-list item outside code fences,
 * quotes and HTML comments, and carries exactly one hidden member key. Every other state keeps
 * the person — only an unchecked box removes.
 */
import { decodeKey, MEMBER_KEY } from './review-issue-key.js';

export interface ParsedReviewIssue {
  businessId: number | null;
  due: string | null;
  /** Checked: keep. */
  keep: string[];
  /** Unchecked: remove. */
  remove: string[];
  /** Checked on one line and unchecked on another: kept. */
  conflicting: string[];
  /** With `members`: people with no checkbox line at all: kept. */
  missing: string[];
  /** With `members`: keys that name no one under review (added by hand): ignored. */
  unknown: string[];
}

const TASK = /^\s*[-*+]\s+\[([ xX])\]\s+(.*)$/;

/**
 * Reads the checkboxes back. `members` (the emails under review, e.g. the policy entries at the
 * time of closing) restricts the answer to them and reports who is missing.
 */
export function parseReviewIssueBody(
  body: string,
  options: { members?: readonly string[] } = {},
): ParsedReviewIssue {
  const header = /<!-- rolecall:review-body business=(\d+) due=(\d{4}-\d{2}-\d{2}) -->/.exec(body);
  const marks = new Map<string, Set<boolean>>();
  let fence: string | null = null;
  let inComment = false;
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (inComment) {
      if (line.includes('-->')) inComment = false;
      continue;
    }
    const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fenceMatch?.[1] !== undefined) {
      const marker = fenceMatch[1].charAt(0);
      if (fence === null) fence = marker;
      else if (fence === marker) fence = null;
      continue;
    }
    if (fence !== null) continue;
    // A line that opens an HTML comment it does not close hides what follows.
    if (/^\s*<!--/.test(line) && !line.includes('-->')) {
      inComment = true;
      continue;
    }
    const task = TASK.exec(line);
    if (!task || task[1] === undefined || task[2] === undefined) continue;
    const keys = [...task[2].matchAll(MEMBER_KEY)].map((match) => decodeKey(match[1] ?? ''));
    // Exactly one valid key, or the line says nothing about anyone.
    if (keys.length !== 1 || keys[0] === null || keys[0] === undefined) continue;
    const set = marks.get(keys[0]) ?? new Set<boolean>();
    set.add(task[1] !== ' ');
    marks.set(keys[0], set);
  }
  const wanted =
    options.members === undefined ? null : new Set(options.members.map((m) => m.toLowerCase()));
  const result: ParsedReviewIssue = {
    businessId: header?.[1] === undefined ? null : Number(header[1]),
    due: header?.[2] ?? null,
    keep: [],
    remove: [],
    conflicting: [],
    missing: [],
    unknown: [],
  };
  for (const [key, set] of marks) {
    if (wanted !== null && !wanted.has(key)) result.unknown.push(key);
    else if (set.size > 1) result.conflicting.push(key);
    else if (set.has(true)) result.keep.push(key);
    else result.remove.push(key);
  }
  if (wanted !== null) for (const key of wanted) if (!marks.has(key)) result.missing.push(key);
  for (const list of [
    result.keep,
    result.remove,
    result.conflicting,
    result.missing,
    result.unknown,
  ])
    list.sort();
  return result;
}
