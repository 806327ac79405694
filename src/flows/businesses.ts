/**
 * `rolecall businesses`: the businesses the policies name, as a table or as JSON for a GitHub
 * Actions matrix. The policies are read as every flow reads them (read-policies.ts); problems go
 * to stderr so that stdout stays a clean list (or clean JSON) for scripts.
 */
import { EXIT } from '../errors.js';
import type { Console } from '../ports.js';
import { inGitHubActions } from '../console.js';
import { printable } from '../policy/format-diagnostic.js';
import {
  formatDiagnostic,
  formatGitHubAnnotation,
  formatSummary,
} from '../policy/load-desired-state.js';
import { readPolicies } from './read-policies.js';

export interface BusinessEntry {
  business: number;
  name: string | null;
  file: string;
}

export interface BusinessesOptions {
  policiesDir: string;
  now: Date;
  /** Print a JSON array instead of a table. */
  json: boolean;
}

export interface BusinessesOutcome {
  /** 0, or 1 when the policies are invalid (nothing listed). */
  exitCode: number;
  businesses: BusinessEntry[];
}

export async function listBusinesses(
  io: Console,
  options: BusinessesOptions,
): Promise<BusinessesOutcome> {
  const result = await readPolicies(io.cwd, { dir: options.policiesDir, now: options.now });
  const diagnostics = [...result.errors, ...result.warnings];
  for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
  if (inGitHubActions(io))
    for (const d of diagnostics) io.stderr.write(`${formatGitHubAnnotation(d)}\n`);
  if (!result.value) {
    io.stderr.write(
      `${formatSummary(result.errors.length, result.warnings.length, result.files.length)}\n`,
    );
    return { exitCode: EXIT.ERROR, businesses: [] };
  }

  const entries: BusinessEntry[] = result.value.businesses.map((b) => ({
    business: b.businessId,
    name: b.name ?? null,
    file: b.file,
  }));
  if (options.json) {
    io.stdout.write(`${JSON.stringify(entries)}\n`);
    return { exitCode: EXIT.OK, businesses: entries };
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
  return { exitCode: EXIT.OK, businesses: entries };
}
