/**
 * The one way policies are read: from the working tree or from a commit's git objects, with
 * grant times from git blame when the JIT rules need them, validated. It returns every problem
 * and leaves reporting to the caller: `loadPolicies` (context.ts) prints them on stderr and
 * refuses, `validate` and `businesses` print them their own way.
 *
 * Apart from context.ts, and importing git only when a commit or grant times are asked for, so
 * that `rolecall validate` — a separate process on every pull request — starts fast: it loads no
 * FreshBooks, GitHub or git client.
 */
import { loadDesiredState, type LoadedDesiredState } from '../policy/load-desired-state.js';

export const DEFAULT_POLICIES_DIR = 'policies';

export interface LoadPoliciesOptions {
  dir: string;
  now: Date;
  /**
   * Measure `maxDuration` from the commit that added or extended each grant (git blame), as
   * the JIT rules require. Off for commands that only read (it costs one blame per file).
   */
  grantTimesFromGit?: boolean;
  /** Read (and blame) the policies in this commit instead of the working tree. */
  at?: PoliciesAt;
}

/**
 * A commit whose policies are read from git objects, never checked out: a pull request's head
 * under `pull_request_target`. The working tree and HEAD are not touched.
 */
export interface PoliciesAt {
  /** A full sha. */
  sha: string;
  /** How to get the commit when it is not in the clone (the error says it). */
  missing: string;
}

/** The policies under `options.dir` (relative to `cwd`), validated; problems returned, not printed. */
export async function readPolicies(
  cwd: string,
  options: LoadPoliciesOptions,
): Promise<LoadedDesiredState> {
  const at = options.at;
  const fromGit = at ? await import('./load-policies-at.js') : null;
  const snapshot =
    at && fromGit ? await fromGit.readPoliciesAt(cwd, options.dir, at.sha, at.missing) : null;
  let grantTimes: ((file: string, line: number) => Date | undefined) | undefined;
  if (options.grantTimesFromGit) {
    const { loadPolicyProvenance, loadProvenance } = await import('../git/provenance-index.js');
    // Grant times need only commit dates: skip the second, `--first-parent` blame per file that
    // finds pull-request merges (half the git processes on a repository of many policies).
    const index =
      at && snapshot
        ? await loadProvenance(
            cwd,
            snapshot.sources.map((s) => s.file),
            { mergePullRequests: false, rev: at.sha },
          )
        : await loadPolicyProvenance(cwd, options.dir, { mergePullRequests: false });
    // Git dates are whatever the committer's clock said: never later than now.
    grantTimes = (file, line) => {
      const time = index.grantTime(file, line);
      return time && time.getTime() > options.now.getTime() ? options.now : time;
    };
  }
  const validate = { now: options.now, ...(grantTimes ? { grantTimes } : {}) };
  return snapshot && fromGit
    ? fromGit.validateSnapshot(snapshot, validate)
    : loadDesiredState(options.dir, { ...validate, cwd });
}
