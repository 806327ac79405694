/**
 * The working-tree loader refuses anything under the policy directory that is not a regular
 * file or a directory — links (whatever they point to), FIFOs, sockets, nested repositories —
 * without opening it, and `readPolicy` refuses a link or a non-regular file on the descriptor
 * it opened (a link swapped in after discovery is not followed; a FIFO does not block).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPoliciesInWorkingTree } from '../../../src/flows/policy-snapshot.js';
import { loadDesiredState } from '../../../src/policy/load-desired-state.js';
import { discover, readPolicy } from '../../../src/policy/read-policy-files.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const policy = (id: number) =>
  `business: ${id}\nmembers:\n  - email: a${id}@acme.example\n    role: admin\n`;
const posix = process.platform !== 'win32';

let work: string;
let socket: Server | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rolecall-not-regular-'));
  await mkdir(join(work, 'outside'), { recursive: true });
  await writeFile(join(work, 'outside/x.yaml'), policy(9));
});
afterAll(async () => {
  await new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  await rm(work, { recursive: true, force: true });
});

async function tree(name: string, files: Record<string, string>): Promise<string> {
  const cwd = join(work, name);
  await mkdir(cwd, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(cwd, path, '..'), { recursive: true });
    await writeFile(join(cwd, path), text);
  }
  return cwd;
}

describe('the working-tree loader and non-regular entries', () => {
  it('refuses links of every kind and name, hidden-named ones too, and keeps skipping hidden directories', async () => {
    const cwd = await tree('links', {
      'policies/a.yaml': policy(1),
      'policies/.hidden/ignored.yaml': 'not: [valid\n',
      'policies/node_modules/ignored.yaml': 'not: [valid\n',
    });
    await symlink(join(work, 'outside/x.yaml'), join(cwd, 'policies/file.yaml'));
    await symlink(join(work, 'outside'), join(cwd, 'policies/dir'));
    await symlink(join(work, 'nowhere'), join(cwd, 'policies/dangling'));
    await symlink(join(work, 'outside/x.yaml'), join(cwd, 'policies/.dot.yaml'));
    const found = await discover(join(cwd, 'policies'));
    expect(found.files).toEqual([join(cwd, 'policies/a.yaml')]);
    expect(found.refused).toEqual(
      ['.dot.yaml', 'dangling', 'dir', 'file.yaml'].map((n) => ({
        path: join(cwd, 'policies', n),
        kind: 'symlink',
      })),
    );

    const loaded = await loadDesiredState('policies', { now: NOW, cwd });
    expect(loaded.value).toBeUndefined();
    expect(loaded.errors.map((e) => e.source?.file)).toEqual([
      'policies/.dot.yaml',
      'policies/dangling',
      'policies/dir',
      'policies/file.yaml',
    ]);
    const snapshot = await readPoliciesInWorkingTree(cwd, 'policies');
    expect(snapshot.sources.map((s) => s.file)).toEqual(['policies/a.yaml']);
    // The same diagnostics from both working-tree entry points.
    expect(snapshot.problems).toEqual(loaded.errors);
  });

  it('a link given as --policies, file or directory, is refused rather than followed', async () => {
    const cwd = await tree('root-link', {});
    await symlink(join(work, 'outside'), join(cwd, 'policies'));
    await symlink(join(work, 'outside/x.yaml'), join(cwd, 'one.yaml'));
    for (const dir of ['policies', 'one.yaml']) {
      const loaded = await loadDesiredState(dir, { now: NOW, cwd });
      expect(loaded.errors.map((e) => `${e.source?.file} ${e.code}`)).toEqual([
        `${dir} NOT_A_REGULAR_FILE`,
      ]);
      const snapshot = await readPoliciesInWorkingTree(cwd, dir);
      expect(snapshot.sources).toEqual([]);
      expect(snapshot.problems).toEqual(loaded.errors);
    }
  });

  it('a directory holding .git (a submodule or nested repository) is refused, not read', async () => {
    const cwd = await tree('nested', {
      'policies/a.yaml': policy(1),
      'policies/vendor/.git': 'gitdir: ../../.git/modules/vendor\n',
      'policies/vendor/b.yaml': policy(2),
    });
    const loaded = await loadDesiredState('policies', { now: NOW, cwd });
    expect(loaded.errors.map((e) => `${e.source?.file} ${e.code}`)).toEqual([
      'policies/vendor NOT_A_REGULAR_FILE',
    ]);
    expect(loaded.errors[0]?.message).toMatch(/^policies\/vendor is a git submodule: /);
  });

  it.runIf(posix)('a FIFO named like a policy file is refused without blocking', async () => {
    const cwd = await tree('fifo', { 'policies/a.yaml': policy(1) });
    execFileSync('mkfifo', [join(cwd, 'policies/pipe.yaml')]);
    const loaded = await loadDesiredState('policies', { now: NOW, cwd });
    expect(loaded.errors.map((e) => `${e.source?.file} ${e.code}`)).toEqual([
      'policies/pipe.yaml NOT_A_REGULAR_FILE',
    ]);
    // Read directly (as after a swap between discovery and open): refused on the descriptor.
    const read = await readPolicy(join(cwd, 'policies/pipe.yaml'), 'pipe.yaml', 1000);
    expect(read).toMatchObject({ code: 'NOT_A_REGULAR_FILE', message: /not a regular file/ });
  });

  it.runIf(posix)('a socket named like a policy file is refused', async () => {
    const cwd = await tree('socket', { 'policies/a.yaml': policy(1) });
    const server = createServer();
    socket = server;
    await new Promise<void>((resolve) => server.listen(join(cwd, 'policies/s.yaml'), resolve));
    const loaded = await loadDesiredState('policies', { now: NOW, cwd });
    expect(loaded.errors.map((e) => `${e.source?.file} ${e.code}`)).toEqual([
      'policies/s.yaml NOT_A_REGULAR_FILE',
    ]);
  });

  it('readPolicy never opens through a link (O_NOFOLLOW), even one that discovery did not see', async () => {
    const cwd = await tree('swap', {});
    await symlink(join(work, 'outside/x.yaml'), join(cwd, 'swapped.yaml'));
    const read = await readPolicy(join(cwd, 'swapped.yaml'), 'swapped.yaml', 1000);
    expect(read).toMatchObject({
      code: 'NOT_A_REGULAR_FILE',
      message: /^swapped\.yaml is a symbolic link: /,
      source: { file: 'swapped.yaml', line: 1, col: 1 },
    });
    expect(JSON.stringify(read)).not.toContain('a9@acme.example');
  });

  it('positive control: regular files load, and other names (notes, README) are ignored as before', async () => {
    const cwd = await tree('regular', {
      'policies/a.yaml': policy(1),
      'policies/deeper/b.yml': policy(2),
      'policies/README.md': '# notes\n',
    });
    const loaded = await loadDesiredState('policies', { now: NOW, cwd });
    expect(loaded.errors).toEqual([]);
    expect(loaded.files).toEqual(['policies/a.yaml', 'policies/deeper/b.yml']);
    expect(loaded.value?.businesses.map((b) => b.businessId)).toEqual([1, 2]);
  });
});
