/**
 * Where a rolecall pull request goes — one answer for `request`, the expiry clean-up and
 * `review close`: the remote its branch is pushed to, the branch it targets (the base) and the
 * commit it is built on, the GitHub repository behind the remote, and who commits when the
 * runner has no git identity. Read-only: nothing here changes the repository.
 */
import { RolecallError, UsageError } from '../errors.js';
import type { GitIdentity } from '../git/index.js';
import { openGit } from '../git/open-git.js';
import {
  currentBranch,
  defaultRemote,
  githubRepoOf,
  remoteUrl,
  resolveCommit,
} from '../git/repo-info.js';
import { DEFAULT_GITHUB_API_URL } from '../github/client.js';
import { ACTIONS_BOT_LOGIN } from '../github/identity.js';

type Env = Record<string, string | undefined>;

export interface PullRequestTarget {
  /** The remote to push to (`origin`), or null when the repository has none. */
  remote: string | null;
  /** The branch the pull request targets. */
  baseBranch: string;
  /** What the base commit was read from: `origin/main` (preferred) or `main`. */
  baseRef: string;
  baseSha: string;
}

export interface PullRequestTargetOptions {
  /** `--remote`. */
  remote?: string | undefined;
  /** `--base`. */
  base?: string | undefined;
  /** For `GITHUB_REF` (`refs/heads/main`): the branch an Actions job runs on. */
  env: Env;
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
 * The remote is `--remote`, else the current branch's upstream remote, else `origin`. The base
 * branch is, in order: `--base`; the branch an Actions job runs on (`GITHUB_REF`); the remote's
 * default branch (`origin/HEAD`, set by `git clone`); the current branch. A detached HEAD with
 * none of these is refused rather than guessed. The base commit is the remote-tracking branch
 * as last fetched (`origin/main`) when there is one — the pull request merges into that, and
 * unpushed local commits must not ride along — else the local branch. rolecall does not fetch:
 * run `git fetch` first for the newest base.
 */
export async function resolvePullRequestTarget(
  cwd: string,
  options: PullRequestTargetOptions,
): Promise<PullRequestTarget> {
  const remote = options.remote ?? (await defaultRemote(cwd));
  if (options.remote !== undefined && (await remoteUrl(cwd, options.remote)) === null) {
    throw new UsageError(`--remote ${options.remote}: no such remote in this repository`);
  }
  const githubRef = options.env['GITHUB_REF'];
  const jobBranch = githubRef?.startsWith('refs/heads/')
    ? githubRef.slice('refs/heads/'.length)
    : null;
  const baseBranch =
    options.base ??
    jobBranch ??
    (remote === null ? null : await remoteHeadBranch(cwd, remote)) ??
    (await currentBranch(cwd));
  if (baseBranch === null) {
    throw new UsageError(
      'HEAD is detached and the remote names no default branch: pass --base BRANCH (the branch the pull request targets)',
    );
  }
  const candidates = [
    ...(remote === null ? [] : [{ ref: `${remote}/${baseBranch}`, rev: `refs/remotes/` }]),
    { ref: baseBranch, rev: 'refs/heads/' },
  ];
  for (const { ref, rev } of candidates) {
    const sha = await tryResolve(cwd, `${rev}${ref}`);
    if (sha !== null) return { remote, baseBranch, baseRef: ref, baseSha: sha };
  }
  throw new RolecallError(
    'GIT_UNKNOWN_REVISION',
    `the base branch ${baseBranch} is not in this repository${remote ? ` (nor ${remote}/${baseBranch}; git fetch ${remote}?)` : ''}; pass --base BRANCH`,
  );
}

/** The remote to push `what` to; refused when the repository has none. */
export function pushRemoteOf(target: PullRequestTarget, what: string): string {
  if (target.remote === null) {
    throw new RolecallError(
      'NO_REMOTE',
      `this repository has no remote to push ${what} to; add one, or pass --remote NAME`,
    );
  }
  return target.remote;
}

/**
 * The environment a GitHub session for `remote` needs, from a laptop as much as from Actions:
 * `GITHUB_REPOSITORY` (owner/repo) wins over the remote's URL; `GITHUB_API_URL` over the
 * host's (a GitHub Enterprise remote `git@ghe.example:o/r` means `https://ghe.example/api/v3`);
 * the token is `GITHUB_TOKEN`, else `GH_TOKEN` (the GitHub CLI's variable).
 */
export async function githubEnvFor(cwd: string, remote: string, env: Env): Promise<Env> {
  const url = await remoteUrl(cwd, remote);
  const fromUrl = url === null ? null : githubRepoOf(url);
  const configured = env['GITHUB_REPOSITORY']?.trim();
  if (!configured && fromUrl === null) {
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
  return {
    ...env,
    GITHUB_REPOSITORY: configured || `${fromUrl?.owner}/${fromUrl?.repo}`,
    GITHUB_API_URL: apiUrl,
    ...(token ? { GITHUB_TOKEN: token } : {}),
  };
}

/** GitHub's well-known no-reply address of `github-actions[bot]`. */
export const ACTIONS_BOT_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

/**
 * The git identity of a commit rolecall makes on its own account (the clean-up, and any commit
 * on a runner without `user.email`): the token's login with GitHub's no-reply address, so the
 * commit is attributed to the same account that opens the pull request.
 */
export function botIdentity(login: string): GitIdentity {
  if (login === ACTIONS_BOT_LOGIN) return { name: login, email: ACTIONS_BOT_EMAIL };
  return { name: login, email: `${login}@users.noreply.github.com` };
}
