import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { bufferIo } from '../support/buffer-io.js';

/**
 * The hostile corpus (test/fixtures/hostile/README.md): every file fails validation with its
 * code at the right line, exit 1, and without a stack trace — in process for all of them, and
 * through the built CLI for a sample. How fast they fail is a goal of the benchmark
 * (test/bench/bench-hostile.ts): a wall-clock bound here would fail on a loaded machine.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const DIR = 'test/fixtures/hostile';

const CORPUS: Array<[file: string, code: string, line: number, reported?: string]> = [
  ['alias-bomb.yaml', 'ALIAS_LIMIT', 4],
  ['duplicate-key.yaml', 'DUPLICATE_KEY', 5],
  ['duplicate-key-in-member.yaml', 'DUPLICATE_KEY', 6],
  ['deep-flow-nesting.yaml', 'NESTING_TOO_DEEP', 3],
  ['deep-compact-nesting.yaml', 'NESTING_TOO_DEEP', 4],
  ['deep-indentation.yaml', 'NESTING_TOO_DEEP', 104],
  ['wrong-type-business.yaml', 'WRONG_TYPE', 2],
  ['wrong-type-members.yaml', 'WRONG_TYPE', 4],
  ['business-out-of-range.yaml', 'INVALID_VALUE', 2],
  ['negative-min-admins.yaml', 'INVALID_VALUE', 4],
  ['yes-as-boolean.yaml', 'WRONG_TYPE', 4],
  ['unknown-key.yaml', 'UNKNOWN_KEY', 4],
  ['merge-key.yaml', 'UNKNOWN_KEY', 5],
  ['missing-business.yaml', 'MISSING_KEY', 2],
  ['owner-requested.yaml', 'OWNER_ROLE', 5],
  ['unknown-role.yaml', 'UNKNOWN_ROLE', 5],
  ['cyrillic-lookalike-email.yaml', 'NON_ASCII_EMAIL', 4],
  ['cyrillic-lookalike-domain.yaml', 'NON_ASCII_EMAIL', 6],
  ['zero-width-email.yaml', 'NON_ASCII_EMAIL', 4],
  ['bidi-override-email.yaml', 'NON_ASCII_EMAIL', 4],
  ['fullwidth-at-email.yaml', 'NON_ASCII_EMAIL', 4],
  ['invalid-email.yaml', 'INVALID_EMAIL', 4],
  ['domain-not-allowed.yaml', 'DOMAIN_NOT_ALLOWED', 6],
  ['duplicate-member.yaml', 'DUPLICATE_MEMBER', 6],
  ['team-member-role-conflict.yaml', 'ROLE_CONFLICT', 8],
  ['duplicate-team.yaml', 'DUPLICATE_TEAM', 7],
  ['expires-unparseable.yaml', 'INVALID_EXPIRES', 6],
  ['expires-no-offset.yaml', 'INVALID_EXPIRES', 6],
  ['expires-missing.yaml', 'EXPIRY_REQUIRED', 6],
  ['expires-too-long.yaml', 'EXPIRY_TOO_LONG', 8],
  ['reason-missing.yaml', 'REASON_REQUIRED', 6],
  ['unknown-guard-override.yaml', 'UNKNOWN_GUARD', 4],
  ['multiple-documents.yaml', 'MULTIPLE_DOCUMENTS', 3],
  ['syntax-error.yaml', 'YAML_SYNTAX', 5],
  ['tab-indentation.yaml', 'YAML_SYNTAX', 4],
  ['custom-tag.yaml', 'YAML_TAG', 3],
  ['control-characters-in-name.yaml', 'INVALID_VALUE', 3],
  ['empty.yaml', 'EMPTY_POLICY', 1],
  ['not-utf8.yaml', 'INVALID_ENCODING', 3],
  ['two-files-same-business', 'DUPLICATE_BUSINESS', 2, 'two-files-same-business/b.yaml'],
];

const STACK_FRAME = /^\s+at /m;

function expectFailure(output: string, path: string, code: string, line: number): void {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expect(output).toMatch(new RegExp(`^${escaped}:${line}:\\d+: error ${code} \\S`, 'm'));
  expect(output).not.toMatch(STACK_FRAME);
  expect(output).toMatch(/\d+ errors?, \d+ warnings? in \d+ files?\n$/);
  // Nothing from the file reaches the terminal as a control character.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  expect(output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
}

let big: string;
let bigDir: string;
/** 90,000 keys in one mapping (0.9 MB): yaml would spend minutes comparing them. */
const WIDE_KEYS = 90_000;
const wide = (extra = '') =>
  `business: 1\n${Array.from({ length: WIDE_KEYS }, (_, i) => `k${i}: 1`).join('\n')}\n${extra}`;

