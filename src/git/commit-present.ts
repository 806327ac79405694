/**
 * Whether a commit's objects are in this clone. A pull request's head is fetched as git objects
 * only (`git fetch origin +refs/pull/N/head:…`), never checked out: rolecall then reads its
 * policies from those objects, and must say clearly which fetch is missing rather than fail
 * somewhere inside `git ls-tree` with "not a tree object".
 */
import { RolecallError } from '../errors.js';
import { isNotARepository, gitFailure, openGit } from './open-git.js';

/** True when `sha` (a full sha) names a commit whose objects are here. */
export async function commitIsPresent(cwd: string, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{40,64}$/.test(sha)) {
    throw new RolecallError('GIT_UNKNOWN_REVISION', `not a commit sha: ${JSON.stringify(sha)}`);
  }
  try {
    // `-e`: exit status only. `^{commit}` refuses a blob or tree with the same name.
    await openGit(cwd).raw(['cat-file', '-e', `${sha}^{commit}`]);
    return true;
  } catch (error) {
    if (isNotARepository(error)) throw gitFailure(error, `looking for commit ${sha.slice(0, 12)}`);
    return false;
  }
}
