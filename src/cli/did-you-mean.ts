/**
 * "Did you mean …?" for a mistyped command or option, the way Terraform and git answer one:
 * the closest known name by edit distance, offered only when it is close enough to be the
 * likely intent (a suggestion for everything would be noise, and a wrong one misleads).
 */

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring letters each cost 1 (`plam` → `plan` 1, `polices` → `policies` 1, `aplpy` →
 * `apply` 1).
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known name closest to `typed`, or `null` when none is close: at most 2 edits, and fewer
 * than half the typed length (so `ab` is not "corrected" to `apply`). Case is ignored; a tie
 * goes to the name listed first.
 */
export function closestName(typed: string, known: readonly string[]): string | null {
  const word = typed.toLowerCase();
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = editDistance(word, name.toLowerCase());
    if (best === null || distance < best.distance) best = { name, distance };
  }
  if (best === null || best.distance === 0) return best?.name ?? null;
  return best.distance <= 2 && best.distance * 2 < word.length ? best.name : null;
}
