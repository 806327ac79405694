/**
 * Where a rolecall pull request goes: which remote it is pushed to, which branch it targets
 * (the base) and which commit it is built on, and which GitHub repository and API answer for
 * it. Read-only: nothing here changes the repository.
 */
import { RolecallError, UsageError } from '../errors.js';
import { openGit } from '../git/open-git.js';
import {
  currentBranch,
  defaultRemote,
  githubRepoOf,
  remoteUrl,
  resolveCommit,
} from '../git/repo-info.js';
import { createGitHubClient, DEFAULT_GITHUB_API_URL, type GitHubClient } from '../github/client.js';
import type { RepoRef } from '../github/context.js';

export interface GitTarget {
  /** The remote to push to (`origin`), or null when the repository has none. */
  remote: string | null;
  /** The branch the pull request targets. */
  baseBranch: string;
  /** What the base commit was read from: `origin/main` (preferred) or `main`. */
  baseRef: string;
  baseSha: string;
}

export interface GitTargetOptions {
  remote?: string | undefined;
  base?: string | undefined;
  /** `GITHUB_REF` of an Actions run (`refs/heads/main`): the branch the job checked out. */
  githubRef?: string | null | undefined;
}

async function remoteHeadBranch(cwd: string, remote: string): Promise<string | null> {
  try {
    const out = (
      await openGit(cwd).raw(['symbolic-ref', '--quiet', '--short', `refs/remotes/${remote}/HEAD`])
    ).trim();
    return out.startsWith(`${remote}/`) ? out.slice(remote.length + 1) : null;
  } catch {
    return null;
  }
}

async function tryResolve(cwd: string, rev: string): Promise<string | null> {
  try {
    return await resolveCommit(cwd, rev);
  } catch {
    return null;
  }
}

/**
 * The base branch is, in order: `--base`; the branch an Actions job runs on; the remote's
 * default branch (`origin/HEAD`, set by `git clone`); the current branch; `main`. The base
 * commit is the remote-tracking branch as last fetched (`origin/main`) when there is one — the
 * pull request merges into that, not into a local branch that may lag behind — else the local
 * branch. rolecall does not fetch: run `git fetch` first for the newest base.
 */
export async function resolveGitTarget(
  cwd: string,
  options: GitTargetOptions = {},
): Promise<GitTarget> {
  const remote = options.remote ?? (await defaultRemote(cwd));
  if (options.remote !== undefined && (await remoteUrl(cwd, options.remote)) === null) {
    throw new UsageError(`--remote ${options.remote}: no such remote in this repository`);
  }
  const fromRef = options.githubRef?.startsWith('refs/heads/')
    ? options.githubRef.slice('refs/heads/'.length)
    : null;
  const baseBranch =
    options.base ??
    fromRef ??
    (remote === null ? null : await remoteHeadBranch(cwd, remote)) ??
    (await currentBranch(cwd)) ??
    'main';
  const candidates = [...(remote === null ? [] : [`${remote}/${baseBranch}`]), baseBranch];
  for (const ref of candidates) {
    const sha = await tryResolve(
      cwd,
      ref === baseBranch ? `refs/heads/${ref}` : `refs/remotes/${ref}`,
    );
    if (sha !== null) return { remote, baseBranch, baseRef: ref, baseSha: sha };
  }
  throw new RolecallError(
    'UNKNOWN_BASE',
    `the base branch ${baseBranch} is not in this repository${remote ? ` (nor ${remote}/${baseBranch}; git fetch ${remote}?)` : ''}; pass --base BRANCH`,
  );
}

export interface GitHubTarget {
  repo: RepoRef;
  octokit: GitHubClient;
  apiUrl: string;
}

/**
 * The GitHub repository of the remote, and a client for it. `GITHUB_REPOSITORY` (owner/repo)
 * wins over the remote's URL; `GITHUB_API_URL` over the host's (a GitHub Enterprise remote
 * `git@ghe.example:o/r` means `https://ghe.example/api/v3`). The token is `GITHUB_TOKEN`, else
 * `GH_TOKEN` (the GitHub CLI's variable). Throws a `RolecallError` saying what is missing.
 */
export async function resolveGitHubTarget(
  cwd: string,
  remote: string,
  env: Record<string, string | undefined>,
  warn?: (message: string) => void,
): Promise<GitHubTarget> {
  const url = await remoteUrl(cwd, remote);
  const fromUrl = url === null ? null : githubRepoOf(url);
  let repo: RepoRef;
  const configured = env['GITHUB_REPOSITORY']?.trim();
  if (configured) {
    const match = /^([^/\s]+)\/([^/\s]+)$/.exec(configured);
    if (!match) throw new UsageError(`GITHUB_REPOSITORY must be "owner/repo", got "${configured}"`);
    repo = { owner: match[1] as string, repo: match[2] as string };
  } else if (fromUrl) {
    repo = { owner: fromUrl.owner, repo: fromUrl.repo };
  } else {
    throw new RolecallError(
      'NO_GITHUB_REPOSITORY',
      `cannot tell the GitHub repository from remote ${remote}; set GITHUB_REPOSITORY=owner/repo`,
    );
  }
  const apiUrl =
    env['GITHUB_API_URL']?.trim() ||
    (fromUrl && fromUrl.host !== 'github.com' && !configured
      ? `https://${fromUrl.host}/api/v3`
      : DEFAULT_GITHUB_API_URL);
  const token = env['GITHUB_TOKEN'] || env['GH_TOKEN'];
  const octokit = createGitHubClient({
    env: { ...env, GITHUB_API_URL: apiUrl },
    ...(token ? { token } : {}),
    ...(warn ? { warn } : {}),
  });
  return { repo, octokit, apiUrl };
}
