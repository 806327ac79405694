/**
 * One line of `rolecall doctor`: a check, what it found, and — when it is not a pass — why that
 * matters and the exact fix. A check passes only on evidence: what the token could not read is
 * `unknown` (printed `?`), never a pass.
 */

/** `pass` ✓ safe as far as the check can see; `fail` ✗ unsafe; `unknown` ? could not be verified. */
export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface CheckResult {
  /** Stable id, e.g. `branch.dismiss-stale` (the security model links each setting to it). */
  id: string;
  status: CheckStatus;
  /** What was found, one line. */
  found: string;
  /** Why the setting matters. */
  why: string;
  /** The exact fix (the setting's name in GitHub's UI, or the command); `null` on a pass. */
  fix: string | null;
  /** `workflows.current`: the unified diff between the files and what `rolecall init` writes. */
  diff?: string;
}

export function pass(id: string, found: string, why: string): CheckResult {
  return { id, status: 'pass', found, why, fix: null };
}

export function fail(id: string, found: string, why: string, fix: string): CheckResult {
  return { id, status: 'fail', found, why, fix };
}

export function unknown(id: string, found: string, why: string, fix: string): CheckResult {
  return { id, status: 'unknown', found, why, fix };
}

/** Counts by status, for the summary line and the exit code. */
export function countResults(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, unknown: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

/** Unsafe: something failed; with `strict`, something could not be verified either. */
export function isUnsafe(results: readonly CheckResult[], strict: boolean): boolean {
  return results.some((r) => r.status === 'fail' || (strict && r.status === 'unknown'));
}
