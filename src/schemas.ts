import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, ErrorObject, Options, ValidateFunction } from 'ajv/dist/2020.js';

type AjvClass = new (options: Options) => Ajv2020;
import { packagePath } from './paths.js';

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

/** What a precompiled validator must match: the ajv version and the exact schema text. */
export function validatorKey(schemaText: string): string {
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  return `sha256:${createHash('sha256').update(`ajv ${ajvVersion}\n${schemaText}`).digest('hex')}`;
}

export function precompiledPath(name: SchemaName, dir = packagePath('dist', 'validators')): string {
  return `${dir}/${name}.cjs`;
}

/** The validator precompiled at `path`, if it was made from `schemaText`; otherwise undefined. */
export function loadPrecompiled(path: string, schemaText: string): ValidateFunction | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const validate = require(path) as ValidateFunction & { schemaKey?: unknown };
    return typeof validate === 'function' && validate.schemaKey === validatorKey(schemaText)
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
