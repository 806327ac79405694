import { EXIT } from '../../errors.js';
import { listBusinesses } from '../../flows/businesses.js';
import { nowFrom } from '../../flows/clock.js';
import type { Console } from '../../ports.js';
import { parseCommandArgs, POLICIES_OPTION } from '../args.js';

const HELP = `Usage: rolecall businesses [--policies DIR|FILE] [--json]

Lists the businesses the policies name: id, name and file.
With --json, prints a JSON array for a GitHub Actions matrix:
  [{"business":240340,"name":"Acme Books Inc.","file":"policies/acme-books.yaml"}]
Invalid policies are reported as by \`rolecall validate\` (on stderr), and the exit code is 1.

Options:
  --policies DIR|FILE  a directory searched recursively for *.yaml/*.yml, or one file
                       (default: policies)
  --json               print a JSON array
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: POLICIES_OPTION,
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const outcome = await listBusinesses(io, {
    policiesDir: values.policies,
    now: nowFrom(io.env),
    json: values.json,
  });
  return outcome.exitCode;
}
