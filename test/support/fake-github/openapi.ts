/**
 * The fake GitHub held to GitHub's own description of its REST API (@octokit/openapi,
 * api.github.com): every answer the fake sends is checked here — its route template → the
 * spec's operation → the response schema for that status. A status the operation does not
 * list is a violation, and so is a body its schema refuses. A fake that drifted from GitHub
 * would let rolecall pass its tests and fail its users.
 *
 * Violations are kept in one list per process (globalThis, so vitest's per-file module reset
 * does not lose them); `test/vitest.fresh-modules.ts` fails the file that produced any.
 *
 * A few answers GitHub gives on any route, which the spec lists only here and there, are
 * checked against `basic-error` instead of the operation's list (GitHub's REST docs describe
 * them once, for every route): 401 (no or bad credentials), rate limits (403 with
 * `x-ratelimit-remaining: 0`, or 403/429 with `retry-after`), a permission refusal (403
 * "Resource not accessible by integration / by personal access token"), 404 "Not Found" (what
 * does not exist or the token may not see) and server errors (5xx).
 * `OBSERVED` lists the undocumented answers GitHub is known to give, with where it was seen.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { packagePath } from '../../../src/paths.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface Operation {
  responses: Record<string, unknown>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}

export interface Answer {
  /** The fake's route template, `PUT /repos/:owner/:repo/actions/secrets/:name`. */
  route: string;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Violation {
  route: string;
  status: number;
  problem: string;
}

/**
 * Undocumented answers GitHub gives, by `route status`. A stale `key_id` (the repository's key
 * was rotated after rolecall read it) or an improperly sealed value: GitHub answers 422 "Bad
 * request - validation failed due to an improperly encrypted secret" (seen in
 * integrations/terraform-provider-github#2315 and octokit/request.js#403), while the spec lists
 * only 201/204 for these PUTs.
 */
const OBSERVED = new Set([
  'PUT /repos/:owner/:repo/actions/secrets/:name 422',
  'PUT /repos/:owner/:repo/environments/:env/secrets/:name 422',
]);

const PERMISSION_REFUSAL = /^Resource not accessible by (integration|personal access token)$/;

interface Checker {
  spec: Spec;
  ajv: Ajv;
  /** `get /repos/*\/*\/issues` → the spec's path. */
  paths: Map<string, string>;
  validators: Map<string, ValidateFunction>;
}

const CACHE = Symbol.for('rolecall.fake-github.openapi');
const VIOLATIONS = Symbol.for('rolecall.fake-github.violations');
type Global = { [CACHE]?: Checker; [VIOLATIONS]?: Violation[] };

/** Loaded once per worker: parsing the 13 MB description is the expensive part. */
function checker(): Checker {
  const global = globalThis as Global;
  if (global[CACHE]) return global[CACHE];
  const spec = JSON.parse(
    readFileSync(
      packagePath('node_modules', '@octokit', 'openapi', 'generated', 'api.github.com.json'),
      'utf8',
    ),
  ) as Spec;
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
  ajv.addSchema({ $id: 'github', components: nullables(spec.components) });
  const paths = new Map<string, string>();
  for (const path of Object.keys(spec.paths)) {
    const shape = path.replace(/\{[^}]+\}/g, '*');
    if (!paths.has(shape)) paths.set(shape, path);
  }
  global[CACHE] = { spec, ajv, paths, validators: new Map() };
  return global[CACHE];
}

/** The spec's path of a fake route template (`/repos/:owner/:repo` → `/repos/{owner}/{repo}`). */
export function specPathOf(template: string): string | null {
  return checker().paths.get(template.replace(/:[^/]+/g, '*')) ?? null;
}

/** What is wrong with one answer of the fake, or null when GitHub could have sent it. */
export function checkAnswer(answer: Answer): string | null {
  const { spec, ajv } = checker();
  const [method = '', template = ''] = answer.route.split(' ');
  const path = specPathOf(template);
  const operation = path ? spec.paths[path]?.[method.toLowerCase()] : undefined;
  if (!path || !operation) return `the spec has no operation ${method} ${template}`;
  let response: Record<string, unknown> | undefined = deref(
    spec,
    operation.responses[String(answer.status)],
  );
  if (!operation.responses[String(answer.status)]) {
    if (!isUniversal(answer) && !OBSERVED.has(`${answer.route} ${answer.status}`)) {
      const listed = Object.keys(operation.responses).join(', ');
      return `status ${answer.status} is not one the spec lists for ${method} ${path} (${listed})`;
    }
    response = undefined;
  }
  const content = response?.['content'] as Record<string, { schema?: unknown }> | undefined;
  // An error the spec lists without a body still comes with GitHub's usual error body.
  const basic = { $ref: '#/components/schemas/basic-error' };
  const schema = response
    ? (content?.['application/json']?.schema ?? (answer.status >= 400 ? basic : undefined))
    : basic;
  if (!schema) {
    const empty = answer.body === undefined || answer.body === '';
    return empty ? null : `the spec describes no body for ${answer.status}, the fake sent one`;
  }
  const key = schema === basic ? 'basic-error' : `${method} ${path} ${answer.status}`;
  const validators = checker().validators;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(rebase(nullables(schema)) as object);
    validators.set(key, validate);
  }
  if (validate(answer.body)) return null;
  return `the body does not match the spec's schema for ${method} ${path} ${answer.status}: ${ajv.errorsText(validate.errors?.slice(0, 6))}`;
}

/** Answers GitHub may give on any route (see the top of this file). */
function isUniversal(answer: Answer): boolean {
  const headers = answer.headers ?? {};
  const message = (answer.body as { message?: unknown } | undefined)?.message;
  if (answer.status === 401 || answer.status >= 500) return true;
  // GitHub answers 404 for what does not exist and for what the token may not see, on any route.
  if (answer.status === 404 && typeof message === 'string' && /^Not Found/.test(message)) {
    return true;
  }
  if (answer.status === 429) return true;
  if (answer.status !== 403) return false;
  return (
    headers['x-ratelimit-remaining'] === '0' ||
    headers['retry-after'] !== undefined ||
    (typeof message === 'string' && PERMISSION_REFUSAL.test(message))
  );
}

/** Records a violation for the file's teardown to report. */
export function recordViolation(violation: Violation): void {
  const global = globalThis as Global;
  (global[VIOLATIONS] ??= []).push(violation);
}

/** The violations recorded so far, removed from the list. */
export function takeViolations(): Violation[] {
  const global = globalThis as Global;
  const taken = global[VIOLATIONS] ?? [];
  global[VIOLATIONS] = [];
  return taken;
}

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
  // An enum of a nullable field lists its values, not null: GitHub sends null all the same.
  if (
    object['nullable'] === true &&
    Array.isArray(object['enum']) &&
    !object['enum'].includes(null)
  ) {
    object['enum'] = [...(object['enum'] as unknown[]), null];
  }
  if (object['nullable'] === true && object['type'] === undefined) {
    const { nullable: _nullable, ...rest } = object;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return object;
}

/** A `$ref` to a response (`#/components/responses/not_found`) → the response. */
function deref(spec: Spec, value: unknown): Record<string, unknown> {
  const ref = (value as { $ref?: string } | undefined)?.$ref;
  if (!ref) return (value ?? {}) as Record<string, unknown>;
  const [, , group, name] = ref.split('/');
  return (spec.components[group as string]?.[name as string] ?? {}) as Record<string, unknown>;
}
