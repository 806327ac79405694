/**
 * The default branch and the rules on it, read for `rolecall doctor`: its branch protection,
 * the active ruleset rules that apply to it, each ruleset's bypass list. Every read returns
 * what it found or why it could not (read-result.ts), never throws on a refusal.
 */
import type { GitHubClient } from './client.js';
import { repoParams, type RepoRef } from './context.js';
import { readSetting, type GitHubRead, type ReadContext } from './read-result.js';

export interface PullRequestSettings {
  approvals: number;
  dismissStale: boolean;
  codeOwners: boolean;
  lastPush: boolean;
}

export interface BranchProtectionSettings {
  pullRequest: (PullRequestSettings & { bypass: string[] }) | null;
  statusChecks: string[];
  enforceAdmins: boolean;
  allowForcePushes: boolean;
  allowDeletions: boolean;
}

export interface BranchRuleSettings {
  type: string;
  rulesetId: number | null;
  pullRequest: PullRequestSettings | null;
  statusChecks: string[];
}

export interface RulesetSettings {
  id: number;
  name: string;
  /** `null` when GitHub does not show it (only to who may edit the ruleset). */
  bypassActors: Array<{ type: string; id: number | null; mode: string }> | null;
}

export function readDefaultBranch(
  octokit: GitHubClient,
  repo: RepoRef,
  context: ReadContext,
): Promise<GitHubRead<string>> {
  return readSetting(context, 'Metadata: read', async () => {
    const { data } = await octokit.rest.repos.get({ ...repoParams(repo) });
    return data.default_branch;
  });
}

/** `null`: the branch is not protected (GitHub's 404 "Branch not protected"). */
export function readBranchProtection(
  octokit: GitHubClient,
  repo: RepoRef,
  branch: string,
  context: ReadContext,
): Promise<GitHubRead<BranchProtectionSettings | null>> {
  return readSetting(
    context,
    'Administration: read',
    async () => {
      const { data } = await octokit.rest.repos.getBranchProtection({
        ...repoParams(repo),
        branch,
      });
      const reviews = data.required_pull_request_reviews;
      const allowances = reviews?.bypass_pull_request_allowances;
      const checks = data.required_status_checks;
      return {
        pullRequest: reviews
          ? {
              approvals: reviews.required_approving_review_count ?? 0,
              dismissStale: reviews.dismiss_stale_reviews,
              codeOwners: reviews.require_code_owner_reviews,
              lastPush: reviews.require_last_push_approval ?? false,
              bypass: [
                ...(allowances?.users ?? []).map((u) => u.login),
                ...(allowances?.teams ?? []).map((t) => `team ${t.slug}`),
                ...(allowances?.apps ?? []).flatMap((a) => (a ? [`app ${a.slug ?? a.name}`] : [])),
              ],
            }
          : null,
        statusChecks: [
          ...new Set([
            ...(checks?.contexts ?? []),
            ...(checks?.checks ?? []).map((check) => check.context),
          ]),
        ],
        enforceAdmins: data.enforce_admins?.enabled ?? false,
        allowForcePushes: data.allow_force_pushes?.enabled ?? false,
        allowDeletions: data.allow_deletions?.enabled ?? false,
      };
    },
    (status, message) =>
      status === 404 && /not protected/i.test(message) ? { value: null } : null,
  );
}

/** The active rules that apply to the branch, from every level (repository, organization). */
export function readBranchRules(
  octokit: GitHubClient,
  repo: RepoRef,
  branch: string,
  context: ReadContext,
): Promise<GitHubRead<BranchRuleSettings[]>> {
  return readSetting(context, 'Metadata: read', async () => {
    const rules = await octokit.paginate(octokit.rest.repos.getBranchRules, {
      ...repoParams(repo),
      branch,
      per_page: 100,
    });
    return rules.map((rule): BranchRuleSettings => {
      const parameters = ('parameters' in rule ? rule.parameters : undefined) as
        Record<string, unknown> | undefined;
      const pullRequest =
        rule.type === 'pull_request' && parameters
          ? {
              approvals: Number(parameters['required_approving_review_count'] ?? 0),
              dismissStale: parameters['dismiss_stale_reviews_on_push'] === true,
              codeOwners: parameters['require_code_owner_review'] === true,
              lastPush: parameters['require_last_push_approval'] === true,
            }
          : null;
      const checks =
        rule.type === 'required_status_checks' &&
        Array.isArray(parameters?.['required_status_checks'])
          ? (parameters['required_status_checks'] as Array<{ context?: unknown }>).flatMap((c) =>
              typeof c.context === 'string' ? [c.context] : [],
            )
          : [];
      return {
        type: rule.type,
        rulesetId: typeof rule.ruleset_id === 'number' ? rule.ruleset_id : null,
        pullRequest,
        statusChecks: checks,
      };
    });
  });
}

export function readRuleset(
  octokit: GitHubClient,
  repo: RepoRef,
  id: number,
  context: ReadContext,
): Promise<GitHubRead<RulesetSettings>> {
  return readSetting(context, 'Metadata: read', async () => {
    const { data } = await octokit.rest.repos.getRepoRuleset({
      ...repoParams(repo),
      ruleset_id: id,
    });
    return {
      id: data.id,
      name: data.name,
      bypassActors: data.bypass_actors
        ? data.bypass_actors.map((actor) => ({
            type: actor.actor_type,
            id: actor.actor_id ?? null,
            mode: actor.bypass_mode ?? 'always',
          }))
        : null,
    };
  });
}

/** The names of the protected branches. */
export function readProtectedBranches(
  octokit: GitHubClient,
  repo: RepoRef,
  context: ReadContext,
): Promise<GitHubRead<string[]>> {
  return readSetting(context, 'Metadata: read', async () => {
    const branches = await octokit.paginate(octokit.rest.repos.listBranches, {
      ...repoParams(repo),
      protected: true,
      per_page: 100,
    });
    return branches.map((b) => b.name);
  });
}
