import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs, strict, with `--help` built in and usage errors as `UsageError`
 * (a clear message and exit 1, never a stack trace).
 */
export function parseCommandArgs<T extends Options>(
  args: string[],
  options: T,
  config: { allowPositionals?: boolean } = {},
) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: config.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Parses a non-negative integer option, or throws a `UsageError` naming it. */
export function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}