beforeAll(async () => {
  // A 50 MB policy, written sparsely so the test stays fast: refused by size before reading.
  bigDir = await mkdtemp(join(tmpdir(), 'rolecall-hostile-'));
  big = join(bigDir, 'huge.yaml');
  const handle = await open(big, 'w');
  await handle.write('business: 1\nname: x\n');
  await handle.truncate(50 * 1024 * 1024);
  await handle.close();
  await writeFile(join(bigDir, 'wide.yaml'), wide());
  await writeFile(join(bigDir, 'wide-twice.yaml'), wide('k5: 2\n'));
});

afterAll(async () => {
  await rm(bigDir, { recursive: true, force: true });
});

describe('hostile policies, in process', () => {
  beforeAll(async () => {
    // The valid example passes, so a failure below is the hostile file's.
    expect(await main(['validate', '--policies', 'policies'], bufferIo({ cwd: ROOT }))).toBe(0);
  });

  it('the corpus has at least 25 cases and each has a file', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(25);
    for (const [file] of CORPUS) expect(existsSync(join(ROOT, DIR, file)), file).toBe(true);
  });

  it.each(CORPUS)('%s → %s at line %i, exit 1', async (file, code, line, reported) => {
    const io = bufferIo({ cwd: ROOT });
    const exit = await main(['validate', '--policies', `${DIR}/${file}`], io);
    expect(exit).toBe(1);
    expectFailure(io.out(), `${DIR}/${reported ?? file}`, code, line);
    expect(io.err()).toBe('');
  });

  it('a 50 MB file is refused by its size, before it is read', async () => {
    const io = bufferIo({ cwd: bigDir });
    expect(await main(['validate', '--policies', 'huge.yaml'], io)).toBe(1);
    expectFailure(io.out(), 'huge.yaml', 'FILE_TOO_LARGE', 1);
  });

  it('a mapping of 90,000 keys is refused before yaml compares them; a key in it twice is the duplicate', async () => {
    const io = bufferIo({ cwd: bigDir });
    expect(await main(['validate', '--policies', 'wide.yaml'], io)).toBe(1);
    expectFailure(io.out(), 'wide.yaml', 'MAPPING_TOO_LARGE', 1);
    expect(io.out()).toContain('a mapping with 90001 keys');
    const twice = bufferIo({ cwd: bigDir });
    expect(await main(['validate', '--policies', 'wide-twice.yaml'], twice)).toBe(1);
    expectFailure(twice.out(), 'wide-twice.yaml', 'DUPLICATE_KEY', WIDE_KEYS + 2);
    expect(twice.out()).toContain('duplicate key "k5", first at line 7');
  });
});

interface Spawned {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnCli(args: string[], cwd = ROOT): Promise<Spawned> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { PATH: process.env['PATH'] ?? '' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('hostile policies, through the built CLI', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  });

  it.each([
    ['alias-bomb.yaml', 'ALIAS_LIMIT', 4],
    ['deep-compact-nesting.yaml', 'NESTING_TOO_DEEP', 4],
    ['cyrillic-lookalike-email.yaml', 'NON_ASCII_EMAIL', 4],
    ['control-characters-in-name.yaml', 'INVALID_VALUE', 3],
    ['not-utf8.yaml', 'INVALID_ENCODING', 3],
  ] as const)(
    'node dist/cli/main.js validate --policies %s → exit 1, %s at line %i',
    async (file, code, line) => {
      const run = await spawnCli(['validate', '--policies', `${DIR}/${file}`]);
      expect(run.code).toBe(1);
      expectFailure(run.stdout, `${DIR}/${file}`, code, line);
      expect(run.stderr).toBe('');
    },
  );

  it('refuses the 50 MB file through the CLI too', async () => {
    const run = await spawnCli(['validate', '--policies', big], bigDir);
    expect(run.code).toBe(1);
    expectFailure(run.stdout, 'huge.yaml', 'FILE_TOO_LARGE', 1);
  });

  it('refuses the mapping of 90,000 keys through the CLI too', async () => {
    const run = await spawnCli(['validate', '--policies', 'wide.yaml'], bigDir);
    expect(run.code).toBe(1);
    expectFailure(run.stdout, 'wide.yaml', 'MAPPING_TOO_LARGE', 1);
    expect(run.stderr).toBe('');
  });
});
