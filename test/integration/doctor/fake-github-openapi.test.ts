/**
 * The fake GitHub's settings routes, held to GitHub's own description of its REST API
 * (@octokit/openapi, api.github.com): every answer the doctor scenarios below get from them —
 * successes, "none" 404s and refusals — validates against the spec's response schema for that
 * route and status (a status the spec does not list, such as a refusal's 403, against its
 * `basic-error`). A fake that drifted from GitHub would let the doctor pass tests and fail
 * users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../support/fake-github/client.js';
import { recommendedRuleset, type RecordedRequest } from '../../support/fake-github/index.js';
import { checkAnswer } from '../../support/fake-github/openapi.js';
import { ENVIRONMENT } from '../../support/fake-github/recommended.js';
import {
  accessRepository,
  DOCTOR_ADMIN_TOKEN,
  startHarness,
  type AccessRepository,
  type Harness,
} from './doctor-harness.js';

/** The fake's route templates the doctor reads → the spec's paths. */
const ROUTES: Record<string, string> = {
  'GET /repos/:owner/:repo': '/repos/{owner}/{repo}',
  'GET /repos/:owner/:repo/branches': '/repos/{owner}/{repo}/branches',
  'GET /repos/:owner/:repo/branches/:branch/protection':
    '/repos/{owner}/{repo}/branches/{branch}/protection',
  'GET /repos/:owner/:repo/rules/branches/:branch': '/repos/{owner}/{repo}/rules/branches/{branch}',
  'GET /repos/:owner/:repo/rulesets/:id': '/repos/{owner}/{repo}/rulesets/{ruleset_id}',
  'GET /repos/:owner/:repo/codeowners/errors': '/repos/{owner}/{repo}/codeowners/errors',
  'GET /repos/:owner/:repo/environments/:env':
    '/repos/{owner}/{repo}/environments/{environment_name}',
  'GET /repos/:owner/:repo/environments/:env/deployment-branch-policies':
    '/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies',
  'GET /repos/:owner/:repo/environments/:env/secrets':
    '/repos/{owner}/{repo}/environments/{environment_name}/secrets',
  'GET /repos/:owner/:repo/environments/:env/secrets/public-key':
    '/repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
  'GET /repos/:owner/:repo/actions/secrets': '/repos/{owner}/{repo}/actions/secrets',
  'GET /repos/:owner/:repo/actions/permissions/workflow':
    '/repos/{owner}/{repo}/actions/permissions/workflow',
};

let h: Harness;
const seen: RecordedRequest[] = [];
beforeAll(async () => {
  h = await startHarness();
  const scenarios: Array<(ws: AccessRepository) => Promise<unknown>> = [
    // Everything as recommended, seen by a token that may edit rulesets.
    (ws) => ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: DOCTOR_ADMIN_TOKEN }),
    // Refusals: GITHUB_TOKEN (403, an app) and a user's token (404) without Administration.
    (ws) => ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: undefined }),
    (ws) => ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: TOKENS.pat }),
    // Rulesets with a bypass list, no protection; reviewers; other branches allowed.
    async (ws) => {
      ws.repo.settings.protection.clear();
      const ruleset = recommendedRuleset(12);
      ruleset.bypassActors = [
        { actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'pull_request' },
      ];
      ws.repo.settings.rulesets.push(ruleset);
      ws.repo.configureEnvironment(ENVIRONMENT, {
        reviewers: ['olivia'],
        branchPolicy: {
          kind: 'custom',
          rules: [
            { name: 'main', type: 'branch' },
            { name: 'v*', type: 'tag' },
          ],
        },
      });
      return ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: DOCTOR_ADMIN_TOKEN });
    },
    // A protection with a bypass allowance and no pull request rule; protected branches only.
    async (ws) => {
      const protection = ws.repo.settings.protection.get('main');
      if (!protection?.pullRequest) throw new Error('not the recommended protection');
      protection.pullRequest.bypassUsers = ['mallory'];
      ws.repo.settings.branches.add('release');
      ws.repo.settings.protection.set('release', {
        ...protection,
        pullRequest: null,
        statusChecks: [],
      });
      ws.repo.configureEnvironment(ENVIRONMENT, { branchPolicy: { kind: 'protected' } });
      ws.repo.settings.codeownersErrors = [
        {
          line: 3,
          column: 1,
          kind: 'Invalid pattern',
          source: '[abc] @acme/x\n',
          suggestion: null,
          message: 'Invalid pattern on line 3: Character ranges are not supported',
          path: '.github/CODEOWNERS',
        },
      ];
      return ws.run();
    },
    // "None" answers: not protected, no CODEOWNERS, no environment.
    async (ws) => {
      ws.repo.settings.protection.clear();
      ws.repo.settings.codeownersErrors = null;
      ws.repo.environments.delete(ENVIRONMENT);
      ws.repo.environmentSettings.delete(ENVIRONMENT);
      return ws.run(['--github', '--json'], {
        FRESHBOOKS_REFRESH_TOKEN: h.emulator.credentials.refreshToken,
      });
    },
  ];
  for (const scenario of scenarios) {
    const ws = await accessRepository(h);
    h.gh.clearRequests();
    await scenario(ws);
    seen.push(...h.gh.requests.filter((r) => r.route !== null && r.route in ROUTES));
    await ws.close();
  }
});
afterAll(() => h.close());

