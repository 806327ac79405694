/**
 * What every `--github` command starts with: the job's context, a client, the login rolecall
 * writes as, and (for team rules) a second client that can read organization teams.
 *
 *   const gh = await openGitHubSession(io.env);
 *   const pr = await requireMergedPullRequest(gh.octokit, { ...gh.repo, sha: gh.context.sha! });
 *
 * Environment: `GITHUB_REPOSITORY`, `GITHUB_TOKEN`, `GITHUB_API_URL` (optional), and optionally
 * `ROLECALL_GITHUB_LOGIN` (the bot login of your own GitHub App's token, see identity.ts) and
 * `ROLECALL_TEAMS_TOKEN` (organization "Members: read", for `approvals: … teams:`).
 */
import { createGitHubClient, type GitHubClient } from './client.js';
import { githubContext, repoParams, type GitHubContext, type RepoRef } from './context.js';
import { resolveTokenLogin, type TokenLogin } from './identity.js';

export interface GitHubSession {
  context: GitHubContext;
  repo: RepoRef;
  octokit: GitHubClient;
  /** Reads teams: `ROLECALL_TEAMS_TOKEN` when set, else `octokit`. */
  teamOctokit: GitHubClient;
  identity: TokenLogin;
}

export async function openGitHubSession(
  env: Record<string, string | undefined>,
  options: { retry?: boolean; warn?: (message: string) => void } = {},
): Promise<GitHubSession> {
  const context = githubContext(env);
  const common = {
    env,
    ...(options.retry === undefined ? {} : { retry: options.retry, throttle: options.retry }),
    ...(options.warn ? { warn: options.warn } : {}),
  };
  const octokit = createGitHubClient(common);
  const teamOctokit = env['ROLECALL_TEAMS_TOKEN']
    ? createGitHubClient({ ...common, tokenName: 'ROLECALL_TEAMS_TOKEN' })
    : octokit;
  const configured = env['ROLECALL_GITHUB_LOGIN']?.trim();
  const identity = await resolveTokenLogin(octokit, configured ? { configured } : {});
  const repo = repoParams(context);
  return {
    context,
    repo,
    octokit,
    teamOctokit,
    identity,
  };
}
