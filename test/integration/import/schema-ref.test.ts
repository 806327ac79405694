/**
 * Issue 15: the `$schema` path `rolecall import` writes is followed by an editor from where the
 * user sees the file, so it is computed from the logical path (links kept), never from the
 * physical one. Real directories and symbolic links in a temporary directory; `rolecall` runs
 * in-process and as the built CLI (whose `process.cwd()` is physical, with the shell's `PWD`).
 *
 *   <tmp>/real/repo                 the repository (git init), physically
 *   <tmp>/seen/a/b/repo  → real/repo     how the user reaches it: a link two levels deeper
 *   <tmp>/seen/teams     → real/repo/policies   a link straight into a directory of it
 */
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../src/emulator/index.js';
import { PACKAGE_ROOT, logicalCwd, packagePath, toolVersion } from '../../../src/paths.js';
import { policySchemaRef, policySchemaUrl } from '../../../src/schemas.js';
import { HOLDINGS, NOW, rolecall, workspace } from '../plan/plan-harness.js';

const URL_OF_RELEASE = `https://raw.githubusercontent.com/rolecall-dev/rolecall/v${toolVersion()}/schemas/policy.schema.json`;

let tmp: string;
let real: string;
let seen: string;
let teams: string;
let liveFile: string;

function git(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd }, (error) => (error ? reject(error) : resolve()));
  });
}

beforeAll(async () => {
  // realpath: the temporary directory itself may sit behind a link (macOS /var → /private/var).
  tmp = realpathSync(await mkdtemp(join(tmpdir(), 'rolecall-schema-ref-')));
  real = join(tmp, 'real', 'repo');
  await mkdir(join(real, 'policies'), { recursive: true });
  await git(real, ['init', '--quiet']);
  await mkdir(join(tmp, 'seen', 'a', 'b'), { recursive: true });
  seen = join(tmp, 'seen', 'a', 'b', 'repo');
  await symlink(real, seen, 'dir');
  teams = join(tmp, 'seen', 'teams');
  await symlink(join(real, 'policies'), teams, 'dir');
  // A live snapshot, so that each import below reads no FreshBooks and needs no token.
  const emulator = await startEmulator({ port: 0 });
  const ws = await workspace(emulator);
  try {
    const sync = await rolecall(ws, ['sync', '--business', String(HOLDINGS), '--out', 'live.json']);
    expect(sync.err).toContain('synced 240341 Acme Holdings LLC');
    expect(sync.code).toBe(0);
    liveFile = join(tmp, 'live.json');
    await copyFile(join(ws.cwd, 'live.json'), liveFile);
  } finally {
    await ws.close();
    await emulator.close();
  }
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** `rolecall import` of Acme Holdings, in-process, in `cwd`; returns the `$schema` reference. */
async function importIn(cwd: string, out: string): Promise<string> {
  const result = await rolecall({ cwd, env: { ROLECALL_NOW: NOW } }, [
    'import',
    '--business',
    String(HOLDINGS),
    '--live',
    liveFile,
    '--out',
    out,
    '--force',
  ]);
  expect(result.err).toContain('Imported Acme Holdings LLC');
  expect(result.code).toBe(0);
  return schemaRefOf(await readFile(join(cwd, out), 'utf8'));
}

function schemaRefOf(text: string): string {
  const match = /^# yaml-language-server: \$schema=(.+)\n/.exec(text);
  if (!match?.[1]) throw new Error(`no $schema header in:\n${text.slice(0, 200)}`);
  return match[1];
}

/** The built CLI, started the way a shell starts it: physical cwd, logical `PWD`. */
function builtImport(
  cli: string,
  cwd: string,
  out: string,
): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, 'import', '--business', String(HOLDINGS), '--live', liveFile, '--out', out, '--force'],
      { cwd, env: { PATH: process.env['PATH'] ?? '', PWD: cwd, ROLECALL_NOW: NOW } },
      (error, _out, err) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, err }),
    );
  });
}

