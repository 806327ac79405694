/**
 * Which lines of a YAML policy make up one member entry, so that provenance can name the commit
 * that last changed what matters (the email or the role; for a grant time also `expires`) and
 * not merely the commit that last touched the entry's first line. A text heuristic on block
 * YAML as people write policies:
 *
 *   - email: bob@contractors.example     ← the entry starts at its `- `
 *     role: contractor                   ← keys indented past the dash belong to it
 *     expires: 2027-03-31
 *
 * A flow entry (`- {email: …, role: …}`) or a plain list item (`- dana@acme.example`, a team
 * member) is one line. Lines are 1-based.
 */

function indentOf(text: string): number {
  const match = /^ */.exec(text);
  return match ? match[0].length : 0;
}

function isBlankOrComment(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === '' || trimmed.startsWith('#');
}

/** Column where the content of a line starts once any `- ` markers are skipped; null if none. */
function dashContentColumn(text: string): number | null {
  const match = /^( *)-( +)/.exec(text);
  if (!match || match[1] === undefined || match[2] === undefined) return null;
  const inner = text.slice(match[0].length);
  const nested = dashContentColumn(inner);
  return match[0].length + (nested ?? 0);
}

/** The 1-based line range `[start, end]` of the entry containing `line`. */
export function entryRange(texts: readonly string[], line: number): [number, number] {
  const at = (n: number): string => texts[n - 1] ?? '';
  if (line < 1 || line > texts.length) return [line, line];
  let start = line;
  const own = at(line);
  if (dashContentColumn(own) === null) {
    // A key inside an entry whose `- ` is on an earlier line: walk up through its siblings.
    const column = indentOf(own);
    for (let n = line - 1; n >= 1; n -= 1) {
      const text = at(n);
      if (isBlankOrComment(text)) continue;
      // Siblings and deeper content (nested lists) belong to the same entry: keep walking.
      if (indentOf(text) >= column) continue;
      if (dashContentColumn(text) === column) start = n;
      break;
    }
  }
  const startText = at(start);
  const dashColumn = dashContentColumn(startText) === null ? null : indentOf(startText);
  // Inside the entry: deeper than its dash, or (no dash) at least as deep as its first key.
  const inside = (text: string): boolean =>
    dashColumn === null
      ? indentOf(text) >= indentOf(startText) && dashContentColumn(text) === null
      : indentOf(text) > dashColumn;
  let end = start;
  for (let n = start + 1; n <= texts.length; n += 1) {
    const text = at(n);
    if (isBlankOrComment(text)) continue;
    if (!inside(text)) break;
    end = n;
  }
  return [start, Math.max(end, line)];
}

const KEY_LINE = /^\s*(?:-\s+)*["']?([A-Za-z_][\w-]*)["']?\s*:(?:\s|$)/;

/**
 * The lines of the entry containing `line` that set one of `keys` (plus the entry's first line,
 * which always identifies it). Used to pick the latest commit among them.
 */
export function entryKeyLines(
  texts: readonly string[],
  line: number,
  keys: readonly string[],
): number[] {
  const [start, end] = entryRange(texts, line);
  const picked = new Set<number>([start, line]);
  for (let n = start; n <= end; n += 1) {
    const key = KEY_LINE.exec(texts[n - 1] ?? '')?.[1];
    if (key !== undefined && keys.includes(key)) picked.add(n);
  }
  return [...picked].sort((a, b) => a - b);
}
