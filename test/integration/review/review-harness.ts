/**
 * Shared by the `rolecall review` integration tests: run the CLI in-process against a real
 * temporary git repository (the working directory) and the real emulator, and read its CSV.
 */
import { main } from '../../../src/cli/main.js';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { bufferIo } from '../../support/buffer-io.js';

export const ACME = 240340;
export const HOLDINGS = 240341;
/** The review's clock (`ROLECALL_NOW`). */
export const NOW = '2026-11-29T10:00:00Z';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function rolecall(
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<CliResult> {
  const io = bufferIo({ env: options.env, cwd: options.cwd });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** What the CLI needs to reach the emulator (the token store lands in `<cwd>/.rolecall/`). */
export function emulatorEnv(emulator: RunningEmulator): Record<string, string> {
  return {
    FRESHBOOKS_API_URL: emulator.url,
    FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
    FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
    FRESHBOOKS_REFRESH_TOKEN: emulator.credentials.refreshToken,
    ROLECALL_NOW: NOW,
  };
}

/**
 * RFC 4180 reader, independent of the renderer under test: quoted fields with doubled quotes,
 * commas and line breaks inside quotes, CRLF records. Returns one object per data row.
 */
export function parseCsv(text: string): Array<Record<string, string>> {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else {
      field += char;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('CSV does not end with CRLF');
  const [header, ...rows] = records;
  if (!header) throw new Error('CSV has no header');
  return rows.map((row) => {
    if (row.length !== header.length) throw new Error(`CSV row has ${row.length} fields`);
    return Object.fromEntries(header.map((name, i) => [name, row[i] ?? '']));
  });
}

/** The rows of one person (several for one email are a bug in these fixtures). */
export function rowOf(rows: Array<Record<string, string>>, email: string): Record<string, string> {
  const found = rows.filter((row) => row['email'] === email);
  if (found.length !== 1) throw new Error(`${found.length} rows for ${email}`);
  return found[0] as Record<string, string>;
}

/** The `flags` column as a list. */
export function flagsOf(row: Record<string, string>): string[] {
  return (row['flags'] ?? '').split(';').filter((flag) => flag !== '');
}
