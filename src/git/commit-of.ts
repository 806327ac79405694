/**
 * Which commit a plan was made from. A plan records HEAD and whether the policy files it read
 * differ from HEAD (modified, staged, deleted or untracked): a dirty plan was not made from
 * anything a reviewer can see in git.
 */
import type { PolicyCommit } from '../types.js';
import { RolecallError } from '../errors.js';
import { gitFailure, isNotARepository, openGit } from './open-git.js';

/**
 * HEAD's sha and whether any of `paths` (files or directories, relative to `repoDir` or
 * absolute) has uncommitted changes. Outside a repository: `{sha: null, dirty: false}` — there
 * is no commit to differ from. In a repository without commits, `sha` is null and any policy
 * file present is dirty (untracked).
 */
export async function commitOf(repoDir: string, paths: string[]): Promise<PolicyCommit> {
  for (const path of paths) {
    if (path.startsWith('-')) {
      throw new RolecallError('GIT_INVALID_PATH', `invalid policy path ${JSON.stringify(path)}`);
    }
  }
  let out: string;
  try {
    // One call answers both: the `# branch.oid` header is HEAD (or `(initial)`), and any entry
    // is a change. `--untracked-files=all` reports a new file inside a new directory by name;
    // ignored files are not policy (git would not commit them either). With no paths, only the
    // header is wanted: an impossible pathspec keeps git from scanning the tree.
    out = await openGit(repoDir).raw([
      'status',
      '--porcelain=v2',
      '--branch',
      '-z',
      '--untracked-files=all',
      '--ignore-submodules=all',
      '--',
      ...(paths.length > 0 ? paths : [':(exclude)*']),
    ]);
  } catch (error) {
    if (error instanceof RolecallError && error.code === 'GIT_NO_DIRECTORY') {
      return { sha: null, dirty: false };
    }
    if (isNotARepository(error)) return { sha: null, dirty: false };
    throw gitFailure(error, 'checking the policy files for uncommitted changes');
  }
  let sha: string | null = null;
  let dirty = false;
  for (const record of out.split('\0')) {
    if (record === '') continue;
    if (record.startsWith('# ')) {
      const oid = /^# branch\.oid ([0-9a-f]{40,64})$/.exec(record)?.[1];
      if (oid !== undefined) sha = oid;
    } else {
      dirty = true;
    }
  }
  return { sha, dirty };
}
