/**
 * The pull request a commit subject names, in the forms hosting services write:
 *
 * - GitHub merge commit:  `Merge pull request #34 from acme/add-eli`
 * - GitHub squash merge:  `Add eli as accountant (#12)` (the last `(#N)` wins:
 *   `Revert "Add x (#3)" (#5)` is pull request 5)
 * - Bitbucket merge:      `Merged in add-eli (pull request #7)`
 *
 * Anything else (a direct push, `Merge branch 'x'`) names no pull request: `null`.
 */
const PATTERNS: readonly RegExp[] = [
  /^Merge pull request #(\d+) from \S/,
  /\(#(\d+)\)\s*$/,
  /\(pull request #(\d+)\)\s*$/i,
];

export function prNumberOf(subject: string): number | null {
  const line = subject.split('\n', 1)[0] ?? '';
  for (const pattern of PATTERNS) {
    const match = pattern.exec(line);
    if (match?.[1] !== undefined) {
      const value = Number(match[1]);
      if (Number.isSafeInteger(value) && value > 0) return value;
    }
  }
  return null;
}
