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

/** `--business ID`: a FreshBooks business id (a positive safe integer), or a `UsageError`. */
export function businessIdOption(value: string): number {
  if (!/^[1-9]\d{0,15}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--business must be a numeric business id, got "${value}"`);
  }
  return Number(value);
}

/** `--rate N`: requests per second, a positive number; `undefined` when the option is absent. */
export function rateOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const rate = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(rate > 0)) {
    throw new UsageError(`--rate must be a positive number of requests per second, got "${value}"`);
  }
  return rate;
}
