/**
 * What the approval gate needs to know about the reviewers and the change, fetched from GitHub:
 * repository permissions, public profile emails, and team memberships (only of the reviewers,
 * only of the teams the rules name); the pull request's commits and who pushed them.
 */
import type { CommitInput, PushInput } from './approvals.js';
import type { GitHubClient } from './client.js';
import { repoParams, type RepoRef } from './context.js';
import { githubError, statusOf } from './github-error.js';

/** `GET /pulls/{n}/commits` lists at most this many commits, whatever the pagination. */
export const MAX_LISTED_COMMITS = 250;

/** login → repository permission (`none` for a user GitHub does not know). */
export async function fetchPermissions(
  octokit: GitHubClient,
  repo: RepoRef,
  logins: string[],
): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const login of logins) {
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
        ...repoParams(repo),
        username: login,
      });
      result[login] = data.permission;
    } catch (error) {
      if (statusOf(error) === 404) result[login] = 'none';
      else throw githubError(`read the repository permission of @${login}`, error);
    }
  }
  return result;
}

/** Public profile emails; a user without one, or one GitHub will not show, has none. */
export async function fetchPublicEmails(
  octokit: GitHubClient,
  logins: string[],
): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const login of logins) {
    try {
      const { data } = await octokit.rest.users.getByUsername({ username: login });
      result[login] = data.email ? [data.email] : [];
    } catch (error) {
      if (statusOf(error) === 404) result[login] = [];
      else throw githubError(`read the profile of @${login}`, error);
    }
  }
  return result;
}

/**
 * Active members among `logins` of each team. A team the token cannot see is a problem the
 * refusal names (GITHUB_TOKEN cannot read organization teams), never "nobody is a member".
 */
export async function fetchTeamMembers(
  octokit: GitHubClient,
  teams: string[],
  logins: string[],
): Promise<{ members: Record<string, string[]>; problems: string[] }> {
  const members: Record<string, string[]> = {};
  const problems: string[] = [];
  for (const team of teams) {
    const [org, slug] = team.split('/');
    if (!org || !slug) {
      problems.push(`team "${team}" must be written org/team-slug`);
      continue;
    }
    try {
      await octokit.rest.teams.getByName({ org, team_slug: slug });
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 403 || status === 401) {
        problems.push(
          `cannot check team ${team}: it does not exist or the token cannot see it (GitHub answered ${status}). ` +
            'Team rules need a token with organization "Members: read" (GITHUB_TOKEN has none): set ROLECALL_TEAMS_TOKEN',
        );
        continue;
      }
      throw githubError(`read team ${team}`, error);
    }
    const active: string[] = [];
    members[team] = active;
    for (const login of logins) {
      try {
        const { data } = await octokit.rest.teams.getMembershipForUserInOrg({
          org,
          team_slug: slug,
          username: login,
        });
        if (data.state === 'active') active.push(login);
      } catch (error) {
        if (statusOf(error) !== 404)
          throw githubError(`check whether @${login} is in team ${team}`, error);
      }
    }
  }
  return { members, problems };
}

/**
 * The pull request's commits, with the accounts GitHub links their authors and committers to.
 * GitHub lists at most `MAX_LISTED_COMMITS`; the gate compares the count with `commits` of the
 * pull request and refuses what it cannot see whole.
 */
export async function fetchPullCommits(
  octokit: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
): Promise<CommitInput[]> {
  try {
    return await octokit.paginate(octokit.rest.pulls.listCommits, {
      ...repoParams(repo),
      pull_number: pullNumber,
      per_page: 100,
    });
  } catch (error) {
    throw githubError(`list the commits of #${pullNumber}`, error);
  }
}

/**
 * Activities on the head branch (`refs/heads/<ref>`): pushes, force pushes and branch creations
 * with their actor, so the gate can tell who pushed a commit. GitHub answers 404 or 403 where it
 * does not tell (a token without the permission, an older GitHub Enterprise Server): then
 * `pushes` is `null` and `note` says so — commit authors and committers are still excluded.
 */
export async function fetchBranchPushes(
  octokit: GitHubClient,
  repo: RepoRef,
  ref: string,
): Promise<{ pushes: PushInput[] | null; note: string | null }> {
  const fullRef = ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
  try {
    const activities = await octokit.paginate(octokit.rest.repos.listActivities, {
      ...repoParams(repo),
      ref: fullRef,
      per_page: 100,
    });
    // No filtering by `ref` here: an activity elsewhere whose `after` is a commit of the pull
    // request still tells who pushed that commit (evaluateApprovals matches by sha).
    return { pushes: activities, note: null };
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || status === 403) {
      return {
        pushes: null,
        note:
          `GitHub does not tell who pushed to ${fullRef} (the repository activity answered ${status}): ` +
          'pushers are not excluded, only the authors and committers of the commits — turn on ' +
          '"Require approval of the most recent reviewable push" in branch protection',
      };
    }
    throw githubError(`list the pushes to ${fullRef}`, error);
  }
}
