import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../types.js';
import { GUARD_NAMES } from '../types.js';
import { quote } from './check-email.js';
import { describeBadRole } from './describe-role.js';
import type { Locator, PathSegment } from './locate.js';
import { didYouMean } from './suggest.js';

/** Beyond this many schema errors in one file, the rest are summarised in one line. */
export const MAX_SCHEMA_ERRORS_PER_FILE = 100;

/** `/members/3/role` → `['members', 3, 'role']` (JSON Pointer unescaping). */
export function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

/** `['members', 3, 'role']` → `members[3].role`; the root is `the policy`. */
export function pathText(path: readonly PathSegment[]): string {
  if (path.length === 0) return 'the policy';
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment as string];
  }
  return value;
}

type SchemaNode = Record<string, unknown>;

function deref(root: SchemaNode, node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  // Local references only (`#/$defs/x`); bounded in case of a cycle.
  for (let i = 0; i < 8 && current && typeof current['$ref'] === 'string'; i++) {
    let target: unknown = root;
    for (const segment of pointerToPath((current['$ref'] as string).replace(/^#/, ''))) {
      target = (target as SchemaNode | undefined)?.[String(segment)];
    }
    current = target as SchemaNode | undefined;
  }
  return current;
}

/**
 * The subschema describing the value at a data path. (ajv's `schemaPath` is relative to the
 * innermost `$ref`, so it cannot be followed from the root.)
 */
function schemaForPath(root: unknown, path: readonly PathSegment[]): SchemaNode | undefined {
  const top = root as SchemaNode;
  let node = deref(top, top);
  for (const segment of path) {
    if (!node) return undefined;
    const next =
      typeof segment === 'number'
        ? (node['items'] as SchemaNode | undefined)
        : (node['properties'] as Record<string, SchemaNode> | undefined)?.[segment];
    node = deref(top, next);
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (the value is empty)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${quote(value, 60)}`;
  return `${typeof value} ${String(value)}`;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
};

function typeHint(expected: string, value: unknown): string {
  if (expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `; quote it: "${String(value)}"`;
  }
  if (
    (expected === 'integer' || expected === 'number') &&
    typeof value === 'string' &&
    /^\s*-?\d+(\.\d+)?\s*$/.test(value)
  ) {
    return '; remove the quotes';
  }
  if (expected === 'boolean' && typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value)) {
    return '; YAML 1.2 reads yes/no/on/off as text, write true or false';
  }
  if (expected === 'array' && (typeof value === 'string' || typeof value === 'number')) {
    return `; write a list, e.g. [${String(value)}]`;
  }
  return '';
}

function message(
  error: ErrorObject,
  path: PathSegment[],
  value: unknown,
  schema: unknown,
): { code: string; message: string } {
  const where = pathText(path);
  const last = path[path.length - 1];
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const parent = schemaForPath(schema, path);
      const known = Object.keys(
        (parent?.['properties'] as Record<string, unknown> | undefined) ?? {},
      );
      const hint = didYouMean(key, known);
      return {
        code: 'UNKNOWN_KEY',
        message: `unknown key ${quote(key)} in ${where}.${hint || (known.length > 0 ? ` Known keys: ${known.join(', ')}.` : '')}`,
      };
    }
    case 'required':
      return {
        code: 'MISSING_KEY',
        message: `${where} is missing the required key "${String(params['missingProperty'])}"`,
      };
    case 'type': {
      const expected = String(params['type']);
      return {
        code: 'WRONG_TYPE',
        message: `${where} must be ${TYPE_NAMES[expected] ?? expected}, got ${describeValue(value)}${typeHint(expected, value)}`,
      };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      if (last === 'role' || path[path.length - 2] === 'requireExpiry')
        return describeBadRole(value, where);
      const shown = typeof value === 'string' ? quote(value) : describeValue(value);
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
      if (last === 'guard') {
        return {
          code: 'UNKNOWN_GUARD',
          message: `${where}: unknown guard ${shown}; guards are ${GUARD_NAMES.join(', ')}.${hint}`,
        };
      }
      return {
        code: 'INVALID_VALUE',
        message: `${where} must be one of ${allowed.join(', ')}, got ${shown}.${hint}`.replace(
          /\.$/,
          '',
        ),
      };
    }
    case 'pattern': {
      if (path[path.length - 2] === 'maxDuration') {
        return {
          code: 'INVALID_DURATION',
          message: `${where} must be a duration such as 30m, 8h, 14d or 2w, got ${describeValue(value)}`,
        };
      }
      if (last === 'name') {
        return {
          code: 'INVALID_VALUE',
          message: `${where} must be one line of text without control characters, got ${describeValue(value)}`,
        };
      }
      if (last === 'currency') {
        return {
          code: 'INVALID_VALUE',
          message: `${where} must be an ISO 4217 currency code in capitals (USD, CAD, EUR, …), got ${describeValue(value)}`,
        };
      }
      const kind = path.includes('teams') ? 'a GitHub team as org/team-slug' : 'a GitHub login';
      return {
        code: 'INVALID_VALUE',
        message: `${where} must be ${kind}, got ${describeValue(value)}`,
      };
    }
    case 'minLength':
      return { code: 'INVALID_VALUE', message: `${where} must not be empty` };
    case 'maxLength':
      return {
        code: 'INVALID_VALUE',
        message: `${where} is too long (at most ${String(params['limit'])} characters)`,
      };
    case 'minimum':
    case 'maximum':
      return {
        code: 'INVALID_VALUE',
        message: `${where} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params['limit'])}, got ${String(value)}`,
      };
    case 'uniqueItems':
      return {
        code: 'INVALID_VALUE',
        message: `${where} lists the same value twice (items ${String(params['j'])} and ${String(params['i'])})`,
      };
    default:
      return { code: 'SCHEMA', message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

/**
 * Turns ajv's errors into readable diagnostics positioned on the offending node: an unknown key
 * points at the key, a missing key at the mapping that lacks it, anything else at the value.
 */
export function mapSchemaErrors(
  errors: readonly ErrorObject[],
  value: unknown,
  locator: Locator,
  schema: unknown,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const path = pointerToPath(error.instancePath);
    const here = valueAt(value, path);
    const { code, message: text } = message(error, path, here, schema);
    const source =
      error.keyword === 'additionalProperties'
        ? locator.at(
            [...path, String((error.params as Record<string, unknown>)['additionalProperty'])],
            'key',
          )
        : locator.at(path);
    const key = `${source.line}:${source.col}:${code}:${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (out.length === MAX_SCHEMA_ERRORS_PER_FILE) {
      out.push({
        severity: 'error',
        code: 'TOO_MANY_ERRORS',
        message: `${errors.length - out.length} more schema errors in this file not shown`,
        source,
      });
      break;
    }
    out.push({ severity: 'error', code, message: text, source });
  }
  return out;
}
