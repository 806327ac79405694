/**
 * The policy files as they are at a commit — what a pull request built on that commit changes.
 *
 * `rolecall request` and the expiry clean-up edit the policies *at the base branch*, never the
 * working tree: a user's uncommitted edits must not ride along in a pull request they did not
 * review, and a stale local checkout must not produce a pull request that reverts newer
 * changes. Files are found like `loadDesiredState` finds them (`*.yaml`/`*.yml` under the
 * directory, hidden directories and `node_modules` skipped) and named like it does (relative to
 * the working directory), so diagnostics and `BusinessPolicy.file` match. Both refuse the same
 * entries with the same diagnostic: symbolic links (mode 120000) and submodules (gitlinks,
 * mode 160000) anywhere under the directory are problems, never read as YAML.
 */
import { realpathSync } from 'node:fs';
import { join, posix } from 'node:path';
import { RolecallError } from '../errors.js';
import { gitFailure, openGit } from '../git/open-git.js';
import { repoRoot } from '../git/repo-info.js';
import { DEFAULT_LIMITS } from '../policy/parse-yaml.js';
import {
  discover,
  display,
  notRegularFile,
  problem,
  readPolicy,
} from '../policy/read-policy-files.js';
import type { PolicySource } from '../policy/validate-documents.js';
import type { Diagnostic } from '../types.js';

export interface PolicySnapshot {
  sources: PolicySource[];
  /** Files that could not be read (too large, not UTF-8): diagnostics, as `validate` gives. */
  problems: Diagnostic[];
}

const POLICY_FILE = /\.ya?ml$/i;

/** Every policy file under `dir` (relative to `cwd`) in commit `sha`. */
export async function readPoliciesAtCommit(
  cwd: string,
  dir: string,
  sha: string,
): Promise<PolicySnapshot> {
  const root = await repoRoot(cwd);
  const realCwd = realpathSync(cwd);
  const git = openGit(cwd);
  let listing: string;
  try {
    // Paths are given relative to cwd; --full-name prints them from the top level.
    listing = await git.raw(['ls-tree', '-r', '-z', '-l', '--full-name', sha, '--', dir]);
  } catch (error) {
    throw gitFailure(error, `listing ${dir} at ${sha.slice(0, 12)}`);
  }
  const relDir = posix.normalize(display(root, join(realCwd, dir)));
  const dirFull = relDir === '.' ? '' : `${relDir.replace(/\/$/, '')}/`;
  const sources: PolicySource[] = [];
  const problems: Diagnostic[] = [];
  for (const record of listing.split('\0')) {
    // `<mode> SP <type> SP <object> SP+ <size> TAB <path>`
    const match = /^(\d+) (\w+) ([0-9a-f]+) +(\d+|-)\t(.+)$/s.exec(record);
    if (!match) continue;
    const [, mode, type, object, shownSize, path] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const below = path.startsWith(dirFull) ? path.slice(dirFull.length) : path;
    const dirs = below.split('/').slice(0, -1);
    if (dirs.some((d) => d.startsWith('.') || d === 'node_modules')) continue;
    const shown = () => display(realCwd, join(root, path));
    // Every link and gitlink, whatever its name: git holds only the link text (or another
    // repository's commit), so what it points to cannot be judged here — and the working-tree
    // loader refuses the same entries, so the two agree.
    if (mode === '120000') {
      problems.push(notRegularFile(shown(), 'symlink'));
      continue;
    }
    if (type === 'commit' || mode === '160000') {
      // A submodule is a directory in the working tree: skipped there when hidden, so here too.
      const leaf = below.split('/').pop() ?? '';
      if (leaf.startsWith('.') || leaf === 'node_modules') continue;
      problems.push(notRegularFile(shown(), 'submodule'));
      continue;
    }
    if (type !== 'blob' || !POLICY_FILE.test(path)) continue;
    // Only 100644 and 100755 are regular files; anything else is not read as a policy.
    if (mode !== '100644' && mode !== '100755') {
      problems.push(notRegularFile(shown(), 'special'));
      continue;
    }
    const file = shown();
    const size = Number(shownSize);
    if (size > DEFAULT_LIMITS.maxFileBytes) {
      problems.push(
        problem(
          'FILE_TOO_LARGE',
          `file is ${size} bytes; policy files are limited to ${DEFAULT_LIMITS.maxFileBytes} bytes`,
          file,
        ),
      );
      continue;
    }
    let text: string;
    try {
      text = await git.raw(['cat-file', 'blob', object]);
    } catch (error) {
      throw gitFailure(error, `reading ${path} at ${sha.slice(0, 12)}`);
    }
    sources.push({ file, text });
  }
  sources.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (sources.length === 0 && problems.length === 0) {
    throw new RolecallError(
      'NO_POLICIES',
      `no *.yaml or *.yml policy files under ${dir} at ${sha.slice(0, 12)}`,
    );
  }
  return { sources, problems };
}

/** The working tree's policy files (outside a git repository, for `--dry-run`). */
export async function readPoliciesInWorkingTree(cwd: string, dir: string): Promise<PolicySnapshot> {
  const root = join(cwd, dir);
  const found = await discover(root).catch(() => ({ files: [], refused: [] }));
  const problems: Diagnostic[] = found.refused.map((r) =>
    notRegularFile(display(cwd, r.path), r.kind),
  );
  let paths = found.files;
  if (paths.length === 0 && problems.length === 0) {
    // A single file given as --policies (readPolicy refuses it if it is a link).
    if (POLICY_FILE.test(dir)) paths = [root];
    else throw new RolecallError('NO_POLICIES', `no *.yaml or *.yml policy files under ${dir}`);
  }
  const sources: PolicySource[] = [];
  for (const path of paths) {
    const read = await readPolicy(path, display(cwd, path), DEFAULT_LIMITS.maxFileBytes);
    if ('text' in read) sources.push(read);
    else problems.push(read);
  }
  return { sources, problems };
}
