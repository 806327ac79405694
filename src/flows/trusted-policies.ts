/**
 * The last *approved* state of the policies: what the approval gate compares a change against.
 *
 * "The rules before the merge" are not simply the parent commit's. A pull request that changes
 * only `approvals:` (no FreshBooks change) is merged; apply.yml refuses it for lack of approval,
 * but the merge stays on the branch. If the next pull request were judged against its parent,
 * the unapproved `required: 0` would be its bar. So the gate walks the branch's first-parent
 * history back, over every commit that changed the policy directory, to the newest one that
 * rolecall's apply comment records as **approved** for exactly that merge commit; everything
 * after it is part of the change being judged.
 *
 * - A commit that changed no policy fact (comments, layout) needs no approval and is skipped.
 * - A commit with no rolecall record at all (no plan or apply comment: a direct push, or a
 *   merge from before rolecall ran) is `none`; one with a record that is not an approval is
 *   `unapproved`. Both are walked past.
 * - When no commit in the history has any rolecall record, the whole history predates rolecall
 *   managing these files, and `from` itself is the trusted state (the bootstrap case). When
 *   records exist but none is an approval, the state just before the oldest recorded commit
 *   is: rolecall started managing the files there.
 * - When the walk reaches `maxCommits` with records but no approval, there is no trusted state:
 *   the caller refuses (fail closed).
 *
 * The lookup is a port: GitHub in the workflows (github-approval-lookup.ts), a table in tests.
 */
import { realpathSync } from 'node:fs';
import { join, posix } from 'node:path';
import { RolecallError } from '../errors.js';
import { commitsChangingDir } from '../git/policy-history.js';
import { repoRoot, resolveCommit } from '../git/repo-info.js';
import { readPoliciesAtCommit } from './policy-snapshot.js';
import { diffPolicies } from '../plan/policy-changes.js';
import { display } from '../policy/read-policy-files.js';
import { validateDocuments } from '../policy/validate-documents.js';
import type { DesiredState } from '../types.js';

export type CommitApproval = 'approved' | 'unapproved' | 'none';

/** What rolecall's records on GitHub say about a commit of the default branch. */
export type ApprovalLookup = (sha: string) => Promise<CommitApproval>;

export const MAX_POLICY_COMMITS = 50;

export interface TrustedPolicies {
  /** The commit whose policies count as approved; `null` when there is none (fail closed). */
  commit: string | null;
  /** Its validated policies; `null` with no policy file there (every business is new). */
  desired: DesiredState | null;
  /**
   * Why the state's policies cannot be used (unreadable, a symlink, invalid), or why there is no
   * trusted state: every business the gate judges is refused with this. `null` when usable.
   */
  problem: string | null;
  /** Commits after `commit` that changed the policies without an approval, newest first. */
  unapproved: string[];
}

export async function trustedPolicies(
  cwd: string,
  options: {
    policiesDir: string;
    /** The newest commit that may count: the merge commit's first parent, or a PR's base. */
    from: string;
    now: Date;
    lookup: ApprovalLookup;
    maxCommits?: number;
  },
): Promise<TrustedPolicies> {
  const maxCommits = options.maxCommits ?? MAX_POLICY_COMMITS;
  const root = await repoRoot(cwd);
  const relDir = posix.normalize(display(root, join(realpathSync(cwd), options.policiesDir)));
  const history = await commitsChangingDir(cwd, {
    from: options.from,
    dirFromRoot: relDir === '.' ? '' : relDir.replace(/\/$/, ''),
    maxCommits,
  });

  const unapproved: string[] = [];
  /** Commits rolecall has a record of (plan or apply comment), newest first. */
  const recorded: string[] = [];
  let trusted: string | null = null;
  for (const sha of history.commits) {
    const verdict = await options.lookup(sha);
    if (verdict === 'approved') {
      trusted = sha;
      break;
    }
    // A commit that changed only comments or layout changed no fact: nothing to approve.
    if (await factNeutral(cwd, options.policiesDir, sha, options.now)) continue;
    if (verdict === 'unapproved') recorded.push(sha);
    unapproved.push(sha);
  }
  if (trusted === null) {
    const oldestRecorded = recorded.at(-1);
    if (oldestRecorded === undefined) {
      // Nothing was ever recorded: all of it predates rolecall managing these files.
      trusted = options.from;
      unapproved.length = 0;
    } else if (!history.truncated) {
      // rolecall started managing these files with the oldest recorded commit and never
      // approved anything since: the state just before it is the one nobody changed unseen.
      trusted = await resolveCommit(cwd, `${oldestRecorded}^1`).catch(() => null);
      if (trusted === null) return { commit: null, desired: null, problem: null, unapproved };
      unapproved.splice(unapproved.indexOf(oldestRecorded) + 1);
    } else {
      return {
        commit: null,
        desired: null,
        unapproved,
        problem:
          `no approved state of ${options.policiesDir}/ found in the last ${history.commits.length} commits that changed it ` +
          `(newest unapproved: ${unapproved
            .slice(0, 3)
            .map((s) => s.slice(0, 7))
            .join(', ')}): rolecall cannot tell which rules were in force, so it refuses. ` +
          'Revert the unapproved changes, or have an administrator apply the policies at a terminal (`rolecall apply`)',
      };
    }
  }
  return { ...(await policiesAt(cwd, options.policiesDir, trusted, options.now)), unapproved };
}

/** True when `sha` changed no policy fact against its first parent (both readable and valid). */
async function factNeutral(cwd: string, dir: string, sha: string, now: Date): Promise<boolean> {
  const after = await policiesAt(cwd, dir, sha, now);
  if (after.problem !== null) return false;
  let parent: string;
  try {
    parent = await resolveCommit(cwd, `${sha}^1`);
  } catch {
    return false;
  }
  const before = await policiesAt(cwd, dir, parent, now);
  if (before.problem !== null) return false;
  if (after.desired === null) return before.desired === null;
  return diffPolicies(before.desired, after.desired).length === 0;
}

/** The validated policies at `sha`, or the reason they cannot be used. */
async function policiesAt(
  cwd: string,
  dir: string,
  sha: string,
  now: Date,
): Promise<Omit<TrustedPolicies, 'unapproved'>> {
  const short = sha.slice(0, 12);
  let snapshot;
  try {
    snapshot = await readPoliciesAtCommit(cwd, dir, sha);
  } catch (error) {
    if (error instanceof RolecallError && error.code === 'NO_POLICIES') {
      return { commit: sha, desired: null, problem: null };
    }
    const why = error instanceof Error ? error.message : String(error);
    return {
      commit: sha,
      desired: null,
      problem: `the policies at ${short} cannot be read: ${why}`,
    };
  }
  if (snapshot.problems.length > 0) {
    const first = snapshot.problems[0];
    return {
      commit: sha,
      desired: null,
      problem:
        `the policies at ${short} (the last approved state) cannot be read: ${first?.source?.file ?? ''} ${first?.message ?? ''}`.trim(),
    };
  }
  const loaded = validateDocuments(snapshot.sources, { now });
  if (!loaded.value || loaded.errors.length > 0) {
    const first = loaded.errors[0];
    return {
      commit: sha,
      desired: null,
      problem: `the policies at ${short} (the last approved state) do not validate${
        first ? ` (${first.source?.file ?? ''}:${first.source?.line ?? ''}: ${first.message})` : ''
      }`,
    };
  }
  return { commit: sha, desired: loaded.value, problem: null };
}
