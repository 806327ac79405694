/**
 * The settings routes `rolecall doctor` reads: the repository (its default branch), branch
 * protection, the rules and rulesets on a branch, CODEOWNERS errors, environments with their
 * deployment-branch rules and secret names, the repository's secret names, the Actions
 * workflow permissions, the protected branches.
 *
 * A token without the permission a route needs is refused as GitHub refuses it: an app's
 * token (a bot, like GITHUB_TOKEN) gets 403 "Resource not accessible by integration"; a
 * user's token on an admin-only route gets 404 "Not Found" (GitHub hides what a non-admin may
 * not see), on the others 403.
 */
import {
  HttpError,
  paginate,
  repoOf,
  requirePower,
  route,
  type Route,
  type RouteContext,
  type RouteResult,
} from './router.js';
import {
  environmentJson,
  fullRepositoryJson,
  protectionJson,
  rulesetJson,
} from './serialize-settings.js';
import type { FakeRuleset } from './settings.js';
import type { FakeRepo } from './state.js';

const DOCS = 'https://docs.github.com/rest';

/** "Administration: read" (or write): a bot gets 403, a user 404. */
function requireAdministration(ctx: RouteContext, level: 'read' | 'write' = 'read'): void {
  const has = ctx.token.powers.administration;
  if (has === 'write' || (has === 'read' && level === 'read')) return;
  if (ctx.token.user.type === 'Bot') {
    throw new HttpError(403, 'Resource not accessible by integration', { documentation_url: DOCS });
  }
  throw new HttpError(404, 'Not Found', { documentation_url: DOCS });
}

function requireActions(ctx: RouteContext): void {
  if (!ctx.token.powers.actions) {
    throw new HttpError(403, 'Resource not accessible by integration', { documentation_url: DOCS });
  }
}

/** A page of a `{total_count, <key>: [...]}` answer, with GitHub's Link header. */
function paginateObject<T>(ctx: RouteContext, key: string, items: T[]): RouteResult {
  const page = paginate(ctx, items);
  return { ...page, body: { total_count: items.length, [key]: page.body } };
}

/** Whether a ruleset's `ref_name.include` covers the branch. */
function appliesTo(repo: FakeRepo, ruleset: FakeRuleset, branch: string): boolean {
  return ruleset.include.some(
    (pattern) =>
      pattern === '~ALL' ||
      (pattern === '~DEFAULT_BRANCH' && branch === repo.settings.defaultBranch) ||
      pattern === `refs/heads/${branch}`,
  );
}

function environmentOf(ctx: RouteContext): { repo: FakeRepo; name: string } {
  const repo = repoOf(ctx);
  const name = ctx.params['env'] ?? '';
  if (!repo.environments.has(name))
    throw new HttpError(404, 'Not Found', { documentation_url: DOCS });
  return { repo, name };
}

function secretList(box: { secrets: Map<string, { updatedAt: string }> }) {
  return [...box.secrets]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, sealed]) => ({
      name,
      created_at: sealed.updatedAt,
      updated_at: sealed.updatedAt,
    }));
}

