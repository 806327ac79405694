import { nowFrom } from '../../flows/clock.js';
import type { Console } from '../../ports.js';
import { inGitHubActions } from '../../console.js';
import { parseCommandArgs } from '../args.js';
import {
  formatDiagnostic,
  formatGitHubAnnotation,
  formatSummary,
  loadDesiredState,
} from '../../policy/load-desired-state.js';
import { printable } from '../../policy/format-diagnostic.js';

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

export interface BusinessEntry {
  business: number;
  name: string | null;
  file: string;
}

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: { type: 'string', default: 'policies' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const result = await loadDesiredState(values.policies, { now: nowFrom(io.env), cwd: io.cwd });
  // Problems go to stderr so that stdout stays a clean list (or clean JSON) for scripts.
  const diagnostics = [...result.errors, ...result.warnings];
  for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
  if (inGitHubActions(io))
    for (const d of diagnostics) io.stderr.write(`${formatGitHubAnnotation(d)}\n`);
  if (!result.value) {
    io.stderr.write(
      `${formatSummary(result.errors.length, result.warnings.length, result.files.length)}\n`,
    );
    return 1;
  }

  const entries: BusinessEntry[] = result.value.businesses.map((b) => ({
    business: b.businessId,
    name: b.name ?? null,
    file: b.file,
  }));
  if (values.json) {
    io.stdout.write(`${JSON.stringify(entries)}\n`);
    return 0;
  }
  const rows = entries.map(
    (e) => [String(e.business), printable(e.name ?? ''), printable(e.file)] as const,
  );
  const idWidth = Math.max(8, ...rows.map((r) => r[0].length));
  const nameWidth = Math.max(4, ...rows.map((r) => r[1].length));
  io.stdout.write(`${'BUSINESS'.padEnd(idWidth)}  ${'NAME'.padEnd(nameWidth)}  FILE\n`);
  for (const [id, name, file] of rows) {
    io.stdout.write(`${id.padEnd(idWidth)}  ${name.padEnd(nameWidth)}  ${file}\n`);
  }
  return 0;
}
