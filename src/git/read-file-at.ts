import { RolecallError } from '../errors.js';
import { gitFailure, openGit } from './open-git.js';

/** A file's content at a commit; `file` is relative to `cwd`. `null` when it is not there. */
export async function readFileAt(cwd: string, sha: string, file: string): Promise<string | null> {
  const path = file.split('\\').join('/');
  if (path.startsWith('-') || path.startsWith('/')) {
    throw new RolecallError('GIT_INVALID_PATH', `invalid policy path ${JSON.stringify(file)}`);
  }
  const git = openGit(cwd);
  try {
    // `<sha>:./path` is relative to the current directory, as the policy loader reports paths.
    const kind = (await git.raw(['cat-file', '-t', `${sha}:./${path}`])).trim();
    if (kind !== 'blob') return null;
  } catch {
    return null;
  }
  try {
    return await git.raw(['cat-file', 'blob', `${sha}:./${path}`]);
  } catch (error) {
    throw gitFailure(error, `reading ${file} at ${sha.slice(0, 12)}`);
  }
}
