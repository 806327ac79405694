/**
 * Wire shapes of the settings routes (`rolecall doctor`'s reads), complete enough that each
 * answer validates against GitHub's OpenAPI description (test/integration/doctor/
 * fake-github-openapi.test.ts holds them to it).
 */
import { API, simpleUserJson, WEB } from './serialize.js';
import type { FakeProtection, FakeRuleset } from './settings.js';
import type { FakeRepo, FakeUser } from './state.js';

const CREATED = '2026-01-05T09:00:00Z';

export { API, simpleUserJson };

/** `full-repository` (GET /repos/{owner}/{repo}). */
export function fullRepositoryJson(
  repo: Pick<FakeRepo, 'id' | 'name' | 'fullName'> & { settings: { defaultBranch: string } },
  owner: FakeUser,
) {
  const url = `${API}/repos/${repo.fullName}`;
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: repo.fullName,
    owner: simpleUserJson(owner),
    private: true,
    html_url: `${WEB}/${repo.fullName}`,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git://github.com/${repo.fullName}.git`,
    hooks_url: `${url}/hooks`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@github.com:${repo.fullName}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${WEB}/${repo.fullName}.git`,
    mirror_url: null,
    svn_url: `${WEB}/${repo.fullName}`,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.settings.defaultBranch,
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_downloads: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: CREATED,
    created_at: CREATED,
    updated_at: CREATED,
    network_count: 0,
    subscribers_count: 0,
  };
}

/** `branch-protection` (GET …/branches/{branch}/protection). */
export function protectionJson(
  repo: FakeRepo,
  branch: string,
  protection: FakeProtection,
  userOf: (login: string) => FakeUser,
) {
  const url = `${API}/repos/${repo.fullName}/branches/${encodeURIComponent(branch)}/protection`;
  const reviews = protection.pullRequest;
  return {
    url,
    ...(protection.statusChecks.length > 0
      ? {
          required_status_checks: {
            url: `${url}/required_status_checks`,
            strict: false,
            contexts: protection.statusChecks,
            contexts_url: `${url}/required_status_checks/contexts`,
            checks: protection.statusChecks.map((context) => ({ context, app_id: null })),
          },
        }
      : {}),
    ...(reviews
      ? {
          required_pull_request_reviews: {
            url: `${url}/required_pull_request_reviews`,
            dismiss_stale_reviews: reviews.dismissStale,
            require_code_owner_reviews: reviews.codeOwners,
            required_approving_review_count: reviews.approvals,
            require_last_push_approval: reviews.lastPush,
            ...(reviews.bypassUsers.length > 0
              ? {
                  bypass_pull_request_allowances: {
                    users: reviews.bypassUsers.map((login) => simpleUserJson(userOf(login))),
                    teams: [],
                    apps: [],
                  },
                }
              : {}),
          },
        }
      : {}),
    enforce_admins: { url: `${url}/enforce_admins`, enabled: protection.enforceAdmins },
    required_linear_history: { enabled: false },
    allow_force_pushes: { enabled: protection.allowForcePushes },
    allow_deletions: { enabled: protection.allowDeletions },
    block_creations: { enabled: false },
    required_conversation_resolution: { enabled: false },
    lock_branch: { enabled: false },
    allow_fork_syncing: { enabled: false },
    required_signatures: { url: `${url}/required_signatures`, enabled: false },
  };
}

/** `repository-ruleset` (GET …/rulesets/{id}); the bypass list only for who may edit it. */
export function rulesetJson(repo: FakeRepo, ruleset: FakeRuleset, showBypass: boolean) {
  return {
    id: ruleset.id,
    name: ruleset.name,
    target: 'branch',
    source_type: 'Repository',
    source: repo.fullName,
    enforcement: ruleset.enforcement,
    ...(showBypass ? { bypass_actors: ruleset.bypassActors } : {}),
    current_user_can_bypass: 'never',
    node_id: `RRS_${ruleset.id}`,
    _links: {
      self: { href: `${API}/repos/${repo.fullName}/rulesets/${ruleset.id}` },
      html: { href: `${WEB}/${repo.fullName}/rules/${ruleset.id}` },
    },
    conditions: { ref_name: { include: ruleset.include, exclude: [] } },
    rules: ruleset.rules,
    created_at: CREATED,
    updated_at: CREATED,
  };
}

/** `environment` (GET …/environments/{name}). */
export function environmentJson(
  repo: FakeRepo,
  name: string,
  id: number,
  reviewers: FakeUser[],
  branchPolicy: { protected_branches: boolean; custom_branch_policies: boolean } | null,
) {
  return {
    id,
    node_id: `EN_${id}`,
    name,
    url: `${API}/repos/${repo.fullName}/environments/${encodeURIComponent(name)}`,
    html_url: `${WEB}/${repo.fullName}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
    created_at: CREATED,
    updated_at: CREATED,
    can_admins_bypass: true,
    protection_rules: [
      ...(reviewers.length > 0
        ? [
            {
              id: id + 1,
              node_id: `GA_${id + 1}`,
              type: 'required_reviewers',
              prevent_self_review: false,
              reviewers: reviewers.map((user) => ({
                type: 'User',
                reviewer: simpleUserJson(user),
              })),
            },
          ]
        : []),
      ...(branchPolicy ? [{ id: id + 2, node_id: `GA_${id + 2}`, type: 'branch_policy' }] : []),
    ],
    deployment_branch_policy: branchPolicy,
  };
}
