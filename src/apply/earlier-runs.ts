import { isSettled, type OperationHistory } from './journal.js';

/**
 * What earlier runs of a plan already did, from its journal: how many of the operations about
 * to be applied are finished for good (applied or already in place), and by which run and
 * when the last of them was. Lets a re-run say "already applied by run X at T" instead of
 * reporting the old work as its own.
 */
export interface EarlierRuns {
  /** Operations in scope an earlier run finished for good. */
  done: number;
  /** Operations in scope. */
  total: number;
  /** How many runs finished them. */
  runs: number;
  /** The run that finished the last of them, and when (ISO instant). */
  lastRunId: string;
  lastAt: string;
}

/** `null` when no earlier run finished any of `keys` (a first run, or nothing settled). */
export function earlierRuns(
  keys: readonly string[],
  history: ReadonlyMap<string, OperationHistory>,
): EarlierRuns | null {
  let done = 0;
  const runs = new Set<string>();
  let last: { runId: string; at: string } | null = null;
  for (const key of keys) {
    const entry = history.get(key);
    const outcome = entry?.outcome;
    if (!outcome || !isSettled(entry)) continue;
    done += 1;
    runs.add(outcome.runId);
    if (last === null || outcome.at > last.at) last = { runId: outcome.runId, at: outcome.at };
  }
  if (last === null) return null;
  return { done, total: keys.length, runs: runs.size, lastRunId: last.runId, lastAt: last.at };
}