export const settingsRoutes: Route[] = [
  route('GET', '/repos/:owner/:repo', (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: fullRepositoryJson(repo, ctx.world.user(repo.owner)) };
  }),

  route('GET', '/repos/:owner/:repo/branches', (ctx) => {
    const repo = repoOf(ctx);
    const onlyProtected = ctx.query.get('protected') === 'true';
    const names = [...repo.settings.branches]
      .filter((name) => !onlyProtected || repo.settings.protection.has(name))
      .sort();
    return paginate(
      ctx,
      names.map((name) => ({
        name,
        commit: {
          sha: 'f'.repeat(40),
          url: `https://api.github.com/repos/${repo.fullName}/commits/${'f'.repeat(40)}`,
        },
        protected: repo.settings.protection.has(name),
      })),
    );
  }),

  route('GET', '/repos/:owner/:repo/branches/:branch/protection', (ctx) => {
    const repo = repoOf(ctx);
    requireAdministration(ctx);
    const branch = ctx.params['branch'] ?? '';
    const protection = repo.settings.protection.get(branch);
    if (!protection) {
      throw new HttpError(404, 'Branch not protected', {
        documentation_url: `${DOCS}/branches/branch-protection#get-branch-protection`,
      });
    }
    return {
      status: 200,
      body: protectionJson(repo, branch, protection, (login) => ctx.world.user(login)),
    };
  }),

  route('GET', '/repos/:owner/:repo/rules/branches/:branch', (ctx) => {
    const repo = repoOf(ctx);
    const branch = ctx.params['branch'] ?? '';
    const rules = repo.settings.rulesets
      .filter((r) => r.enforcement === 'active' && appliesTo(repo, r, branch))
      .flatMap((ruleset) =>
        ruleset.rules.map((rule) => ({
          ...rule,
          ruleset_source_type: 'Repository',
          ruleset_source: repo.fullName,
          ruleset_id: ruleset.id,
        })),
      );
    return paginate(ctx, rules);
  }),

  route('GET', '/repos/:owner/:repo/rulesets/:id', (ctx) => {
    const repo = repoOf(ctx);
    const ruleset = repo.settings.rulesets.find((r) => String(r.id) === ctx.params['id']);
    if (!ruleset) throw new HttpError(404, 'Not Found', { documentation_url: DOCS });
    return {
      status: 200,
      body: rulesetJson(repo, ruleset, ctx.token.powers.administration === 'write'),
    };
  }),

  route('GET', '/repos/:owner/:repo/codeowners/errors', (ctx) => {
    const repo = repoOf(ctx);
    const errors = repo.settings.codeownersErrors;
    if (errors === null) throw new HttpError(404, 'Not Found', { documentation_url: DOCS });
    return { status: 200, body: { errors } };
  }),

  route('GET', '/repos/:owner/:repo/environments/:env', (ctx) => {
    requireActions(ctx);
    const { repo, name } = environmentOf(ctx);
    const settings = repo.environmentSettings.get(name) ?? { reviewers: [], branchPolicy: null };
    const policy = settings.branchPolicy;
    return {
      status: 200,
      body: environmentJson(
        repo,
        name,
        repo.id * 10,
        settings.reviewers.map((login) => ctx.world.user(login)),
        policy === null
          ? null
          : {
              protected_branches: policy.kind === 'protected',
              custom_branch_policies: policy.kind === 'custom',
            },
      ),
    };
  }),

  route('GET', '/repos/:owner/:repo/environments/:env/deployment-branch-policies', (ctx) => {
    requireActions(ctx);
    const { repo, name } = environmentOf(ctx);
    const policy = repo.environmentSettings.get(name)?.branchPolicy;
    const rules = policy?.kind === 'custom' ? policy.rules : [];
    return paginateObject(
      ctx,
      'branch_policies',
      rules.map((rule, i) => ({
        id: repo.id * 100 + i,
        node_id: `DBP_${repo.id * 100 + i}`,
        name: rule.name,
        type: rule.type,
      })),
    );
  }),

  route('GET', '/repos/:owner/:repo/environments/:env/secrets', (ctx) => {
    requirePower(ctx, 'secrets');
    const { repo, name } = environmentOf(ctx);
    return paginateObject(ctx, 'secrets', secretList(repo.environment(name)));
  }),

  route('GET', '/repos/:owner/:repo/actions/secrets', (ctx) => {
    requirePower(ctx, 'secrets');
    return paginateObject(ctx, 'secrets', secretList(repoOf(ctx).repoSecrets));
  }),

  route('GET', '/repos/:owner/:repo/actions/permissions/workflow', (ctx) => {
    const repo = repoOf(ctx);
    requireAdministration(ctx);
    return {
      status: 200,
      body: {
        default_workflow_permissions: repo.settings.actions.defaultWorkflowPermissions,
        can_approve_pull_request_reviews: repo.settings.actions.canApprovePullRequestReviews,
      },
    };
  }),
];
