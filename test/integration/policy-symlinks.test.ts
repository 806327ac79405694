/**
 * Issue 13, item 4, as an attacker with write access to the policy repository would try it: a
 * symbolic link committed under `policies/`. Its target sits outside `policies/**` (edits there
 * trigger no plan), the working tree follows it while git stores only the link, so the two
 * loaders disagreed — and the "rules before the merge" fell back to the defaults. Both loaders
 * now refuse every link (and gitlink, FIFO, socket) under the policy directory, with the
 * position and the reason, and regular files still load.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadDefaultSeed, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { readPoliciesAtCommit } from '../../src/flows/policy-snapshot.js';
import { bufferIo } from '../support/buffer-io.js';
import { createTempRepo, type TempRepo } from '../support/temp-repo.js';
import { exampleYaml, NOW, rolecall, workspace } from './plan/plan-harness.js';

/** Commit dates near NOW: the example's contractor expiry is judged from the commit that set it. */
const WHEN = '2026-11-01T00:00:00Z';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WHY =
  'is a symbolic link: rolecall refuses links under the policy directory, because the target can sit outside it (where edits trigger no plan and get no review) and the policy read from git would differ from the one read from disk; commit the file itself instead';

let emulator: RunningEmulator;
let liveDir: string;
let example: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.control.loadState(loadDefaultSeed());
  example = await exampleYaml();
  // A live snapshot to plan against offline, taken once from the emulator.
  const ws = await workspace(emulator, { 'policies/acme-books.yaml': example });
  const sync = await rolecall(ws, ['sync', '--out', 'live.json']);
  expect(sync.code).toBe(0);
  liveDir = await mkdtemp(join(tmpdir(), 'rolecall-live-'));
  await copyFile(join(ws.cwd, 'live.json'), join(liveDir, 'live.json'));
  await ws.close();
});
afterAll(async () => {
  await emulator.close();
  await rm(liveDir, { recursive: true, force: true });
});

async function cli(repo: TempRepo, args: string[]) {
  const io = bufferIo({ cwd: repo.dir, env: { ROLECALL_NOW: NOW } });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** `rolecall plan --live` against the snapshot: offline, so it reaches no FreshBooks at all. */
async function planOffline(repo: TempRepo) {
  await copyFile(join(liveDir, 'live.json'), join(repo.dir, 'live.json'));
  return cli(repo, ['plan', '--live', 'live.json', '--format', 'json']);
}

function builtValidate(cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'dist/cli/main.js'), 'validate'],
      { cwd, env: { ...process.env, ROLECALL_NOW: NOW } },
      (error, out, err) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          out,
          err,
        }),
    );
  });
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

/** A fresh repository with one commit of `files` and `symlinks`; removed after the suite. */
const repos: TempRepo[] = [];
afterAll(() => Promise.all(repos.map((r) => r.cleanup())));
async function repoWith(spec: {
  files?: Record<string, string>;
  symlinks?: Record<string, string>;
  message: string;
}): Promise<{ repo: TempRepo; sha: string }> {
  const repo = await createTempRepo();
  repos.push(repo);
  const sha = await repo.commit({ ...spec, date: WHEN });
  return { repo, sha };
}

const refusal = (file: string) => ({
  severity: 'error',
  code: 'NOT_A_REGULAR_FILE',
  message: `${file} ${WHY}`,
  source: { file, line: 1, col: 1 },
});

