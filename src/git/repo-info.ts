/**
 * Small read-only questions about a repository: is it one, where is its root, which commit and
 * branch are checked out, where does it push. None of them changes anything.
 */
import { RolecallError } from '../errors.js';
import { gitFailure, isNotARepository, openGit } from './open-git.js';
import { stripUrlCredentials } from './redact-url.js';

export async function isRepository(dir: string): Promise<boolean> {
  try {
    return await openGit(dir).checkIsRepo();
  } catch (error) {
    if (error instanceof RolecallError && error.code === 'GIT_NO_DIRECTORY') return false;
    throw gitFailure(error, `checking whether ${dir} is a git repository`);
  }
}

/** The absolute path of the working tree's top level. */
export async function repoRoot(dir: string): Promise<string> {
  try {
    return (await openGit(dir).raw(['rev-parse', '--show-toplevel'])).trim();
  } catch (error) {
    throw gitFailure(error, `finding the repository of ${dir}`);
  }
}

/** `dir` relative to the top level, with a trailing `/` (`''` at the top level). */
export async function repoPrefix(dir: string): Promise<string> {
  try {
    return (await openGit(dir).raw(['rev-parse', '--show-prefix'])).trim();
  } catch (error) {
    throw gitFailure(error, `finding the repository of ${dir}`);
  }
}

/** HEAD's sha, or `null` when HEAD has no commit yet (a new repository). */
export async function headSha(dir: string): Promise<string | null> {
  const git = openGit(dir);
  try {
    const out = await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    return out.trim() || null;
  } catch (error) {
    if (isNotARepository(error)) throw gitFailure(error, 'reading HEAD');
    // `--verify --quiet` exits 1 without a message on an unborn HEAD.
    if (error instanceof Error && error.message.trim() === '') return null;
    throw gitFailure(error, 'reading HEAD');
  }
}

/** The full sha of a revision (`main`, `origin/main`, a sha, `HEAD~1`); a clear error if unknown. */
export async function resolveCommit(dir: string, rev: string): Promise<string> {
  if (rev.startsWith('-')) {
    throw new RolecallError('GIT_UNKNOWN_REVISION', `unknown revision ${JSON.stringify(rev)}`);
  }
  try {
    const out = await openGit(dir).raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    const sha = out.trim();
    if (sha) return sha;
  } catch (error) {
    if (isNotARepository(error)) throw gitFailure(error, `resolving ${rev}`);
  }
  throw new RolecallError(
    'GIT_UNKNOWN_REVISION',
    `unknown revision ${JSON.stringify(rev)} (not a commit in this repository; fetch it first?)`,
  );
}

/** The checked-out branch's short name, or `null` when HEAD is detached (as in CI checkouts). */
export async function currentBranch(dir: string): Promise<string | null> {
  try {
    const out = await openGit(dir).raw(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    return out.trim() || null;
  } catch (error) {
    if (isNotARepository(error)) throw gitFailure(error, 'reading the current branch');
    return null;
  }
}

async function remoteNames(dir: string): Promise<string[]> {
  try {
    return (await openGit(dir).raw(['remote']))
      .split('\n')
      .map((name) => name.trim())
      .filter((name) => name.length > 0);
  } catch (error) {
    throw gitFailure(error, 'listing remotes');
  }
}

/**
 * The remote a push should go to: the current branch's upstream remote, else `origin`, else
 * the only remote; `null` when there is none (or several and no way to choose).
 */
export async function defaultRemote(dir: string): Promise<string | null> {
  const names = await remoteNames(dir);
  const branch = await currentBranch(dir);
  if (branch !== null) {
    try {
      const configured = (
        await openGit(dir).raw(['config', '--get', `branch.${branch}.remote`])
      ).trim();
      if (configured && names.includes(configured)) return configured;
    } catch {
      // no upstream configured: fall through
    }
  }
  if (names.includes('origin')) return 'origin';
  return names.length === 1 ? (names[0] ?? null) : null;
}

/** A remote's fetch URL with any credential removed, or `null` if there is no such remote. */
export async function remoteUrl(dir: string, remote = 'origin'): Promise<string | null> {
  const names = await remoteNames(dir);
  if (!names.includes(remote)) return null;
  try {
    const url = (await openGit(dir).raw(['remote', 'get-url', remote])).trim();
    return url ? stripUrlCredentials(url) : null;
  } catch (error) {
    throw gitFailure(error, `reading the URL of remote ${remote}`);
  }
}

/** The URL of `defaultRemote`, credentials removed. */
export async function defaultRemoteUrl(dir: string): Promise<string | null> {
  const remote = await defaultRemote(dir);
  return remote === null ? null : remoteUrl(dir, remote);
}

export interface GitHubRepoRef {
  host: string;
  owner: string;
  repo: string;
}

/**
 * `owner/repo` (and host, for GitHub Enterprise) from a remote URL in any of git's forms:
 * `https://github.com/o/r.git`, `git@github.com:o/r.git`, `ssh://git@github.com/o/r`.
 */
export function githubRepoOf(url: string): GitHubRepoRef | null {
  const clean = stripUrlCredentials(url.trim());
  const patterns = [
    /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/i,
    /^(?:[^@/]+@)?([^/:]+):([^/]+)\/([^/]+?)(?:\.git)?\/?$/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(clean);
    if (match && match[1] && match[2] && match[3]) {
      return { host: match[1].toLowerCase(), owner: match[2], repo: match[3] };
    }
  }
  return null;
}

/**
 * Where `head`'s history left `base` (what GitHub's "Files changed" compares against), or `null`
 * when the two have no common ancestor in this clone (a shallow checkout, unrelated histories).
 */
export async function mergeBase(dir: string, base: string, head: string): Promise<string | null> {
  try {
    return (await openGit(dir).raw(['merge-base', base, head])).trim() || null;
  } catch (error) {
    if (isNotARepository(error)) throw gitFailure(error, 'finding a merge base');
    return null;
  }
}
