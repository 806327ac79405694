/**
 * The git side of `rolecall review close`: where the pull request starts (the remote's copy of
 * the base branch when there is one, so that unpushed local commits never ride along), the
 * policy file as it is there, and the branch commit and push — all without touching the user's
 * HEAD, index or working tree.
 */
import { RolecallError, UsageError } from '../errors.js';
import { commitOnBranch, type BranchCommit } from '../git/commit-on-branch.js';
import { pushBranch, type PushResult } from '../git/push-branch.js';
import {
  currentBranch,
  defaultRemote,
  githubRepoOf,
  remoteUrl,
  resolveCommit,
} from '../git/repo-info.js';
import { ACTIONS_BOT_LOGIN } from '../github/identity.js';

export interface BaseRef {
  /** The branch the pull request targets. */
  branch: string;
  /** What the new branch starts from: `origin/main`, or `main` when there is no remote copy. */
  startPoint: string;
  sha: string;
}

export async function resolveRemote(cwd: string, remote: string | undefined): Promise<string> {
  const name = remote ?? (await defaultRemote(cwd));
  if (name === null) {
    throw new UsageError('no git remote to push the branch to: pass --remote NAME');
  }
  if ((await remoteUrl(cwd, name)) === null) {
    throw new UsageError(`no git remote named "${name}" in this repository`);
  }
  return name;
}

/** `owner/repo` of a remote that points at GitHub, for `GITHUB_REPOSITORY` on a laptop. */
export async function githubRepositoryOf(cwd: string, remote: string): Promise<string | null> {
  const url = await remoteUrl(cwd, remote);
  const ref = url === null ? null : githubRepoOf(url);
  return ref === null ? null : `${ref.owner}/${ref.repo}`;
}

export async function resolveBase(
  cwd: string,
  env: Record<string, string | undefined>,
  options: { base: string | undefined; remote: string },
): Promise<BaseRef> {
  const branch =
    options.base ?? (await currentBranch(cwd)) ?? (env['GITHUB_REF_NAME'] || undefined);
  if (branch === undefined) {
    throw new UsageError(
      'HEAD is detached: pass --base BRANCH (the branch the pull request targets)',
    );
  }
  for (const startPoint of [`refs/remotes/${options.remote}/${branch}`, branch]) {
    try {
      return { branch, startPoint, sha: await resolveCommit(cwd, startPoint) };
    } catch (error) {
      if (!(error instanceof RolecallError && error.code === 'GIT_UNKNOWN_REVISION')) throw error;
    }
  }
  throw new RolecallError(
    'GIT_UNKNOWN_REVISION',
    `the base branch ${branch} is neither in ${options.remote} nor local: fetch it first`,
  );
}

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
    base: BaseRef;
    remote: string;
    file: string;
    content: string;
    message: string;
  },
): Promise<{ commit: BranchCommit; push: PushResult }> {
  const options = {
    branch: input.branch,
    base: input.base.sha,
    files: [{ path: input.file, content: input.content }],
    message: input.message,
    replace: true,
  };
  let commit: BranchCommit;
  try {
    commit = await commitOnBranch(cwd, options);
  } catch (error) {
    // A fresh CI runner has no git identity: commit as the Actions bot, as GitHub would.
    if (
      !(error instanceof RolecallError && error.code === 'GIT_NO_IDENTITY') ||
      env['GITHUB_ACTIONS'] !== 'true'
    ) {
      throw error;
    }
    commit = await commitOnBranch(cwd, {
      ...options,
      author: {
        name: ACTIONS_BOT_LOGIN,
        email: '41898282+github-actions[bot]@users.noreply.github.com',
      },
    });
  }
  const push = await pushBranch(cwd, { remote: input.remote, branch: input.branch, force: true });
  return { commit, push };
}
