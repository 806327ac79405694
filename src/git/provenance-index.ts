/**
 * Provenance for whole policy sets, loaded up front so that the pure code (validation's
 * `grantTimes`, the review pack's `provenance`) can ask synchronously.
 */
import { posix } from 'node:path';
import type { Provenance } from '../types.js';
import { RolecallError } from '../errors.js';
import {
  blameFile,
  GRANT_TIME_KEYS,
  type BlameOptions,
  type FileBlame,
} from './line-provenance.js';
import { gitFailure, isNotARepository, openGit } from './open-git.js';

/** A synchronous view over several blamed files. Paths as given (relative to `repoDir`). */
export interface ProvenanceIndex {
  /** The files blamed. */
  files: string[];
  line(file: string, n: number): Provenance | undefined;
  /** See `FileBlame.entry`; `keys` default `email` and `role`. */
  entry(file: string, n: number, keys?: readonly string[]): Provenance | undefined;
  /**
   * When the grant on the entry containing line `n` was made or last extended: the earlier of
   * the author and committer dates of the latest commit touching its email, role or expires.
   * Undefined for uncommitted entries (the caller uses `now`). Callers should still cap it at
   * `now`: git dates are whatever the committer's clock or environment said.
   */
  grantTime(file: string, n: number): Date | undefined;
}

/** `./policies/a.yaml`, `policies//a.yaml` and `policies/a.yaml` are one file. */
function key(file: string): string {
  return posix.normalize(file.split('\\').join('/'));
}

export async function loadProvenance(
  repoDir: string,
  files: readonly string[],
  options: BlameOptions = {},
): Promise<ProvenanceIndex> {
  const blames = new Map<string, FileBlame>();
  // Sequential: each blame is its own git process already, and machines running CI are small.
  for (const file of files) {
    if (!blames.has(key(file))) blames.set(key(file), await blameFile(repoDir, file, options));
  }
  return {
    files: [...blames.keys()],
    line: (file, n) => blames.get(key(file))?.line(n),
    entry: (file, n, keys) => blames.get(key(file))?.entry(n, keys),
    grantTime(file, n) {
      const found = blames.get(key(file))?.entry(n, GRANT_TIME_KEYS);
      if (found === undefined) return undefined;
      const earliest = found.date < found.committedAt ? found.date : found.committedAt;
      return new Date(earliest);
    },
  };
}

/**
 * Blames every tracked `*.yaml`/`*.yml` under `dir` (relative to `repoDir`, e.g. `policies`);
 * the index answers for paths relative to `repoDir`, as the policy loader reports them when
 * `repoDir` is its working directory. Outside a repository the index is empty.
 */
export async function loadPolicyProvenance(
  repoDir: string,
  dir: string,
  options: BlameOptions = {},
): Promise<ProvenanceIndex> {
  if (dir.startsWith('-')) {
    throw new RolecallError('GIT_INVALID_PATH', `invalid path ${JSON.stringify(dir)}`);
  }
  let out = '';
  try {
    // ls-files prints paths relative to the working directory of git: `repoDir`.
    out = await openGit(repoDir).raw(['ls-files', '-z', '--', dir]);
  } catch (error) {
    if (!(
      isNotARepository(error) ||
      (error instanceof RolecallError && error.code === 'GIT_NO_DIRECTORY')
    )) {
      throw gitFailure(error, `listing the policy files under ${dir}`);
    }
  }
  const files = out.split('\0').filter((file) => /\.ya?ml$/i.test(file));
  return loadProvenance(repoDir, files, options);
}