describe('the $schema reference of an imported policy', () => {
  it('is the release URL when neither the repository nor an installed package has the schema', async () => {
    expect(policySchemaUrl()).toBe(URL_OF_RELEASE);
    expect(policySchemaUrl('1.2.3')).toBe(
      'https://raw.githubusercontent.com/rolecall-dev/rolecall/v1.2.3/schemas/policy.schema.json',
    );
    // rolecall runs from its checkout, outside this repository: a path there would be this
    // machine's path in a committed file.
    expect(await importIn(seen, 'policies/holdings.yaml')).toBe(URL_OF_RELEASE);
  });

  it('from a directory reached through a link, the built CLI follows the logical path', async () => {
    // Physically the cwd is real/repo/policies (a repository without schemas/ but with .git
    // above); logically it is seen/teams, where no repository is. Computing from the physical
    // path would find real/repo and write a reference that points nowhere from seen/teams.
    await mkdir(join(real, 'schemas'), { recursive: true });
    await copyFile(
      packagePath('schemas', 'policy.schema.json'),
      join(real, 'schemas', 'policy.schema.json'),
    );
    try {
      const run = await builtImport(packagePath('dist', 'cli', 'main.js'), teams, 'holdings.yaml');
      expect(run.err).toContain('Imported Acme Holdings LLC');
      expect(run.code).toBe(0);
      const ref = schemaRefOf(await readFile(join(teams, 'holdings.yaml'), 'utf8'));
      expect(ref).toBe(URL_OF_RELEASE);
      // In-process, with the logical cwd given directly, the same answer.
      expect(await importIn(teams, 'holdings.yaml')).toBe(URL_OF_RELEASE);
    } finally {
      await rm(join(real, 'schemas'), { recursive: true, force: true });
    }
  });

  it('prefers the repository’s own schemas/policy.schema.json, relative to the file as seen', async () => {
    await mkdir(join(real, 'schemas'), { recursive: true });
    await copyFile(
      packagePath('schemas', 'policy.schema.json'),
      join(real, 'schemas', 'policy.schema.json'),
    );
    try {
      expect(await importIn(seen, 'policies/holdings.yaml')).toBe('../schemas/policy.schema.json');
      expect(await importIn(join(seen, 'policies'), 'deep/er/holdings.yaml')).toBe(
        '../../../schemas/policy.schema.json',
      );
      expect(
        existsSync(join(seen, 'policies', 'deep', 'er', '../../../schemas/policy.schema.json')),
      ).toBe(true);
    } finally {
      await rm(join(real, 'schemas'), { recursive: true, force: true });
      await rm(join(real, 'policies', 'deep'), { recursive: true, force: true });
    }
  });

  it('points into node_modules/rolecall when rolecall is installed there (npm link, file: dependency)', async () => {
    const modules = join(real, 'node_modules');
    await mkdir(modules, { recursive: true });
    await symlink(PACKAGE_ROOT, join(modules, 'rolecall'), 'dir');
    try {
      // The installed bin, run through the logical path; Node runs it from rolecall's checkout.
      const cli = join(seen, 'node_modules', 'rolecall', 'dist', 'cli', 'main.js');
      const run = await builtImport(cli, seen, 'policies/holdings.yaml');
      expect(run.err).toContain('Imported Acme Holdings LLC');
      expect(run.code).toBe(0);
      const ref = schemaRefOf(await readFile(join(seen, 'policies', 'holdings.yaml'), 'utf8'));
      expect(ref).toBe('../node_modules/rolecall/schemas/policy.schema.json');
      expect(existsSync(join(seen, 'policies', ref))).toBe(true);
    } finally {
      await rm(modules, { recursive: true, force: true });
    }
  });

  it('maps a package that lies physically inside the repository back under its logical path', async () => {
    // A package store inside the repository (pnpm-like), not at node_modules/rolecall.
    const store = join(real, 'node_modules', '.store', 'rolecall');
    await mkdir(join(store, 'schemas'), { recursive: true });
    await writeFile(join(store, 'package.json'), '{"name":"rolecall"}\n');
    await copyFile(
      packagePath('schemas', 'policy.schema.json'),
      join(store, 'schemas', 'policy.schema.json'),
    );
    try {
      const fileDir = join(seen, 'policies');
      const ref = policySchemaRef({ fileDir, cwd: seen, packageRoot: store });
      // Not ../../../../real/repo/… : that is the physical path, wrong from seen/a/b/repo.
      expect(ref).toBe('../node_modules/.store/rolecall/schemas/policy.schema.json');
      expect(existsSync(join(fileDir, ref))).toBe(true);
      // A package outside the repository is never referenced by path.
      expect(policySchemaRef({ fileDir, cwd: seen, packageRoot: PACKAGE_ROOT })).toBe(
        URL_OF_RELEASE,
      );
    } finally {
      await rm(join(real, 'node_modules'), { recursive: true, force: true });
    }
  });
});

describe('logicalCwd', () => {
  it('takes PWD when it names the working directory, and ignores it otherwise', () => {
    expect(logicalCwd(real, { PWD: seen })).toBe(seen);
    expect(logicalCwd(join(real, 'policies'), { PWD: teams })).toBe(teams);
    expect(logicalCwd(real, { PWD: teams })).toBe(real);
    expect(logicalCwd(real, { PWD: 'seen/a/b/repo' })).toBe(real);
    expect(logicalCwd(real, { PWD: join(tmp, 'missing') })).toBe(real);
    expect(logicalCwd(real, {})).toBe(real);
  });
});