describe('a symbolic link under policies/ is refused by both loaders', () => {
  it('a linked policy file: validate and plan exit 1 with the position and the reason; at the commit it is a problem, not a source', async () => {
    const { repo, sha } = await repoWith({
      files: { 'elsewhere/acme.yaml': example },
      symlinks: { 'policies/acme.yaml': '../elsewhere/acme.yaml' },
      message: 'Move the policy out of policies/ (#7)',
    });
    expect(await repo.git.raw(['ls-tree', sha, '--', 'policies/acme.yaml'])).toMatch(/^120000 /);

    const validate = await cli(repo, ['validate']);
    expect(validate).toEqual({
      code: 1,
      out: `policies/acme.yaml:1:1: error NOT_A_REGULAR_FILE policies/acme.yaml ${WHY}\n1 error, 0 warnings in 1 file\n`,
      err: '',
    });

    const plan = await planOffline(repo);
    expect(plan.code).toBe(1);
    expect(plan.out).toBe('');
    expect(plan.err).toContain(
      `policies/acme.yaml:1:1: error NOT_A_REGULAR_FILE policies/acme.yaml ${WHY}`,
    );
    expect(plan.err).toContain('nothing was planned');
    noStack(plan.err);

    // The same diagnostic from the at-commit reader: the two loaders agree.
    const snapshot = await readPoliciesAtCommit(repo.dir, 'policies', sha);
    expect(snapshot).toEqual({ sources: [], problems: [refusal('policies/acme.yaml')] });

    // And the built CLI, as the workflows run it: exit 1, the reason, no stack trace.
    const built = await builtValidate(repo.dir);
    expect(built.code).toBe(1);
    expect(built.out).toContain(`policies/acme.yaml:1:1: error NOT_A_REGULAR_FILE`);
    noStack(built.out);
    noStack(built.err);
  });

  it('a linked directory: refused, and nothing is read through it', async () => {
    const { repo, sha } = await repoWith({
      files: {
        'policies/acme.yaml': example,
        'elsewhere/more/holdings.yaml': 'business: 240341\nmembers: []\n',
      },
      symlinks: { 'policies/more': '../elsewhere/more' },
      message: 'Link a directory of policies (#8)',
    });
    const validate = await cli(repo, ['validate']);
    expect(validate.code).toBe(1);
    expect(validate.out).toBe(
      `policies/more:1:1: error NOT_A_REGULAR_FILE policies/more ${WHY}\n1 error, 0 warnings in 2 files\n`,
    );
    expect((await planOffline(repo)).code).toBe(1);

    const snapshot = await readPoliciesAtCommit(repo.dir, 'policies', sha);
    expect(snapshot.sources.map((s) => s.file)).toEqual(['policies/acme.yaml']);
    expect(snapshot.problems).toEqual([refusal('policies/more')]);
  });

  it('a dangling link: refused in both loaders, not silently skipped', async () => {
    const { repo, sha } = await repoWith({
      files: { 'policies/acme.yaml': example },
      symlinks: { 'policies/gone.yaml': '../nowhere/gone.yaml' },
      message: 'A link to nothing (#9)',
    });
    const validate = await cli(repo, ['validate']);
    expect(validate.code).toBe(1);
    expect(validate.out).toContain(
      `policies/gone.yaml:1:1: error NOT_A_REGULAR_FILE policies/gone.yaml ${WHY}\n`,
    );
    expect((await planOffline(repo)).code).toBe(1);
    const snapshot = await readPoliciesAtCommit(repo.dir, 'policies', sha);
    expect(snapshot.problems).toEqual([refusal('policies/gone.yaml')]);
  });

  it('the policy directory itself as a link: refused in both loaders', async () => {
    const { repo, sha } = await repoWith({
      files: { 'elsewhere/acme.yaml': example },
      symlinks: { policies: 'elsewhere' },
      message: 'policies/ is a link (#10)',
    });
    const validate = await cli(repo, ['validate']);
    expect(validate.code).toBe(1);
    expect(validate.out).toContain(`policies:1:1: error NOT_A_REGULAR_FILE policies ${WHY}\n`);
    expect((await planOffline(repo)).code).toBe(1);
    const snapshot = await readPoliciesAtCommit(repo.dir, 'policies', sha);
    expect(snapshot).toEqual({ sources: [], problems: [refusal('policies')] });
  });

  it('a submodule (gitlink) under policies/: a problem at the commit, never read', async () => {
    const { repo: inner, sha: innerSha } = await repoWith({
      files: { 'x.yaml': example },
      message: 'inner',
    });
    expect(inner.dir).toBeTruthy();
    const { repo } = await repoWith({
      files: { 'policies/acme.yaml': example },
      message: 'Regular policy',
    });
    await repo.git.raw([
      'update-index',
      '--add',
      '--cacheinfo',
      `160000,${innerSha},policies/vendor`,
    ]);
    const sha = await repo.commit({ message: 'Add a submodule (#11)', date: WHEN });
    const snapshot = await readPoliciesAtCommit(repo.dir, 'policies', sha);
    expect(snapshot.sources.map((s) => s.file)).toEqual(['policies/acme.yaml']);
    expect(snapshot.problems).toEqual([
      expect.objectContaining({
        code: 'NOT_A_REGULAR_FILE',
        message: expect.stringContaining('policies/vendor is a git submodule') as unknown as string,
        source: { file: 'policies/vendor', line: 1, col: 1 },
      }),
    ]);
  });

  it('positive control: regular files load in both loaders and plan', async () => {
    const { repo, sha } = await repoWith({
      files: { 'policies/acme.yaml': example },
      message: 'Regular policy',
    });
    const validate = await cli(repo, ['validate']);
    expect(validate).toEqual({ code: 0, out: '0 errors, 0 warnings in 1 file\n', err: '' });
    const plan = await planOffline(repo);
    expect(plan.err).not.toContain('error');
    expect(plan.code).toBe(0);
    const snapshot = await readPoliciesAtCommit(repo.dir, 'policies', sha);
    expect(snapshot).toEqual({
      sources: [{ file: 'policies/acme.yaml', text: example }],
      problems: [],
    });
  });
});
