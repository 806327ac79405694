/**
 * Wire shapes of the fake: GitHub's REST answers with every field its OpenAPI description marks
 * required, GitHub's names, URL forms (absolute `url`s on the API, `html_url`s on the web) and
 * enum values. openapi.ts checks every answer against the description.
 */
import type { FakeComment, FakeIssue, FakeRepo, FakeReview, FakeUser } from './state.js';
import { fullRepositoryJson } from './serialize-settings.js';

export const WEB = 'https://github.com';
export const API = 'https://api.github.com';

/** `simple-user`. A bot's page is its app's (`/apps/github-actions`), as on GitHub. */
export function simpleUserJson(user: FakeUser) {
  const url = `${API}/users/${encodeURIComponent(user.login)}`;
  const bot = /^(.+)\[bot\]$/.exec(user.login);
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url,
    html_url: bot ? `${WEB}/apps/${bot[1]}` : `${WEB}/${user.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: user.type,
    site_admin: false,
  };
}

export const userJson = simpleUserJson;

/** `public-user` (GET /users/{username}, and GET /user's public part). */
export function publicUserJson(user: FakeUser & { email?: string | null }) {
  return {
    ...simpleUserJson(user),
    name: null,
    company: null,
    blog: '',
    location: null,
    email: user.email ?? null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: '2020-01-01T00:00:00Z',
    updated_at: '2020-01-01T00:00:00Z',
  };
}

/** `private-user` (GET /user). */
export function privateUserJson(user: FakeUser & { email?: string | null }) {
  return {
    ...publicUserJson(user),
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

/** A stable positive id for things the fake does not number (labels, other repositories). */
export function idOf(text: string): number {
  let hash = 7;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) % 2_000_000_011;
  return hash + 1;
}

/** An owner the world does not hold as a user (an organization). */
function ownerOf(login: string): FakeUser {
  return { id: idOf(`owner:${login}`), login, type: 'User' } as FakeUser;
}

/** `label`. */
export function labelJson(repo: FakeRepo, name: string) {
  const label = repo.labels.get(name);
  return {
    id: idOf(`${repo.fullName}#${name}`),
    node_id: `LA_${idOf(`${repo.fullName}#${name}`)}`,
    url: `${API}/repos/${repo.fullName}/labels/${encodeURIComponent(name)}`,
    name,
    description: label?.description || null,
    color: label?.color ?? 'ededed',
    default: false,
  };
}

export function issueJson(repo: FakeRepo, issue: FakeIssue) {
  const kind = issue.pull ? 'pull' : 'issues';
  const url = `${API}/repos/${repo.fullName}/issues/${issue.number}`;
  return {
    id: issue.number * 7919,
    node_id: `I_${issue.number * 7919}`,
    url,
    repository_url: `${API}/repos/${repo.fullName}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.stateReason,
    labels: issue.labels.map((name) => labelJson(repo, name)),
    user: userJson(issue.user),
    assignee: null,
    milestone: null,
    locked: false,
    comments: repo.commentsOn(issue.number).length,
    author_association: 'CONTRIBUTOR',
    html_url: `${WEB}/${repo.fullName}/${kind}/${issue.number}`,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    ...(issue.pull
      ? {
          pull_request: {
            url: `${API}/repos/${repo.fullName}/pulls/${issue.number}`,
            html_url: `${WEB}/${repo.fullName}/pull/${issue.number}`,
            diff_url: `${WEB}/${repo.fullName}/pull/${issue.number}.diff`,
            patch_url: `${WEB}/${repo.fullName}/pull/${issue.number}.patch`,
            merged_at: issue.pull.mergedAt,
          },
        }
      : {}),
  };
}

/** A branch end of a pull request (`head`, `base`) with its repository. */
function branchJson(fullName: string | null, ref: string, sha: string, repo: FakeRepo) {
  const ownerLogin = fullName?.split('/')[0] ?? 'unknown';
  const owner = ownerOf(ownerLogin);
  const repository =
    fullName === null
      ? null
      : fullName === repo.fullName
        ? fullRepositoryJson(repo, owner)
        : fullRepositoryJson(
            {
              id: idOf(fullName),
              name: fullName.split('/')[1] ?? fullName,
              fullName,
              settings: { defaultBranch: 'main' },
            },
            owner,
          );
  return { label: `${ownerLogin}:${ref}`, ref, sha, user: simpleUserJson(owner), repo: repository };
}

/** `pull-request` (one pull request) — also valid as `pull-request-simple` (lists). */
export function pullJson(repo: FakeRepo, issue: FakeIssue) {
  const pull = issue.pull;
  if (!pull) throw new Error('not a pull request');
  const url = `${API}/repos/${repo.fullName}/pulls/${issue.number}`;
  const issueUrl = `${API}/repos/${repo.fullName}/issues/${issue.number}`;
  const html = `${WEB}/${repo.fullName}/pull/${issue.number}`;
  const head = branchJson(pull.headRepoFullName, pull.headRef, pull.headSha, repo);
  const base = branchJson(repo.fullName, pull.baseRef, pull.baseSha, repo);
  return {
    id: issue.number * 7919,
    node_id: `PR_${issue.number * 7919}`,
    url,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${API}/repos/${repo.fullName}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${API}/repos/${repo.fullName}/statuses/${pull.headSha}`,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    locked: false,
    draft: pull.draft,
    user: userJson(issue.user),
    labels: issue.labels.map((name) => labelJson(repo, name)),
    assignee: null,
    milestone: null,
    head,
    base,
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${API}/repos/${repo.fullName}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${API}/repos/${repo.fullName}/statuses/${pull.headSha}` },
    },
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
    merged: pull.merged,
    mergeable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    maintainer_can_modify: false,
    comments: repo.commentsOn(issue.number).length,
    review_comments: 0,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
  };
}

export function commentJson(repo: FakeRepo, comment: FakeComment) {
  const issue = repo.issues.get(comment.issueNumber);
  const kind = issue?.pull ? 'pull' : 'issues';
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${API}/repos/${repo.fullName}/issues/comments/${comment.id}`,
    body: comment.body,
    user: userJson(comment.user),
    html_url: `${WEB}/${repo.fullName}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${API}/repos/${repo.fullName}/issues/${comment.issueNumber}`,
    author_association: 'CONTRIBUTOR',
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  };
}

export function reviewJson(repo: FakeRepo, review: FakeReview) {
  const html = `${WEB}/${repo.fullName}/pull/${review.pullNumber}`;
  const pullUrl = `${API}/repos/${repo.fullName}/pulls/${review.pullNumber}`;
  return {
    id: review.id,
    node_id: `PRR_${review.id}`,
    user: userJson(review.user),
    body: review.body,
    state: review.state,
    commit_id: review.commitId,
    html_url: `${html}#pullrequestreview-${review.id}`,
    pull_request_url: pullUrl,
    _links: {
      html: { href: `${html}#pullrequestreview-${review.id}` },
      pull_request: { href: pullUrl },
    },
    author_association: 'COLLABORATOR',
    ...(review.submittedAt ? { submitted_at: review.submittedAt } : {}),
  };
}
