import { nowFrom } from '../clock.js';
import type { CliIo } from '../io.js';
import { inGitHubActions } from '../io.js';
import { parseCommandArgs } from '../args.js';
import {
  formatDiagnostic,
  formatGitHubAnnotation,
  formatSummary,
  loadDesiredState,
} from '../../policy/load-desired-state.js';

// Imports stay minimal: `rolecall validate` runs on every pull request and must start fast.

const HELP = `Usage: rolecall validate [--policies DIR|FILE] [--json]

Checks the policy files (YAML syntax, schema, and rules) and prints one line per problem:
  path:line:col: error|warning CODE message
then a summary. Exit 0 when valid (warnings allowed), 1 otherwise.

Options:
  --policies DIR|FILE  a directory searched recursively for *.yaml/*.yml, or one file
                       (default: policies)
  --json               print {valid, files, errors, warnings} as JSON instead
Inside GitHub Actions (GITHUB_ACTIONS=true) problems are also printed as ::error/::warning
annotations, so they show on the pull request's diff.
`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: { type: 'string', default: 'policies' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const result = await loadDesiredState(values.policies, { now: nowFrom(io.env), cwd: io.cwd });
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
