import { digestOf } from '../canonical.js';
import { RolecallError } from '../errors.js';
import type { Plan } from '../types.js';
import { PLAN_VERSION } from './build-plan.js';

/**
 * The plan file: pretty JSON with a trailing newline, checked when read back. The digest covers
 * the canonical content (every field but `digest`), so key order and whitespace do not matter
 * but any edit to a value does.
 */
export function serializePlan(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/**
 * The digest a plan should carry: `digestOf` (canonical.ts) of everything but `digest`; any
 * tool can check a plan file with `digestOf` alone.
 */
export function recomputePlanDigest(plan: Omit<Plan, 'digest'> & { digest?: string }): string {
  const { digest: _digest, ...content } = plan;
  return digestOf(content);
}

/** Schema errors for a value, one human line each; empty when valid. Injected by the edge. */
export type PlanValidator = (value: unknown) => string[];

export interface ParsePlanOptions {
  /** rolecall's version, for the "not supported" message. */
  toolVersion?: string;
  /** Where the text came from, for messages: "plan.json". */
  name?: string;
}

const MAX_SCHEMA_ERRORS_SHOWN = 5;

/**
 * Reads a plan file back. Checks, in order: JSON, `version`, schema, digest. Every failure is a
 * `RolecallError` whose message tells the user what to do (usually: re-plan).
 */
export function parsePlan(
  text: string,
  validate: PlanValidator,
  options: ParsePlanOptions = {},
): Plan {
  const name = options.name ?? 'plan file';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RolecallError(
      'PLAN_NOT_JSON',
      `${name} is not JSON (${error instanceof Error ? error.message : String(error)}); is it a rolecall plan file?`,
      { cause: error },
    );
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !('version' in value)
  ) {
    throw new RolecallError(
      'PLAN_NOT_A_PLAN',
      `${name} is not a rolecall plan file (no "version")`,
    );
  }
  const version = (value as { version: unknown }).version;
  if (version !== PLAN_VERSION) {
    const tool =
      options.toolVersion === undefined ? 'this rolecall' : `rolecall ${options.toolVersion}`;
    throw new RolecallError(
      'PLAN_VERSION',
      `plan file version ${JSON.stringify(version)} is not supported by ${tool}; re-plan`,
    );
  }
  const errors = validate(value);
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_SCHEMA_ERRORS_SHOWN).map((line) => `  ${line}`);
    if (errors.length > shown.length) shown.push(`  … and ${errors.length - shown.length} more`);
    throw new RolecallError(
      'PLAN_SCHEMA',
      `${name} does not match the plan file schema; re-plan:\n${shown.join('\n')}`,
    );
  }
  const plan = value as Plan;
  if (recomputePlanDigest(plan) !== plan.digest) {
    throw new RolecallError(
      'PLAN_DIGEST',
      'plan file was modified after it was created: digest mismatch; re-plan instead of editing it',
    );
  }
  return plan;
}
