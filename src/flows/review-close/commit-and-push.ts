/**
 * The git side of `rolecall review close`: the branch that removes the unchecked people,
 * committed on the base (pull-request-target.ts) and pushed — all without touching the user's
 * HEAD, index or working tree.
 */
import { RolecallError } from '../../errors.js';
import { commitOnBranch, type BranchCommit, type GitIdentity } from '../../git/commit-on-branch.js';
import { pushBranch, type PushResult } from '../../git/push-branch.js';

/**
 * Commits the edited policy on `branch` (rebuilt from the base when rolecall made it before)
 * and force-pushes it: callers only get here when no pull request is open from that branch, so
 * whatever it holds on the remote is a leftover of an earlier, abandoned close.
 */
export async function commitAndPush(
  cwd: string,
  env: Record<string, string | undefined>,
  input: {
    branch: string;
    baseSha: string;
    remote: string;
    file: string;
    content: string;
    message: string;
    /** Who commits on a GitHub Actions runner that has no git identity (botIdentity). */
    runnerIdentity: GitIdentity;
  },
): Promise<{ commit: BranchCommit; push: PushResult }> {
  const options = {
    branch: input.branch,
    base: input.baseSha,
    files: [{ path: input.file, content: input.content }],
    message: input.message,
    replace: true,
  };
  let commit: BranchCommit;
  try {
    commit = await commitOnBranch(cwd, options);
  } catch (error) {
    // At a terminal the person closing the review commits; a fresh CI runner has no identity.
    if (
      !(error instanceof RolecallError && error.code === 'GIT_NO_IDENTITY') ||
      env['GITHUB_ACTIONS'] !== 'true'
    ) {
      throw error;
    }
    commit = await commitOnBranch(cwd, { ...options, author: input.runnerIdentity });
  }
  const push = await pushBranch(cwd, { remote: input.remote, branch: input.branch, force: true });
  return { commit, push };
}
