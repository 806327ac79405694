import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeData, escapeProperty, formatAnnotation } from '../../../src/github/annotations.js';
import { formatOutput, writeOutput } from '../../../src/github/outputs.js';
import { appendJobSummary, SUMMARY_TRUNCATION_NOTE } from '../../../src/github/job-summary.js';
import { truncateWithNote, utf8Bytes, truncateBytesWithNote } from '../../../src/github/limits.js';
import { clearRegisteredSecrets, registerSecret } from '../../../src/redact.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rolecall-gh-io-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  clearRegisteredSecrets();
});

describe('annotations', () => {
  it('formats an error on a file, line and column', () => {
    expect(
      formatAnnotation({
        level: 'error',
        file: 'policies/acme-books.yaml',
        line: 12,
        col: 5,
        title: 'rolecall',
        message: 'unknown role "boss"',
      }),
    ).toBe(
      '::error file=policies/acme-books.yaml,line=12,col=5,title=rolecall::unknown role "boss"',
    );
  });

  it('escapes data and properties per the workflow-command rules', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
    expect(
      formatAnnotation({
        level: 'warning',
        file: 'p,1:2.yaml',
        message: 'line1\nline2 ::error::x',
      }),
    ).toBe('::warning file=p%2C1%3A2.yaml::line1%0Aline2 ::error::x');
  });

  it('an escaped message can never start a second command (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (file, message) => {
        const line = formatAnnotation({ level: 'error', file, message });
        expect(line.includes('\n') || line.includes('\r')).toBe(false);
      }),
    );
  });

  it('redacts secrets in the message', () => {
    registerSecret('sandbox-refresh-0123456789abcdef');
    expect(
      formatAnnotation({
        level: 'error',
        title: 'rolecall',
        message: 'token sandbox-refresh-0123456789abcdef is odd',
      }),
    ).toBe('::error title=rolecall::token [REDACTED] is odd');
    expect(formatAnnotation({ level: 'notice', message: 'm' })).toBe('::notice::m');
  });
});

describe('$GITHUB_OUTPUT', () => {
  it('writes multiline values with a delimiter', async () => {
    const path = join(dir, 'output');
    await writeOutput(path, 'businesses', '[240340]');
    await writeOutput(path, 'summary', 'line 1\nplan<<EOF\nline 3');
    const text = readFileSync(path, 'utf8');
    const records = [
      ...text.matchAll(/^([A-Za-z_][\w-]*)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2\n/gm),
    ].map((m) => [m[1], m[3]]);
    expect(records).toEqual([
      ['businesses', '[240340]'],
      ['summary', 'line 1\nplan<<EOF\nline 3'],
    ]);
  });

  it('refuses a value containing the delimiter and bad names', () => {
    expect(() => formatOutput('x', 'a\nDELIM\nb', 'DELIM')).toThrow(/delimiter/);
    expect(() => formatOutput('bad name', 'v')).toThrow(/invalid output name/);
  });

  it('does nothing outside Actions', async () => {
    await expect(writeOutput(null, 'x', 'y')).resolves.toBeUndefined();
  });
});

describe('job summary', () => {
  it('appends, and re-renders with a smaller budget when the first rendering is too big', async () => {
    const path = join(dir, 'summary.md');
    writeFileSync(path, '# earlier step\n');
    const budgets: number[] = [];
    const result = await appendJobSummary(
      path,
      (maxChars) => {
        budgets.push(maxChars);
        // Multi-byte characters: the character budget alone would overflow the byte limit.
        return budgets.length === 1 ? 'é'.repeat(maxChars) : 'counts only';
      },
      { maxBytes: 4096 },
    );
    expect(result).toMatchObject({ written: true, degraded: true, truncated: false });
    expect(readFileSync(path, 'utf8')).toBe('# earlier step\ncounts only\n');
    expect(budgets[0]).toBe(4096 - utf8Bytes('# earlier step\n') - 1);
  });

  it('truncates with a note as a last resort and stays under the byte limit', async () => {
    const path = join(dir, 'summary.md');
    const result = await appendJobSummary(path, 'x'.repeat(10_000), { maxBytes: 2048 });
    const text = readFileSync(path, 'utf8');
    expect(result.truncated).toBe(true);
    expect(utf8Bytes(text)).toBeLessThanOrEqual(2048);
    expect(text).toContain(SUMMARY_TRUNCATION_NOTE);
  });

  it('never writes a secret', async () => {
    registerSecret('ghp_supersecretvalue1234');
    const path = join(dir, 'summary.md');
    await appendJobSummary(path, 'token ghp_supersecretvalue1234');
    expect(readFileSync(path, 'utf8')).toBe('token [REDACTED]\n');
  });

  it('does nothing without GITHUB_STEP_SUMMARY', async () => {
    expect(await appendJobSummary(null, 'x')).toMatchObject({ written: false });
  });
});

describe('truncation', () => {
  it('closes an open code fence and appends the note', () => {
    const text = `intro\n\`\`\`diff\n${'- line\n'.repeat(200)}\`\`\`\n`;
    const out = truncateWithNote(text, 300, 'NOTE');
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out.match(/```/g)?.length).toBe(2);
    expect(out.endsWith('NOTE\n')).toBe(true);
  });

  it('fits any text in the budget (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 2000 }),
        fc.integer({ min: 40, max: 1500 }),
        (text, max) => {
          expect(truncateWithNote(text, max, 'NOTE').length).toBeLessThanOrEqual(max);
          expect(utf8Bytes(truncateBytesWithNote(text, max, 'NOTE'))).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});
