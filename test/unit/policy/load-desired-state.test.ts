import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadDesiredState } from '../../../src/policy/load-desired-state.js';
import { firstInvalidUtf8 } from '../../../src/policy/read-policy-files.js';

const NOW = new Date('2026-11-29T12:00:00Z');
let work: string;

const policy = (id: number) =>
  `business: ${id}\nmembers:\n  - email: a${id}@acme.example\n    role: admin\n`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rolecall-load-'));
  await mkdir(join(work, 'repo/policies/sub'), { recursive: true });
  await writeFile(join(work, 'repo/policies/b.yaml'), policy(2));
  await writeFile(join(work, 'repo/policies/sub/a.YML'), policy(1));
  await writeFile(join(work, 'outside.yaml'), policy(3));
  await symlink(join(work, 'outside.yaml'), join(work, 'repo/policies/linked.yaml'));
  await symlink(join(work, 'repo/policies'), join(work, 'repo/policies/sub/loop'));
  await mkdir(join(work, 'crlf'));
  await writeFile(
    join(work, 'crlf/p.yaml'),
    '\ufeffbusiness: 4\r\nmembers:\r\n  - email: x@acme.example\r\n    role: admn\r\n',
  );
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('loadDesiredState', () => {
  it('discovers files recursively (sorted), refuses file and directory links, paths relative to cwd', async () => {
    const result = await loadDesiredState('policies', { now: NOW, cwd: join(work, 'repo') });
    expect(result.files).toEqual([
      'policies/b.yaml',
      'policies/linked.yaml',
      'policies/sub/a.YML',
      'policies/sub/loop',
    ]);
    expect(result.errors.map((e) => `${e.source?.file} ${e.code}`)).toEqual([
      'policies/linked.yaml NOT_A_REGULAR_FILE',
      'policies/sub/loop NOT_A_REGULAR_FILE',
    ]);
    expect(result.errors[0]?.message).toMatch(/^policies\/linked\.yaml is a symbolic link: /);
    // Nothing is loaded while a link is there: the whole policy set fails closed.
    expect(result.value).toBeUndefined();
  });

  it('accepts a single file, and shows paths outside cwd as given (absolute)', async () => {
    const one = await loadDesiredState('policies/b.yaml', { now: NOW, cwd: join(work, 'repo') });
    expect(one.files).toEqual(['policies/b.yaml']);
    const outside = await loadDesiredState(join(work, 'crlf'), {
      now: NOW,
      cwd: join(work, 'repo'),
    });
    expect(outside.errors.map(formatDiagnostic)).toEqual([
      `${join(work, 'crlf/p.yaml')}:4:11: error UNKNOWN_ROLE members[0].role: unknown role "admn"; roles are admin, manager, accountant, employee, contractor, unassigned. Did you mean "admin"?`,
    ]);
  });

  it('handles a byte-order mark and CRLF line endings with correct positions', async () => {
    const result = await loadDesiredState('p.yaml', { now: NOW, cwd: join(work, 'crlf') });
    expect(result.errors[0]?.source).toEqual({ file: 'p.yaml', line: 4, col: 11 });
  });

  it.runIf(process.getuid?.() !== 0)('reports an unreadable file instead of throwing', async () => {
    const path = join(work, 'locked.yaml');
    await writeFile(path, policy(5));
    await chmod(path, 0o000);
    const result = await loadDesiredState(path, { now: NOW, cwd: work });
    expect(result.errors.map(formatDiagnostic)).toEqual([
      'locked.yaml:1:1: error READ_FAILED cannot read the file (EACCES)',
    ]);
    await chmod(path, 0o600);
  });
});

describe('firstInvalidUtf8', () => {
  it.each([
    [
      'a truncated sequence at the end',
      [0x61, 0x0a, 0x62, 0xe2, 0x82],
      { offset: 3, line: 2, col: 2 },
    ],
    ['an overlong encoding', [0xc0, 0x80], { offset: 0, line: 1, col: 1 }],
    ['an encoded surrogate', [0x61, 0xed, 0xa0, 0x80], { offset: 1, line: 1, col: 2 }],
    ['a stray continuation byte', [0x0a, 0x0a, 0x80], { offset: 2, line: 3, col: 1 }],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], { offset: 0, line: 1, col: 1 }],
  ])('finds %s', (_name, bytes, expected) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toEqual(expected);
  });

  it('passes valid multi-byte text', () => {
    const bytes = new TextEncoder().encode('é€😀\n');
    expect(firstInvalidUtf8(bytes).offset).toBe(bytes.length);
  });
});
