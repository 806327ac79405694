import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { Ajv2020, ErrorObject, Options, ValidateFunction } from 'ajv/dist/2020.js';

type AjvClass = new (options: Options) => Ajv2020;
import { PACKAGE_ROOT, packagePath, toolVersion } from './paths.js';

/**
 * The JSON Schemas in `schemas/` are the single source of truth for rolecall's file formats.
 * Each is read and compiled once per process, on first use.
 *
 * Compiling is the slowest part of a short command's start (ajv's compiler, and the 2020-12
 * meta-schema it checks every schema against, take ~250 ms): `npm run build` therefore also
 * compiles each schema ahead of time into `dist/validators/<name>.cjs` (precompile-schemas.ts,
 * ajv's standalone code — the very code `compile` would have generated). A precompiled
 * validator is used only when it was made from the exact schema text on disk by the ajv
 * installed; anything else (no build, an edited schema, another ajv) compiles at run time,
 * as before. ajv itself is then loaded only on that path.
 */
export type SchemaName = 'policy' | 'plan' | 'live-state';
export const SCHEMA_NAMES: readonly SchemaName[] = ['policy', 'plan', 'live-state'];

/** The options every validator is compiled with, at build time and at run time alike. */
export const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const;

// ajv and ajv-formats are CommonJS: loaded synchronously, and only when something compiles.
const require = createRequire(import.meta.url);

type AddFormats = (ajv: Ajv2020) => Ajv2020;

const compiled = new Map<SchemaName, ValidateFunction>();

export function readSchemaText(name: SchemaName): string {
  return readFileSync(packagePath('schemas', `${name}.schema.json`), 'utf8');
}

export function readSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readSchemaText(name)) as Record<string, unknown>;
}

/** An ajv with rolecall's options and formats; `extra` adds options (the build's `code.source`). */
export function newAjv(extra: Options = {}): Ajv2020 {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as { Ajv2020: AjvClass };
  const formats = require('ajv-formats') as AddFormats | { default: AddFormats };
  const addFormats = typeof formats === 'function' ? formats : formats.default;
  const ajv = new Ajv({ ...AJV_OPTIONS, ...extra });
  addFormats(ajv);
  return ajv;
}

/**
 * What a precompiled validator must match: the ajv version and the exact schema text. The
 * version is the installed ajv's; a validator checked where no ajv is installed (the npm
 * package, whose validators carry ajv's runtime inside: src/bundle-package.ts) is judged
 * against the version it was built with, which is then the one it runs.
 */
export function validatorKey(schemaText: string, builtWith?: string): string {
  const ajvVersion = installedAjvVersion() ?? builtWith ?? 'none';
  return `sha256:${createHash('sha256').update(`ajv ${ajvVersion}\n${schemaText}`).digest('hex')}`;
}

/** The version of the ajv beside rolecall, or undefined when there is none (the bundle). */
export function installedAjvVersion(): string | undefined {
  try {
    return (require('ajv/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}

export function precompiledPath(name: SchemaName, dir = packagePath('dist', 'validators')): string {
  return `${dir}/${name}.cjs`;
}

/** The validator precompiled at `path`, if it was made from `schemaText`; otherwise undefined. */
export function loadPrecompiled(path: string, schemaText: string): ValidateFunction | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const validate = require(path) as ValidateFunction & {
      schemaKey?: unknown;
      ajvVersion?: unknown;
    };
    const builtWith = typeof validate.ajvVersion === 'string' ? validate.ajvVersion : undefined;
    return typeof validate === 'function' &&
      validate.schemaKey === validatorKey(schemaText, builtWith)
      ? validate
      : undefined;
  } catch {
    // An unreadable or broken file is a missing cache entry, never an error: compile instead.
    return undefined;
  }
}

export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const text = readSchemaText(name);
    validate =
      loadPrecompiled(precompiledPath(name), text) ??
      newAjv().compile(JSON.parse(text) as Record<string, unknown>);
    compiled.set(name, validate);
  }
  return validate;
}

export type { ErrorObject };

// ───────────────────────── where a policy file finds its schema ─────────────────────────

/** Where rolecall's sources live; a released schema is served from the release's tag. */
const SCHEMA_URL_BASE = 'https://raw.githubusercontent.com/rolecall-dev/rolecall';

/** The policy schema of this release at a stable address (the tag `v<version>`). */
export function policySchemaUrl(version: string = toolVersion()): string {
  return `${SCHEMA_URL_BASE}/v${version}/schemas/policy.schema.json`;
}

export interface PolicySchemaRefOptions {
  /** The directory the policy file is (or will be) in, as the user reaches it: not realpath'd. */
  fileDir: string;
  /** The working directory, as the user reaches it: the repository root when no `.git` is above. */
  cwd: string;
  /** rolecall's own package directory; the running one unless a test names another. */
  packageRoot?: string;
}

/**
 * The `$schema` reference for a policy file's `# yaml-language-server:` header. Editors resolve a
 * relative one from the file's own location as they opened it, so every path here is logical
 * (symbolic links kept as the user sees them) and relative to `fileDir`. Preferred, in order:
 * 1. `schemas/policy.schema.json` in the user's repository root, when it is there (rolecall's own
 *    checkout, or a repository that vendors the schema);
 * 2. the installed package's schema, when the package lies inside the repository
 *    (`node_modules/rolecall/schemas/policy.schema.json`), so the reference moves with upgrades;
 * 3. the release's URL: a path out of the repository would be another machine's path once the
 *    file is committed.
 */
export function policySchemaRef(options: PolicySchemaRefOptions): string {
  const root = repositoryRoot(options.fileDir) ?? options.cwd;
  const inRepo = join(root, 'schemas', 'policy.schema.json');
  if (existsSync(inRepo)) return relativeRef(options.fileDir, inRepo);
  const installed = installedPackageIn(root, options.packageRoot ?? PACKAGE_ROOT);
  if (installed !== undefined) {
    const schema = join(installed, 'schemas', 'policy.schema.json');
    if (existsSync(schema)) return relativeRef(options.fileDir, schema);
  }
  return policySchemaUrl();
}

/** The nearest directory at or above `dir` that holds `.git` (a directory, or a worktree's file). */
function repositoryRoot(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return at;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * The package's directory as seen from inside `root` (logical), or undefined when it is not
 * inside. The running package's path is physical (Node resolves links to the modules it runs),
 * so it is compared with the repository's physical path and mapped back under `root`.
 * `node_modules/rolecall` is preferred when it is the package — also through a link (`npm link`,
 * a `file:` dependency, pnpm's store) — because its path does not change with the version.
 */
function installedPackageIn(root: string, packageRoot: string): string | undefined {
  const real = realOrUndefined(packageRoot);
  const realRoot = realOrUndefined(root);
  if (real === undefined || realRoot === undefined) return undefined;
  const conventional = join(root, 'node_modules', 'rolecall');
  if (realOrUndefined(conventional) === real) return conventional;
  const inside = relative(realRoot, real);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return undefined;
  return join(root, inside);
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function relativeRef(fromDir: string, to: string): string {
  const path = relative(fromDir, to);
  return sep === '/' ? path : path.split(sep).join('/');
}
