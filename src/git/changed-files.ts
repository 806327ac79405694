/**
 * The files a pull request changes, for planning only the businesses it touches: the diff
 * between the merge base of `base` and `head` and `head` (what GitHub shows as "Files changed",
 * `base...head`), so commits that landed on the base after the branch was cut do not count.
 */
import { realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { RolecallError } from '../errors.js';
import { gitFailure, openGit } from './open-git.js';
import { mergeBase as mergeBaseOf, repoRoot, resolveCommit } from './repo-info.js';

export interface ChangedFilesOptions {
  /** The base revision (`origin/main`, a sha). */
  base: string;
  /** Default `HEAD`. */
  head?: string;
  /** Only files under this path (relative to `repoDir`), e.g. `policies`. */
  under?: string;
}

/**
 * Paths (relative to `repoDir`, `/`-separated, sorted, unique) added, modified, renamed, copied,
 * deleted or changed in type between the merge base and `head`. A rename reports both its old
 * and its new path: the business may have moved from one file to the other.
 */
export async function changedFiles(
  repoDir: string,
  options: ChangedFilesOptions,
): Promise<string[]> {
  const head = options.head ?? 'HEAD';
  const baseSha = await resolveCommit(repoDir, options.base);
  const headSha = await resolveCommit(repoDir, head);
  const git = openGit(repoDir);
  const mergeBase = await mergeBaseOf(repoDir, baseSha, headSha);
  if (!mergeBase) {
    throw new RolecallError(
      'GIT_NO_MERGE_BASE',
      `${options.base} and ${head} have no common ancestor in this clone; a shallow checkout ` +
        'does not have it: fetch the history (actions/checkout with fetch-depth: 0)',
    );
  }
  if (options.under !== undefined && options.under.startsWith('-')) {
    throw new RolecallError('GIT_INVALID_PATH', `invalid path ${JSON.stringify(options.under)}`);
  }
  let out: string;
  try {
    out = await git.raw([
      'diff',
      '--name-status',
      '-z',
      '--no-ext-diff',
      '--no-textconv',
      '--find-renames',
      mergeBase,
      headSha,
      '--',
      ...(options.under === undefined ? [] : [options.under]),
    ]);
  } catch (error) {
    throw gitFailure(error, `listing files changed between ${options.base} and ${head}`);
  }
  const root = await repoRoot(repoDir);
  const paths = new Set<string>();
  for (const repoPath of parseNameStatus(out)) paths.add(fromRoot(root, repoDir, repoPath));
  return [...paths].sort();
}

/** `git diff --name-status -z`: `STATUS\0path\0` or, for renames and copies, `R100\0old\0new\0`. */
export function parseNameStatus(out: string): string[] {
  const fields = out.split('\0');
  const paths: string[] = [];
  let i = 0;
  while (i < fields.length) {
    const status = fields[i] ?? '';
    if (status === '') {
      i += 1;
      continue;
    }
    const twoPaths = status.startsWith('R') || status.startsWith('C');
    const count = twoPaths ? 2 : 1;
    for (let k = 1; k <= count; k += 1) {
      const path = fields[i + k];
      if (path !== undefined && path !== '') paths.push(path);
    }
    i += 1 + count;
  }
  return paths;
}

/** git reports paths from the top level; callers think relative to `repoDir`. */
function fromRoot(root: string, repoDir: string, repoPath: string): string {
  // git reports the real path of the top level; compare like with like (symlinked /tmp, …).
  const rel = relative(realpathSync(repoDir), join(root, repoPath));
  return sep === '/' ? rel : rel.split(sep).join('/');
}
