import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { packagePath } from './paths.js';

/**
 * The JSON Schemas in `schemas/` are the single source of truth for rolecall's file formats.
 * Each is read and compiled once per process, on first use.
 */
export type SchemaName = 'policy' | 'plan' | 'live-state';

// ajv-formats is CommonJS; under NodeNext its callable export sits on `.default`.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

const compiled = new Map<SchemaName, ValidateFunction>();

export function readSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(packagePath('schemas', `${name}.schema.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    validate = ajv.compile(readSchema(name));
    compiled.set(name, validate);
  }
  return validate;
}

export type { ErrorObject };
