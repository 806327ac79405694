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
    expect(help.out).toContain('Usage: rolecall validate [--policies DIR|FILE] [--json]');
    const bad = await validate(['--frobnicate']);
    expect(bad.exit).toBe(1);
    expect(bad.err).toMatch(/^rolecall: .*frobnicate/);
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
