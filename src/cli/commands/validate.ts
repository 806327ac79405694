import { nowFrom } from '../../flows/clock.js';
import type { Console } from '../../ports.js';
import { inGitHubActions } from '../../console.js';
import { parseCommandArgs } from '../args.js';
import {
  formatDiagnostic,
  formatGitHubAnnotation,
  formatSummary,
  loadDesiredState,
  type LoadedDesiredState,
} from '../../policy/load-desired-state.js';

// Imports stay minimal: `rolecall validate` runs on every pull request and must start fast.

const HELP = `Usage: rolecall validate [--policies DIR|FILE] [--at REV] [--json]

Checks the policy files (YAML syntax, schema, and rules) and prints one line per problem:
  path:line:col: error|warning CODE message
then a summary. Exit 0 when valid (warnings allowed), 1 otherwise.

Options:
  --policies DIR|FILE  a directory searched recursively for *.yaml/*.yml, or one file
                       (default: policies)
  --at REV             validate the policies as they are in commit REV, read from git
                       objects: nothing is checked out, the working tree is not read (a pull
                       request's head fetched with git fetch origin +refs/pull/N/head:…)
  --json               print {valid, files, errors, warnings} as JSON instead
Inside GitHub Actions (GITHUB_ACTIONS=true) problems are also printed as ::error/::warning
annotations, so they show on the pull request's diff.
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: { type: 'string', default: 'policies' },
    at: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const now = nowFrom(io.env);
  const result =
    values.at === undefined
      ? await loadDesiredState(values.policies, { now, cwd: io.cwd })
      : await loadAt(io.cwd, values.policies, values.at, now);
  const diagnostics = [...result.errors, ...result.warnings];
  const valid = result.errors.length === 0;

  if (values.json) {
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
    const stream = values.json ? io.stderr : io.stdout;
    for (const d of diagnostics) stream.write(`${formatGitHubAnnotation(d)}\n`);
  }
  return valid ? 0 : 1;
}

/** `--at REV`: the policies in that commit, from git objects (loaded only when asked for). */
async function loadAt(
  cwd: string,
  dir: string,
  rev: string,
  now: Date,
): Promise<LoadedDesiredState> {
  const [{ readPoliciesAt, validateSnapshot, pullRequestFetch }, { resolveCommit }] =
    await Promise.all([import('../../flows/load-policies-at.js'), import('../../git/repo-info.js')]);
  // A full sha is checked for presence with a message naming the fetch; a name is resolved.
  const sha = /^[0-9a-f]{40,64}$/.test(rev) ? rev : await resolveCommit(cwd, rev);
  const missing =
    'Fetch it as git objects first (never check it out), e.g. for pull request N: ' +
    pullRequestFetch('N');
  const snapshot = await readPoliciesAt(cwd, dir, sha, missing);
  return validateSnapshot(snapshot, { now });
}
