/**
 * Commit edited policy files on a branch without touching the user's checkout.
 *
 * `rolecall request`, `rolecall review close` and the expiry clean-up each need "a branch from
 * the base with this file changed". Checking the branch out would move the user's HEAD and
 * working tree, and a failure midway would leave them there. Instead this uses git's plumbing
 * with a temporary index: `read-tree <base>` into a private index file, `hash-object -w` the new
 * contents, `update-index`, `write-tree`, `commit-tree`, and finally `update-ref` — which creates
 * (or, for `replace`, compare-and-swaps) the branch in one atomic step. The user's HEAD, index
 * and working tree are never read or written; a failure before `update-ref` leaves nothing but
 * unreferenced objects that `git gc` collects; `update-ref` itself either happens or not.
 *
 * Client-side hooks (pre-commit, commit-msg) do not run for plumbing; the pull request's plan
 * and approval are the gate. `commit.gpgSign` is honoured (`commit-tree -S`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RolecallError } from '../errors.js';
import { assertBranchName, branchSha, checkedOutBranches } from './branches.js';
import { commitSettings, modesAt, repoPathOf, treeOf } from './commit-plumbing.js';
import { gitFailure, gitMessage, openGit } from './open-git.js';
import { currentBranch, repoRoot, resolveCommit } from './repo-info.js';

export interface GitIdentity {
  name: string;
  email: string;
}

export interface FileChange {
  /** Relative to `repoDir` (or absolute inside the repository). */
  path: string;
  /** The whole new content; `null` deletes the file. */
  content: string | null;
}

export interface CommitOnBranchOptions {
  branch: string;
  /** The commit the branch starts from. Default `HEAD`. */
  base?: string;
  files: FileChange[];
  message: string;
  /** Default: the repository's configured identity. */
  author?: GitIdentity;
  /** Default: the configured identity, or `author` when none is configured (CI runners). */
  committer?: GitIdentity;
  /** Author and committer date (reproducible commits, tests). Default: now. */
  date?: Date;
  /**
   * Move the branch if it exists (rolecall's own clean-up branch, updated in place). It is
   * compare-and-swapped against the value read at the start, and refused while checked out.
   */
  replace?: boolean;
}

export interface BranchCommit {
  branch: string;
  sha: string;
  /** The base commit's sha. */
  base: string;
  /** The repository paths written (top-level relative, `/`-separated). */
  paths: string[];
  /** The branch existed and was moved (`replace`). */
  replaced: boolean;
}

