import { EXIT } from '../../errors.js';
import { nowFrom } from '../../flows/clock.js';
import { validatePolicies } from '../../flows/validate.js';
import type { Console } from '../../ports.js';
import { parseCommandArgs, POLICIES_OPTION } from '../args.js';

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
    policies: POLICIES_OPTION,
    at: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const outcome = await validatePolicies(io, {
    policiesDir: values.policies,
    now: nowFrom(io.env),
    json: values.json,
    ...(values.at === undefined ? {} : { at: values.at }),
  });
  return outcome.exitCode;
}
