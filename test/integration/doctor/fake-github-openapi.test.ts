/**
 * The fake GitHub's settings routes, held to GitHub's own description of its REST API
 * (@octokit/openapi, api.github.com): every answer the doctor scenarios below get from them —
 * successes, "none" 404s and refusals — validates against the spec's response schema for that
 * route and status (a status the spec does not list, such as a refusal's 403, against its
 * `basic-error`). A fake that drifted from GitHub would let the doctor pass tests and fail
 * users.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../../src/paths.js';
import { TOKENS } from '../../support/fake-github/client.js';
import { recommendedRuleset, type RecordedRequest } from '../../support/fake-github/index.js';
import { ENVIRONMENT } from '../../support/fake-github/recommended.js';
import {
  accessRepository,
  DOCTOR_ADMIN_TOKEN,
  startHarness,
  type AccessRepository,
  type Harness,
} from './doctor-harness.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

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

interface Spec {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: Record<string, Record<string, unknown>>;
}

let h: Harness;
const seen: RecordedRequest[] = [];
let spec: Spec;
const ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
const validators = new Map<string, ValidateFunction>();

/** `#/components/…` inside a response schema → the same pointer in the added spec document. */
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && typeof inner === 'string' && inner.startsWith('#/')
          ? `github${inner}`
          : rebase(inner),
      ]),
    );
  }
  return value;
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: Ajv knows the keyword only next to `type`;
 * elsewhere (a `$ref`, an `anyOf`) it becomes "that, or null".
 */
function nullables(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nullables);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([key, inner]) => [key, nullables(inner)] as const);
  const object = Object.fromEntries(entries) as Record<string, unknown>;
  if (object['nullable'] === true && object['type'] === undefined) {
    const { nullable: _nullable, ...rest } = object;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return object;
}

/** A `$ref` to a response (`#/components/responses/not_found`) → the response. */
function deref(value: unknown): Record<string, unknown> {
  const ref = (value as { $ref?: string } | undefined)?.$ref;
  if (!ref) return (value ?? {}) as Record<string, unknown>;
  const [, , group, name] = ref.split('/');
  return (spec.components[group as string]?.[name as string] ?? {}) as Record<string, unknown>;
}

/** The validator of a route and status: its schema in the spec, else (an error) basic-error. */
function validatorFor(path: string, status: number): { key: string; validate: ValidateFunction } {
  const response = deref(spec.paths[path]?.['get']?.responses[String(status)]);
  const content = response['content'] as Record<string, { schema?: unknown }> | undefined;
  const schema = content?.['application/json']?.schema;
  const key = schema ? `${path} ${status}` : `basic-error (${path} ${status})`;
  let validate = validators.get(key);
  if (!validate) {
    if (!schema && status < 400) throw new Error(`the spec has no schema for ${path} ${status}`);
    validate = ajv.compile(
      rebase(nullables(schema ?? { $ref: '#/components/schemas/basic-error' })) as object,
    );
    validators.set(key, validate);
  }
  return { key, validate };
}

beforeAll(async () => {
  spec = JSON.parse(
    readFileSync(
      packagePath('node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json'),
      'utf8',
    ),
  ) as Spec;
  ajv.addSchema({ $id: 'github', components: nullables(spec.components) });
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
    const invalid: string[] = [];
    for (const request of seen) {
      const { key, validate } = validatorFor(
        ROUTES[request.route as string] as string,
        request.status,
      );
      if (!validate(request.response)) {
        invalid.push(`${key}: ${ajv.errorsText(validate.errors)}`);
      }
    }
    expect(invalid).toEqual([]);
    expect(seen.length).toBeGreaterThan(50);
  });

  it('the validation has teeth: a wrong answer is refused', () => {
    const protection = seen.find(
      (r) => r.route === 'GET /repos/:owner/:repo/branches/:branch/protection' && r.status === 200,
    );
    const { validate } = validatorFor('/repos/{owner}/{repo}/branches/{branch}/protection', 200);
    const broken = structuredClone(protection?.response) as Record<string, Record<string, unknown>>;
    expect(validate(broken)).toBe(true);
    (broken['enforce_admins'] as Record<string, unknown>)['enabled'] = 'yes';
    expect(validate(broken)).toBe(false);
    const repository = seen.find((r) => r.route === 'GET /repos/:owner/:repo' && r.status === 200);
    const { validate: full } = validatorFor('/repos/{owner}/{repo}', 200);
    const { owner: _owner, ...withoutOwner } = repository?.response as Record<string, unknown>;
    expect(full(withoutOwner)).toBe(false);
    const { validate: rules } = validatorFor('/repos/{owner}/{repo}/rules/branches/{branch}', 200);
    expect(rules([{ type: 'pull_request', parameters: { require_code_owner_review: true } }])).toBe(
      false,
    );
    expect(rules([{ type: 'deletion', ruleset_id: 1 }])).toBe(true);
    const { validate: environment } = validatorFor(
      '/repos/{owner}/{repo}/environments/{environment_name}',
      200,
    );
    expect(environment({ id: 1, name: 'x' })).toBe(false);
  });
});
