import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Diagnostic } from '../../src/types.js';
import { bufferIo } from '../support/buffer-io.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let work: string;

async function write(path: string, text: string): Promise<void> {
  await mkdir(join(work, path, '..'), { recursive: true });
  await writeFile(join(work, path), text);
}

// The example policy holds a dated contractor grant (it expires 2027-03-31): judge it on a fixed
// day, so that this suite does not start failing when that date passes.
const EXAMPLE_NOW = '2026-11-29T12:00:00Z';

async function validate(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
) {
  const io = bufferIo({
    cwd: options.cwd ?? ROOT,
    env: { ROLECALL_NOW: EXAMPLE_NOW, ...options.env },
  });
  const exit = await main(['validate', ...args], io);
  return { exit, out: io.out(), err: io.err() };
}

const VALID = (id: number, email = 'a@acme.example') =>
  `business: ${id}\nmembers:\n  - email: ${email}\n    role: admin\n`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rolecall-validate-'));
  await write('nested/policies/one.yaml', VALID(1));
  await write('nested/policies/deeper/two.yml', VALID(2));
  await write('nested/policies/.hidden/ignored.yaml', 'not: [valid\n');
  await write('nested/policies/notes.txt', 'not a policy');
  await write('bad/p.yaml', 'business: 1\nmembers:\n  - email: a@acme.example\n    role: admn\n');
  await write(
    'warn/p.yaml',
    'business: 1\nmembers:\n  - email: a@acme.example\n    role: contractor\n    expires: 2020-01-31\n',
  );
  await mkdir(join(work, 'empty'), { recursive: true });
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('rolecall validate', () => {
  it('accepts the example policies/ (the default directory) with exit 0 and a summary', async () => {
    const run = await validate([]);
    expect(run).toEqual({ exit: 0, out: '0 errors, 0 warnings in 1 file\n', err: '' });
    expect(await validate(['--policies', 'policies/acme-books.yaml'])).toEqual(run);
  });

  it('finds *.yaml and *.yml recursively, skipping hidden directories and other files', async () => {
    const run = await validate(['--policies', 'policies'], { cwd: join(work, 'nested') });
    expect(run).toMatchObject({ exit: 0, out: '0 errors, 0 warnings in 2 files\n' });
    const json = JSON.parse(
      (await validate(['--policies', 'policies', '--json'], { cwd: join(work, 'nested') })).out,
    ) as { files: string[] };
    expect(json.files).toEqual(['policies/deeper/two.yml', 'policies/one.yaml']);
  });

  it('prints one path:line:col line per problem, then the summary, and exits 1', async () => {
    const run = await validate(['--policies', 'bad'], { cwd: work });
    expect(run.exit).toBe(1);
    expect(run.out.split('\n')).toEqual([
      'bad/p.yaml:4:11: error UNKNOWN_ROLE members[0].role: unknown role "admn"; roles are admin, manager, accountant, employee, contractor, unassigned. Did you mean "admin"?',
      '1 error, 0 warnings in 1 file',
      '',
    ]);
  });

  it('exits 0 with warnings only', async () => {
    const run = await validate(['--policies', 'warn'], { cwd: work });
    expect(run.exit).toBe(0);
    expect(run.out).toMatch(/^warn\/p\.yaml:5:14: warning EXPIRED .*will revoke/m);
    expect(run.out).toMatch(/0 errors, 1 warning in 1 file\n$/);
  });

  it('--json prints a machine-readable result', async () => {
    const run = await validate(['--policies', 'bad', '--json'], { cwd: work });
    expect(run.exit).toBe(1);
    const parsed = JSON.parse(run.out) as {
      valid: boolean;
      files: string[];
      errors: Diagnostic[];
      warnings: Diagnostic[];
    };
    expect(parsed).toMatchObject({ valid: false, files: ['bad/p.yaml'], warnings: [] });
    expect(parsed.errors).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'UNKNOWN_ROLE',
        source: { file: 'bad/p.yaml', line: 4, col: 11 },
      }),
    ]);
    const ok = JSON.parse((await validate(['--json'])).out) as { valid: boolean; files: string[] };
    expect(ok).toEqual({
      valid: true,
      files: ['policies/acme-books.yaml'],
      errors: [],
      warnings: [],
    });
  });

  it('inside GitHub Actions also prints escaped ::error / ::warning annotations', async () => {
    await write(
      'gha/p.yaml',
      'business: 1\nrules:\n  allowedDomains: [acme.example]\nmembers:\n  - email: x@evil.example\n    role: admin\n  - email: y@acme.example\n    role: contractor\n    expires: 2020-01-31\n',
    );
    const run = await validate(['--policies', 'gha'], {
      cwd: work,
      env: { GITHUB_ACTIONS: 'true' },
    });
    expect(run.exit).toBe(1);
    const annotations = run.out.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toEqual([
      '::error file=gha/p.yaml,line=5,col=12,title=rolecall DOMAIN_NOT_ALLOWED::x@evil.example: the domain "evil.example" is not in rules.allowedDomains (acme.example).',
      expect.stringMatching(
        /^::warning file=gha\/p\.yaml,line=9,col=14,title=rolecall EXPIRED::y@acme\.example: the grant expired/,
      ),
    ]);
    // Outside Actions: none.
    expect((await validate(['--policies', 'gha'], { cwd: work })).out).not.toContain('::');
    // With --json, stdout stays JSON and the annotations go to stderr.
    const json = await validate(['--policies', 'gha', '--json'], {
      cwd: work,
      env: { GITHUB_ACTIONS: 'true' },
    });
    expect(() => JSON.parse(json.out) as unknown).not.toThrow();
    expect(json.err).toContain('::error file=gha/p.yaml,line=5,col=12');
  });

  it('reports a missing directory and a directory without policies as errors, without a stack', async () => {
    const missing = await validate(['--policies', 'nope'], { cwd: work });
    expect(missing).toEqual({
      exit: 1,
      out: 'error POLICIES_NOT_FOUND no such file or directory: nope\n1 error, 0 warnings in 0 files\n',
      err: '',
    });
    const empty = await validate(['--policies', 'empty'], { cwd: work });
    expect(empty.exit).toBe(1);
    expect(empty.out).toContain('error NO_POLICIES no *.yaml or *.yml policy files under empty');
  });

  it('answers --help, and refuses unknown options as a usage error', async () => {
    const help = await validate(['--help']);
    expect(help.exit).toBe(0);
    expect(help.out).toMatch(/^Usage: rolecall validate \[--policies DIR\|FILE\] .*\[--json\]$/m);
    const bad = await validate(['--frobnicate']);
    expect(bad.exit).toBe(1);
    expect(bad.err).toMatch(/^rolecall: .*frobnicate/);
  });

  // YAML reads all of these as the number 240340 (or 83, or the text "240_340"): the file would
  // govern a business a reviewer cannot recognise from the diff. Only plain digits are an id.
  describe('business: must be plain decimal digits', () => {
    // [value, what the message says, its column: the value's, after any tag]
    const CASES: Array<[string, RegExp, number]> = [
      ['0x3AAD4', /"0x3AAD4"/, 11],
      ['240340.0', /"240340\.0"/, 11],
      ['2.4034e5', /"2\.4034e5"/, 11],
      ['+240340', /"\+240340"/, 11],
      ['0240340', /"0240340"/, 11],
      ['0o725324', /"0o725324"/, 11],
      ['!!int 240340', /tag/, 17],
      ['!!int "240340"', /tag/, 17],
      ['240_340', /whole number/, 11],
      ['"240340"', /whole number/, 11],
    ];
    it.each(CASES)(
      'business: %s is refused at its position, exit 1, no stack',
      async (value, why, col) => {
        await write('biz/p.yaml', `# Acme\nbusiness: ${value} # the id\nmembers: []\n`);
        const run = await validate(['--policies', 'biz'], { cwd: work });
        expect(run.exit).toBe(1);
        expect(run.err).toBe('');
        const [line, summary, ...rest] = run.out.split('\n');
        expect(line).toMatch(new RegExp(`^biz/p\\.yaml:2:${col}: error [A-Z_]+ business must be `));
        expect(line).toMatch(why);
        expect(summary).toBe('1 error, 0 warnings in 1 file');
        expect(rest).toEqual(['']);
        expect(run.out).not.toMatch(/\n\s+at /);
      },
    );

    it('names the rule and the reason for a number YAML would misread', async () => {
      await write('biz/p.yaml', 'business: 0x3AAD4\nmembers: []\n');
      const run = await validate(['--policies', 'biz', '--json'], { cwd: work });
      const parsed = JSON.parse(run.out) as { errors: Diagnostic[] };
      expect(parsed.errors).toEqual([
        {
          severity: 'error',
          code: 'BUSINESS_NOT_DECIMAL',
          message: expect.stringMatching(
            /^business must be written in plain decimal digits \(like 240340\), not "0x3AAD4", which YAML reads as 240340, so that the diff shows which business this file governs$/,
          ) as unknown as string,
          source: { file: 'biz/p.yaml', line: 1, col: 11 },
        },
      ]);
    });

    it.each(['240340', '240340 # FreshBooks business_id', '&id 240340', '1'])(
      'business: %s stays valid',
      async (value) => {
        await write('biz/p.yaml', `business: ${value}\nmembers: []\n`);
        const run = await validate(['--policies', 'biz'], { cwd: work });
        expect(run).toEqual({ exit: 0, out: '0 errors, 0 warnings in 1 file\n', err: '' });
      },
    );

    it('the built CLI refuses business: 0x3AAD4 the same way, without a stack trace', async () => {
      await write('biz/p.yaml', 'business: 0x3AAD4\nmembers: []\n');
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
        (resolve) => {
          execFile(
            process.execPath,
            [join(ROOT, 'dist/cli/main.js'), 'validate', '--policies', 'biz'],
            { cwd: work, env: { ...process.env, ROLECALL_NOW: EXAMPLE_NOW } },
            (error, stdout, stderr) =>
              resolve({
                code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
                stdout,
                stderr,
              }),
          );
        },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(
        /^biz\/p\.yaml:1:11: error BUSINESS_NOT_DECIMAL business must be written in plain decimal digits/,
      );
      expect(result.stdout).not.toMatch(/\n\s+at /);
    });
  });

  it('runs as the built CLI on the example policy', async () => {
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, 'dist/cli/main.js'), 'validate'],
        { cwd: ROOT, env: { ...process.env, ROLECALL_NOW: EXAMPLE_NOW } },
        (error, stdout) =>
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
            stdout,
          }),
      );
    });
    expect(result).toEqual({ code: 0, stdout: '0 errors, 0 warnings in 1 file\n' });
  });
});
