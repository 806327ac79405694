import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import { DEFAULT_POLICIES_DIR } from '../flows/read-policies.js';
import { terminalSafe } from '../plan/terminal-text.js';
import { closestName } from './did-you-mean.js';

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
  const all = { ...options, help: { type: 'boolean', short: 'h' } } satisfies Options;
  try {
    return parseArgs({
      args,
      options: all,
      allowPositionals: config.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    const unknown = (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
    const suggestion = unknown ? unknownOptionMessage(args, all) : null;
    throw new UsageError(suggestion ?? (error instanceof Error ? error.message : String(error)));
  }
}

/**
 * `unknown option --polices — did you mean --policies?` when a known option is close; `null`
 * otherwise (node's own message stays: it also says how to pass a value that starts with a
 * dash). The offending option is found by parsing again leniently (node's own tokens), not by
 * reading node's error text.
 */
function unknownOptionMessage(args: string[], options: Options): string | null {
  const { tokens } = parseArgs({
    args,
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const token = tokens.find((t) => t.kind === 'option' && !Object.hasOwn(options, t.name));
  if (token?.kind !== 'option' || !token.rawName.startsWith('--')) return null;
  const suggestion = closestName(token.name, Object.keys(options));
  return suggestion
    ? `unknown option ${terminalSafe(token.rawName)} — did you mean --${suggestion}?`
    : null;
}

/** `--policies DIR|FILE`: the policy directory (or one file), `policies` by default. */
export const POLICIES_OPTION = { type: 'string', default: DEFAULT_POLICIES_DIR } as const;

/** `--business ID`, repeatable: parse each with `businessIdsOption`. */
export const BUSINESS_OPTION = { type: 'string', multiple: true } as const;

/**
 * `--format F`: one of the formats the command prints, or a `UsageError` listing them
 * ("--format must be text, markdown or json, got …"), the same words for every command.
 */
export function formatOption<const F extends string>(value: string, allowed: readonly F[]): F {
  if ((allowed as readonly string[]).includes(value)) return value as F;
  const list =
    allowed.length === 1
      ? allowed.join('')
      : `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
  throw new UsageError(`--format must be ${list}, got "${value}"`);
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

/** Every `--business ID` given (`BUSINESS_OPTION`), parsed; none given is an empty list. */
export function businessIdsOption(values: readonly string[] | undefined): number[] {
  return (values ?? []).map(businessIdOption);
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
