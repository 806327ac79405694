/**
 * What the approval gate needs to know about the reviewers, fetched from GitHub: repository
 * permissions, public profile emails, and team memberships (only of the reviewers, only of the
 * teams the rules name).
 */
import type { GitHubClient } from './client.js';
import { repoParams, type RepoRef } from './context.js';
import { githubError, statusOf } from './github-error.js';

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
