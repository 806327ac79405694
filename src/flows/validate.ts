/**
 * `rolecall validate`: the policies (the working tree's, or a commit's read from git objects)
 * checked exactly as every other flow loads them (read-policies.ts), each problem printed as
 * `path:line:col: …` and, inside GitHub Actions, as an annotation on the pull request's diff.
 *
 * Imports stay minimal: `rolecall validate` runs on every pull request and must start fast; git
 * is loaded only for `--at`.
 */
import { EXIT } from '../errors.js';
import type { Console } from '../ports.js';
import { inGitHubActions } from '../console.js';
import {
  formatDiagnostic,
  formatGitHubAnnotation,
  formatSummary,
} from '../policy/load-desired-state.js';
import type { Diagnostic } from '../types.js';
import { readPolicies, type PoliciesAt } from './read-policies.js';

export interface ValidateOptions {
  policiesDir: string;
  now: Date;
  /** `--at REV`: validate the policies in that commit (a sha or a name git resolves). */
  at?: string;
  /** Print `{valid, files, errors, warnings}` as JSON instead of lines and a summary. */
  json: boolean;
}

export interface ValidateOutcome {
  /** 0 when valid (warnings allowed), 1 otherwise. */
  exitCode: number;
  valid: boolean;
  files: string[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export async function validatePolicies(
  io: Console,
  options: ValidateOptions,
): Promise<ValidateOutcome> {
  const result = await readPolicies(io.cwd, {
    dir: options.policiesDir,
    now: options.now,
    ...(options.at === undefined ? {} : { at: await commitToRead(io.cwd, options.at) }),
  });
  const diagnostics = [...result.errors, ...result.warnings];
  const valid = result.errors.length === 0;

  if (options.json) {
    io.stdout.write(
      `${JSON.stringify(
        { valid, files: result.files, errors: result.errors, warnings: result.warnings },
        null,
        2,
      )}\n`,
    );
  } else {
    for (const d of diagnostics) io.stdout.write(`${formatDiagnostic(d)}\n`);
    io.stdout.write(
      `${formatSummary(result.errors.length, result.warnings.length, result.files.length)}\n`,
    );
  }
  if (inGitHubActions(io)) {
    // With --json, stdout stays pure JSON; the runner reads workflow commands from stderr too.
    const stream = options.json ? io.stderr : io.stdout;
    for (const d of diagnostics) stream.write(`${formatGitHubAnnotation(d)}\n`);
  }
  return {
    exitCode: valid ? EXIT.OK : EXIT.ERROR,
    valid,
    files: result.files,
    errors: result.errors,
    warnings: result.warnings,
  };
}

/** `--at REV` as the commit to read (git loaded only when asked for). */
async function commitToRead(cwd: string, rev: string): Promise<PoliciesAt> {
  const [{ pullRequestFetch }, { resolveCommit }] = await Promise.all([
    import('./load-policies-at.js'),
    import('../git/repo-info.js'),
  ]);
  // A full sha is checked for presence with a message naming the fetch; a name is resolved.
  const sha = /^[0-9a-f]{40,64}$/.test(rev) ? rev : await resolveCommit(cwd, rev);
  return {
    sha,
    missing:
      'Fetch it as git objects first (never check it out), e.g. for pull request N: ' +
      pullRequestFetch('N'),
  };
}
