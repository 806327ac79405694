/**
 * The plumbing steps of `commitOnBranch`, each one git call: where a path is in the repository,
 * what the base has at those paths, how commits are to be made (identity, signing).
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { RolecallError } from '../errors.js';
import { gitFailure, openGit } from './open-git.js';

/**
 * `git rev-parse --show-toplevel` is a real path: resolve symlinks (/tmp on macOS) likewise,
 * through the nearest existing ancestor (the file, even its directory, may be new).
 */
function realPath(path: string): string {
  const rest: string[] = [];
  let dir = path;
  for (;;) {
    try {
      return join(realpathSync(dir), ...rest.reverse());
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return path;
      rest.push(basename(dir));
      dir = parent;
    }
  }
}

/** `path` (relative to `repoDir`, or absolute) as a top-level-relative, `/`-separated path. */
export function repoPathOf(root: string, repoDir: string, path: string): string {
  const absolute = isAbsolute(path) ? resolve(path) : resolve(realpathSync(repoDir), path);
  const rel = relative(root, realPath(absolute));
  const parts = rel.split(sep);
  if (rel === '' || isAbsolute(rel) || parts[0] === '..' || parts.includes('.git')) {
    throw new RolecallError(
      'GIT_INVALID_PATH',
      `cannot commit ${JSON.stringify(path)}: not a file inside the repository`,
    );
  }
  return parts.join(posix.sep);
}

/** Whether an identity is configured, and whether commits are to be signed: one git call. */
export async function commitSettings(root: string): Promise<{ identity: boolean; sign: boolean }> {
  let out = '';
  try {
    out = await openGit(root).raw([
      'config',
      '-z',
      '--get-regexp',
      '^(user\\.email|commit\\.gpgsign)$',
    ]);
  } catch {
    // none set
  }
  const settings = { identity: false, sign: false };
  for (const record of out.split('\0')) {
    const newline = record.indexOf('\n');
    const key = (newline < 0 ? record : record.slice(0, newline)).toLowerCase();
    const value =
      newline < 0
        ? 'true'
        : record
            .slice(newline + 1)
            .trim()
            .toLowerCase();
    if (key === 'user.email') settings.identity = value !== '';
    // git's booleans: a key without value, true/yes/on, or a non-zero number.
    if (key === 'commit.gpgsign') {
      settings.sign = ['true', 'yes', 'on'].includes(value) || /^[1-9]\d*$/.test(value);
    }
  }
  return settings;
}

export async function treeOf(root: string, commit: string): Promise<string> {
  try {
    return (
      await openGit(root).raw(['rev-parse', '--verify', '--quiet', `${commit}^{tree}`])
    ).trim();
  } catch (error) {
    throw gitFailure(error, `reading ${commit.slice(0, 12)}`);
  }
}

/** The file modes of `paths` at `commit` (absent paths are not in the map); one git call. */
export async function modesAt(
  root: string,
  commit: string,
  paths: string[],
): Promise<Map<string, string>> {
  let out: string;
  try {
    out = await openGit(root).raw(['ls-tree', '-z', '--full-tree', commit, '--', ...paths]);
  } catch (error) {
    throw gitFailure(error, `reading ${paths.join(', ')} at ${commit.slice(0, 12)}`);
  }
  const modes = new Map<string, string>();
  for (const entry of out.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    modes.set(entry.slice(tab + 1), entry.split(' ')[0] ?? '');
  }
  return modes;
}
