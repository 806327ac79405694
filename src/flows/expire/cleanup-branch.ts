/**
 * The clean-up branch: one branch, rebuilt from the base branch whenever what it should
 * contain changes, force-pushed, and never rewritten when someone else pushed to it.
 *
 * Why rebuild rather than commit on top: commits on top would pile up one per run, conflict as
 * soon as the base changed the same lines (a new request merged next to an expired entry), and
 * could keep removing an entry someone extended meanwhile. A branch rebuilt from the current
 * base always holds exactly "base minus today's expired entries" as one commit.
 *
 * Why that is safe to force-push: the branch is rolecall's own. Before rewriting it, rolecall
 * reads the remote branch and rewrites it only if its head is a rolecall clean-up commit (one
 * parent, the `Rolecall-Cleanup: expired` trailer). A human commit on top makes rolecall stop
 * and say so, rather than destroy it. (The window between that read and the push is closed by
 * the workflow's concurrency group: one rolecall job at a time.)
 *
 * Why it is quiet: when the branch already holds exactly the policy files the clean-up should
 * produce, nothing is committed or pushed — an hourly run with nothing new does not touch the
 * pull request (no new commit, no CI run, no notification).
 */
import { RolecallError } from '../../errors.js';
import { commitOnBranch, pushBranch, type GitIdentity } from '../../git/index.js';
import type { PolicySource } from '../../policy/validate-documents.js';
import { fetchCommit, remoteBranchSha, samePolicies, singleParentMessage } from '../bot-branch.js';
import { readPoliciesAtCommit } from '../policy-snapshot.js';
import { CLEANUP_TRAILER } from '../../jit/render-cleanup.js';

export const CLEANUP_BRANCH = 'rolecall/cleanup/expired';

export interface CleanupBranchInput {
  cwd: string;
  remote: string;
  branch: string;
  baseSha: string;
  /** The `--policies` directory, to compare the branch's policy files with `sources`. */
  policiesDir: string;
  /** Every policy source after the clean-up (edited and untouched). */
  sources: readonly PolicySource[];
  /** The files that change (relative to `cwd`) and their new text. */
  files: ReadonlyArray<{ file: string; after: string }>;
  message: string;
  date: Date;
  /** The commit's author (and committer when git has no identity configured, as on CI runners). */
  author?: GitIdentity;
}

export interface CleanupBranchResult {
  /** `created`: new on the remote; `rebuilt`: rewritten from the base; `unchanged`: already right. */
  action: 'created' | 'rebuilt' | 'unchanged';
  sha: string;
}

/** A commit rolecall made: exactly one parent and the clean-up trailer. */
export async function isOwnCleanupCommit(cwd: string, sha: string): Promise<boolean> {
  const message = await singleParentMessage(cwd, sha);
  return message !== null && message.split('\n').some((line) => line.trim() === CLEANUP_TRAILER);
}

export async function updateCleanupBranch(input: CleanupBranchInput): Promise<CleanupBranchResult> {
  const { cwd, remote, branch } = input;
  const remoteSha = await remoteBranchSha(cwd, remote, branch);
  if (remoteSha !== null) {
    await fetchCommit(cwd, remote, branch, remoteSha);
    if (!(await isOwnCleanupCommit(cwd, remoteSha))) {
      throw new RolecallError(
        'CLEANUP_BRANCH_FOREIGN',
        `${branch} on ${remote} has a commit rolecall did not make (${remoteSha.slice(0, 12)}); rolecall does not overwrite it. Merge or close its pull request, or delete the branch, and run again`,
      );
    }
    const current = await readPoliciesAtCommit(cwd, input.policiesDir, remoteSha).catch(() => null);
    if (current && current.problems.length === 0 && samePolicies(current.sources, input.sources)) {
      return { action: 'unchanged', sha: remoteSha };
    }
  }
  const commit = await commitOnBranch(cwd, {
    branch,
    base: input.baseSha,
    files: input.files.map((f) => ({ path: f.file, content: f.after })),
    message: input.message,
    date: input.date,
    replace: true,
    ...(input.author ? { author: input.author } : {}),
  });
  await pushBranch(cwd, { remote, branch, force: remoteSha !== null });
  return { action: remoteSha === null ? 'created' : 'rebuilt', sha: commit.sha };
}
