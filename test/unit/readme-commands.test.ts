/**
 * The README is a guide, not the reference (issue 15): it stays small, keeps the two-line quick
 * start, and has ONE command table whose rows are exactly the commands `rolecall` dispatches —
 * the flags of each live in its `--help`. These checks keep the table from drifting as commands
 * come and go.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { main } from '../../src/cli/main.js';
import { bufferIo } from '../support/buffer-io.js';

const README_URL = new URL('../../README.md', import.meta.url);
const README = readFileSync(README_URL, 'utf8');
const MAX_BYTES = 32_768;

/** The body of one `## ` section, up to the next `## ` heading. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`README has no "## ${heading}" section`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

interface Row {
  command: string;
  exitCodes: number[];
}

/** The rows of the command table: `| \`rolecall NAME …\` | what | 0, 1, 2 |`. */
function commandRows(markdown: string): Row[] {
  const rows: Row[] = [];
  for (const line of section(markdown, 'Commands and exit codes').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`rolecall ([a-z][a-z-]*)\b[^`]*`$/.exec(cells[1] ?? '');
    if (!line.startsWith('|') || !name) continue;
    const codes = (cells[3] ?? '').split(',').map((code) => Number(code.trim()));
    rows.push({ command: name[1]!, exitCodes: codes });
  }
  return rows;
}

describe('README.md', () => {
  it(`is at most ${MAX_BYTES} bytes`, () => {
    expect(readFileSync(README_URL).byteLength).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('keeps the two-line quick start', () => {
    const quickStart = section(README, 'Quick start');
    const lines = quickStart.split('\n').filter((line) => line.startsWith('npm '));
    expect(lines.map((line) => line.split('#')[0]!.trim())).toEqual([
      'npm ci && npm start',
      'npm ci && npm test',
    ]);
  });

  it('lists exactly the commands the CLI dispatches, once each, in one table', () => {
    const listed = commandRows(README).map((row) => row.command);
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  it('gives each command its exit codes: 0 and 1, and 2 exactly where --help offers --detailed-exitcode', async () => {
    for (const row of commandRows(README)) {
      expect(
        row.exitCodes.every((code) => [0, 1, 2, 3].includes(code)),
        row.command,
      ).toBe(true);
      expect(row.exitCodes.slice(0, 2), row.command).toEqual([0, 1]);
      const io = bufferIo();
      expect(await main([row.command, '--help'], io), row.command).toBe(0);
      expect(row.exitCodes.includes(2), row.command).toBe(io.out().includes('--detailed-exitcode'));
    }
  });

  it('keeps the security model section with the GitHub settings to turn on', () => {
    const security = section(README, 'Security model');
    expect(security).toContain('### GitHub settings you must turn on');
    for (const setting of ['Branch protection', 'CODEOWNERS', 'freshbooks-production']) {
      expect(security).toContain(setting);
    }
    expect(security).toContain('(.github/SECURITY-MODEL.md)');
  });

  it('parses a table the way the checks above rely on (positive control)', () => {
    const sample = [
      '## Commands and exit codes',
      '| command | what | exit codes |',
      '| --- | --- | --- |',
      '| `rolecall apply PLAN` | execute a plan | 0, 1, 3 |',
      '| `npm start` | not a rolecall command | 0 |',
      '## Next',
      '| `rolecall ghost` | after the section | 0, 1 |',
    ].join('\n');
    expect(commandRows(sample)).toEqual([{ command: 'apply', exitCodes: [0, 1, 3] }]);
  });
});
