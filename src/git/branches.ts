/**
 * Local branch questions and the one local branch removal rolecall does (after a failed push,
 * or once its pull request is gone). Never touches a branch that is checked out.
 */
import { RolecallError } from '../errors.js';
import { gitFailure, isNotARepository, openGit } from './open-git.js';

/** Refuses names git would refuse, and names that could be read as options. */
export async function assertBranchName(repoDir: string, branch: string): Promise<void> {
  const invalid = (): RolecallError =>
    new RolecallError('GIT_INVALID_BRANCH', `invalid branch name ${JSON.stringify(branch)}`);
  if (branch === '' || branch.startsWith('-') || branch.startsWith('refs/') || /\s/.test(branch)) {
    throw invalid();
  }
  let normalized = '';
  try {
    // simple-git resolves a silent non-zero exit with empty output: compare the output instead
    // of relying on the exit code. A name git would normalise (`a//b`) is refused too.
    normalized = (
      await openGit(repoDir).raw(['check-ref-format', '--normalize', `refs/heads/${branch}`])
    ).trim();
  } catch (error) {
    if (isNotARepository(error)) throw gitFailure(error, 'checking the branch name');
  }
  if (normalized !== `refs/heads/${branch}`) throw invalid();
}

/** The sha a local branch points at, or null when there is no such branch. */
export async function branchSha(repoDir: string, branch: string): Promise<string | null> {
  try {
    const out = await openGit(repoDir).raw([
      'rev-parse',
      '--verify',
      '--quiet',
      `refs/heads/${branch}^{commit}`,
    ]);
    return out.trim() || null;
  } catch (error) {
    if (isNotARepository(error)) throw gitFailure(error, `reading branch ${branch}`);
    return null;
  }
}

/** Branches checked out in any worktree of the repository. */
export async function checkedOutBranches(repoDir: string): Promise<string[]> {
  let out: string;
  try {
    out = await openGit(repoDir).raw(['worktree', 'list', '--porcelain']);
  } catch (error) {
    throw gitFailure(error, 'listing worktrees');
  }
  return out
    .split('\n')
    .filter((line) => line.startsWith('branch refs/heads/'))
    .map((line) => line.slice('branch refs/heads/'.length));
}

/**
 * Deletes a local branch (not checked out anywhere). With `expect`, only if it still points
 * there. Returns false when the branch did not exist.
 */
export async function deleteBranch(
  repoDir: string,
  branch: string,
  options: { expect?: string } = {},
): Promise<boolean> {
  await assertBranchName(repoDir, branch);
  const sha = await branchSha(repoDir, branch);
  if (sha === null) return false;
  if ((await checkedOutBranches(repoDir)).includes(branch)) {
    throw new RolecallError(
      'GIT_BRANCH_CHECKED_OUT',
      `branch ${branch} is checked out; not deleting it`,
    );
  }
  try {
    await openGit(repoDir).raw(['update-ref', '-d', `refs/heads/${branch}`, options.expect ?? sha]);
  } catch (error) {
    throw gitFailure(error, `deleting branch ${branch}`);
  }
  return true;
}