describe('the fake GitHub, held to @octokit/openapi', () => {
  it('answers every settings route the doctor reads, with successes and refusals', () => {
    const covered = new Set(seen.map((r) => `${r.route} ${r.status}`));
    for (const route of Object.keys(ROUTES)) {
      expect(
        [...covered].some((c) => c.startsWith(`${route} 2`)),
        route,
      ).toBe(true);
    }
    for (const expected of [
      'GET /repos/:owner/:repo/branches/:branch/protection 403',
      'GET /repos/:owner/:repo/branches/:branch/protection 404',
      'GET /repos/:owner/:repo/actions/permissions/workflow 403',
      'GET /repos/:owner/:repo/codeowners/errors 404',
      'GET /repos/:owner/:repo/environments/:env 404',
    ]) {
      expect(covered, expected).toContain(expected);
    }
  });

  it('every answer validates against the spec’s schema for its route and status', () => {
    const invalid = seen
      .map((r) => checkAnswer({ route: r.route as string, status: r.status, body: r.response }))
      .filter((problem) => problem !== null);
    expect(invalid).toEqual([]);
    expect(seen.length).toBeGreaterThan(50);
  });

  it('the validation has teeth: a wrong answer is refused', () => {
    const answer = (route: string, body: unknown) => checkAnswer({ route, status: 200, body });
    const protection = seen.find(
      (r) => r.route === 'GET /repos/:owner/:repo/branches/:branch/protection' && r.status === 200,
    );
    const route = 'GET /repos/:owner/:repo/branches/:branch/protection';
    const broken = structuredClone(protection?.response) as Record<string, Record<string, unknown>>;
    expect(answer(route, broken)).toBeNull();
    (broken['enforce_admins'] as Record<string, unknown>)['enabled'] = 'yes';
    expect(answer(route, broken)).not.toBeNull();
    const repository = seen.find((r) => r.route === 'GET /repos/:owner/:repo' && r.status === 200);
    const { owner: _owner, ...withoutOwner } = repository?.response as Record<string, unknown>;
    expect(answer('GET /repos/:owner/:repo', withoutOwner)).not.toBeNull();
    const rules = 'GET /repos/:owner/:repo/rules/branches/:branch';
    expect(
      answer(rules, [{ type: 'pull_request', parameters: { require_code_owner_review: true } }]),
    ).not.toBeNull();
    expect(answer(rules, [{ type: 'deletion', ruleset_id: 1 }])).toBeNull();
    expect(
      answer('GET /repos/:owner/:repo/environments/:env', { id: 1, name: 'x' }),
    ).not.toBeNull();
  });
});
