import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DesiredState, Diagnostic, Validated } from '../types.js';
import { compareDiagnostics } from './format-diagnostic.js';
import { DEFAULT_LIMITS } from './parse-yaml.js';
import { discover, display, problem, readPolicy } from './read-policy-files.js';
import {
  validateDocuments,
  type PolicySource,
  type ValidateOptions,
} from './validate-documents.js';

export {
  validateDocuments,
  type PolicySource,
  type ValidateOptions,
} from './validate-documents.js';
export { formatDiagnostic, formatGitHubAnnotation, formatSummary } from './format-diagnostic.js';

export interface LoadOptions extends ValidateOptions {
  /** Base for relative `dir` and for the `file` of diagnostics. Default: `process.cwd()`. */
  cwd?: string;
}

export interface LoadedDesiredState extends Validated<DesiredState> {
  /** The policy files read (relative to `cwd`), sorted. */
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
  const info = await stat(root).catch(() => undefined);
  if (!info) {
    return {
      value: undefined,
      errors: [problem('POLICIES_NOT_FOUND', `no such file or directory: ${shownRoot}`)],
      warnings: [],
      files: [],
    };
  }
  const paths = info.isDirectory() ? await discover(root) : [root];
  if (paths.length === 0) {
    return {
      value: undefined,
      errors: [problem('NO_POLICIES', `no *.yaml or *.yml policy files under ${shownRoot}`)],
      warnings: [],
      files: [],
    };
  }

  const maxBytes = options.limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  const sources: PolicySource[] = [];
  const readErrors: Diagnostic[] = [];
  const files = paths.map((p) => display(cwd, p));
  // Sequential reads: policy repositories hold a handful of small files.
  for (const [i, path] of paths.entries()) {
    const read = await readPolicy(path, files[i] as string, maxBytes);
    if ('text' in read) sources.push(read);
    else readErrors.push(read);
  }
  const result = validateDocuments(sources, options);
  const errors = [...readErrors, ...result.errors].sort(compareDiagnostics);
  return {
    value: errors.length === 0 ? result.value : undefined,
    errors,
    warnings: result.warnings,
    files,
  };
}
