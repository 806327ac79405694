import { lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DesiredState, Diagnostic, Validated } from '../types.js';
import { compareDiagnostics } from './format-diagnostic.js';
import { DEFAULT_LIMITS } from './parse-yaml.js';
import {
  discover,
  display,
  notRegularFile,
  problem,
  readPolicy,
  type Discovered,
} from './read-policy-files.js';
import {
  validateDocuments,
  type PolicySource,
  type ValidateOptions,
} from './validate-documents.js';
import { validateInWorkers, type ParallelOptions } from './validate-in-workers.js';

export {
  validateDocuments,
  type PolicySource,
  type ValidateOptions,
} from './validate-documents.js';
export { formatDiagnostic, formatGitHubAnnotation, formatSummary } from './format-diagnostic.js';

export interface LoadOptions extends ValidateOptions, ParallelOptions {
  /** Base for relative `dir` and for the `file` of diagnostics. Default: `process.cwd()`. */
  cwd?: string;
}

export interface LoadedDesiredState extends Validated<DesiredState> {
  /** The policy files found (relative to `cwd`), sorted; refused links etc. included. */
  files: string[];
}

/**
 * Loads and validates every policy under `dir` (a directory, searched recursively, or a single
 * file). Never throws on bad input: a missing directory, an unreadable or oversized file and
 * every policy problem come back as diagnostics. `value` is set only when there is no error.
 */
export async function loadDesiredState(
  dir: string,
  options: LoadOptions,
): Promise<LoadedDesiredState> {
  const cwd = options.cwd ?? process.cwd();
  const root = resolve(cwd, dir);
  const shownRoot = display(cwd, root);
  // lstat: a link given as --policies (or a link named policies/) is refused, never followed.
  const info = await lstat(root).catch(() => undefined);
  if (!info) {
    return {
      value: undefined,
      errors: [problem('POLICIES_NOT_FOUND', `no such file or directory: ${shownRoot}`)],
      warnings: [],
      files: [],
    };
  }
  const found: Discovered =
    info.isDirectory() || info.isSymbolicLink()
      ? await discover(root)
      : { files: [root], refused: [] };
  if (found.files.length === 0 && found.refused.length === 0) {
    return {
      value: undefined,
      errors: [problem('NO_POLICIES', `no *.yaml or *.yml policy files under ${shownRoot}`)],
      warnings: [],
      files: [],
    };
  }

  const maxBytes = options.limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  const sources: PolicySource[] = [];
  // Refused entries count as files looked at, like unreadable ones: "1 error in 1 file".
  const readErrors: Diagnostic[] = found.refused.map((r) =>
    notRegularFile(display(cwd, r.path), r.kind),
  );
  // Sequential reads: policy repositories hold a handful of small files.
  for (const path of found.files) {
    const read = await readPolicy(path, display(cwd, path), maxBytes);
    if ('text' in read) sources.push(read);
    else readErrors.push(read);
  }
  const files = [...found.files, ...found.refused.map((r) => r.path)]
    .map((p) => display(cwd, p))
    .sort();
  return withReadErrors(await validateInWorkers(sources, options), readErrors, files);
}

/**
 * The policies read (from the working tree, or from git objects by the flows), validated: the
 * problems met while reading sort in among the policy errors, and `value` is set only when
 * there is no error of either kind.
 */
export function validateRead(
  sources: readonly PolicySource[],
  readErrors: readonly Diagnostic[],
  files: string[],
  options: ValidateOptions,
): LoadedDesiredState {
  return withReadErrors(validateDocuments(sources, options), readErrors, files);
}

/** `validateRead`, with the files spread over worker threads when there are many. */
export async function validateReadInWorkers(
  sources: readonly PolicySource[],
  readErrors: readonly Diagnostic[],
  files: string[],
  options: ValidateOptions & ParallelOptions,
): Promise<LoadedDesiredState> {
  return withReadErrors(await validateInWorkers(sources, options), readErrors, files);
}

function withReadErrors(
  result: Validated<DesiredState>,
  readErrors: readonly Diagnostic[],
  files: string[],
): LoadedDesiredState {
  const errors = [...readErrors, ...result.errors].sort(compareDiagnostics);
  return {
    value: errors.length === 0 ? result.value : undefined,
    errors,
    warnings: result.warnings,
    files,
  };
}