export async function commitOnBranch(
  repoDir: string,
  options: CommitOnBranchOptions,
): Promise<BranchCommit> {
  const { branch } = options;
  await assertBranchName(repoDir, branch);
  if (options.files.length === 0) {
    throw new RolecallError('GIT_NO_CHANGES', `nothing to commit on ${branch}: no files given`);
  }
  if (options.message.trim() === '') {
    throw new RolecallError('GIT_INVALID_MESSAGE', 'a commit message is required');
  }
  const root = await repoRoot(repoDir);
  const paths = options.files.map((file) => repoPathOf(root, repoDir, file.path));
  if (new Set(paths).size !== paths.length) {
    throw new RolecallError('GIT_INVALID_PATH', 'the same file is given twice');
  }
  const baseSha = await resolveCommit(repoDir, options.base ?? 'HEAD');

  const existing = await branchSha(root, branch);
  if (existing !== null && options.replace !== true) {
    throw new RolecallError(
      'GIT_BRANCH_EXISTS',
      `branch ${branch} already exists; choose another name or delete it first`,
    );
  }
  if (existing !== null) {
    const checkedOut = await checkedOutBranches(root);
    if (checkedOut.includes(branch) || (await currentBranch(repoDir)) === branch) {
      throw new RolecallError(
        'GIT_BRANCH_CHECKED_OUT',
        `branch ${branch} is checked out; switch to another branch before rolecall updates it`,
      );
    }
  }

  const baseTree = await treeOf(root, baseSha);
  const modes = await modesAt(root, baseSha, paths);
  const scratch = await mkdtemp(join(tmpdir(), 'rolecall-commit-'));
  try {
    const indexGit = openGit(root, { env: { GIT_INDEX_FILE: join(scratch, 'index') } });
    const updates: string[] = [];
    const removals: string[] = [];
    try {
      await indexGit.raw(['read-tree', baseSha]);
      for (const [i, file] of options.files.entries()) {
        const repoPath = paths[i] as string;
        const mode = modes.get(repoPath) ?? null;
        if (mode === '040000' || mode === '160000') {
          throw new RolecallError(
            'GIT_INVALID_PATH',
            `cannot write ${repoPath}: it is a directory in ${options.base ?? 'HEAD'}`,
          );
        }
        if (file.content === null) {
          if (mode === null) {
            throw new RolecallError(
              'GIT_INVALID_PATH',
              `cannot delete ${repoPath}: not in ${options.base ?? 'HEAD'}`,
            );
          }
          removals.push(repoPath);
          continue;
        }
        const blobFile = join(scratch, `blob-${i}`);
        await writeFile(blobFile, file.content, 'utf8');
        // --path applies the repository's attributes (eol, clean filters) as `git add` would.
        const blob = (
          await indexGit.raw(['hash-object', '-w', `--path=${repoPath}`, '--', blobFile])
        ).trim();
        updates.push(
          '--cacheinfo',
          `${mode === '100755' ? '100755' : '100644'},${blob},${repoPath}`,
        );
      }
      await indexGit.raw([
        'update-index',
        '--add',
        ...updates,
        ...(removals.length > 0 ? ['--force-remove', '--', ...removals] : []),
      ]);
    } catch (error) {
      throw gitFailure(error, `staging ${paths.join(', ')}`);
    }
    let tree: string;
    try {
      tree = (await indexGit.raw(['write-tree'])).trim();
    } catch (error) {
      throw gitFailure(error, 'writing the tree');
    }
    if (tree === baseTree) {
      throw new RolecallError(
        'GIT_NO_CHANGES',
        `nothing to commit on ${branch}: the files already have this content in ${options.base ?? 'HEAD'}`,
      );
    }

    const messageFile = join(scratch, 'message');
    const message = options.message.endsWith('\n') ? options.message : `${options.message}\n`;
    await writeFile(messageFile, message, 'utf8');
    const settings = await commitSettings(root);
    const useAuthorAsCommitter = options.author !== undefined && !settings.identity;
    let sha: string;
    try {
      const commitGit = openGit(root, { env: identityEnv(options, useAuthorAsCommitter) });
      const args = ['commit-tree', tree, '-p', baseSha, '-F', messageFile];
      sha = (await commitGit.raw(settings.sign ? [...args, '-S'] : args)).trim();
    } catch (error) {
      const text = gitMessage(error);
      if (/tell me who you are|auto-detect|empty ident|invalid ident/i.test(text)) {
        throw new RolecallError(
          'GIT_NO_IDENTITY',
          'git has no identity to commit with: set user.name and user.email (git config), or give an author',
        );
      }
      throw new RolecallError('GIT_COMMIT_FAILED', `committing on ${branch} failed: ${text}`);
    }

    const zero = '0'.repeat(baseSha.length);
    try {
      await openGit(root).raw([
        'update-ref',
        '-m',
        `rolecall: ${options.message.split('\n', 1)[0] ?? ''}`,
        `refs/heads/${branch}`,
        sha,
        existing ?? zero,
      ]);
    } catch (error) {
      throw new RolecallError(
        'GIT_BRANCH_EXISTS',
        `branch ${branch} changed while rolecall was committing; nothing was written (${gitMessage(error)})`,
      );
    }
    return { branch, sha, base: baseSha, paths, replaced: existing !== null };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The commit's author, committer and date, as git reads them from the environment. */
function identityEnv(
  options: CommitOnBranchOptions,
  useAuthorAsCommitter: boolean,
): Record<string, string> {
  const env: Record<string, string> = {};
  const committer = options.committer ?? (useAuthorAsCommitter ? options.author : undefined);
  if (options.author) {
    env['GIT_AUTHOR_NAME'] = options.author.name;
    env['GIT_AUTHOR_EMAIL'] = options.author.email;
  }
  if (committer) {
    env['GIT_COMMITTER_NAME'] = committer.name;
    env['GIT_COMMITTER_EMAIL'] = committer.email;
  }
  if (options.date) {
    const stamp = `@${Math.floor(options.date.getTime() / 1000)} +0000`;
    env['GIT_AUTHOR_DATE'] = stamp;
    env['GIT_COMMITTER_DATE'] = stamp;
  }
  return env;
}

/** The name the brief and the callers use: a branch that must not exist yet. */
export function commitOnNewBranch(
  repoDir: string,
  options: Omit<CommitOnBranchOptions, 'replace'>,
): Promise<BranchCommit> {
  return commitOnBranch(repoDir, { ...options });
}
