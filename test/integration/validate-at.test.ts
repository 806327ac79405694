/**
 * `rolecall validate --at REV`: the policies of a commit, read from git objects (what plan.yml's
 * unprivileged validate job runs on a pull request's fetched head). The working tree is neither
 * read nor touched, and diagnostics name the same `policies/…:line:col` as a plain validate.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { bufferIo } from '../support/buffer-io.js';
import { createTempRepo, type TempRepo } from '../support/temp-repo.js';

const VALID = (id: number, email = 'a@acme.example') =>
  `business: ${id}\nmembers:\n  - email: ${email}\n    role: admin\n`;
const BAD_ROLE = 'business: 1\nmembers:\n  - email: a@acme.example\n    role: admn\n';

let repo: TempRepo;
let base: string;

beforeEach(async () => {
  repo = await createTempRepo({ prefix: 'rolecall-validate-at-' });
  base = await repo.commit({
    files: { 'policies/one.yaml': VALID(1), 'policies/deeper/two.yml': VALID(2) },
    message: 'Two valid policies',
  });
});
afterEach(() => repo.cleanup());

async function validate(args: string[], env: Record<string, string> = {}) {
  const io = bufferIo({ cwd: repo.dir, env: { ROLECALL_NOW: '2026-11-29T12:00:00Z', ...env } });
  const exit = await main(['validate', ...args], io);
  return { exit, out: io.out(), err: io.err() };
}

/** A branch commit with `files`, then back on main: the head exists only as objects here. */
async function headWith(files: Record<string, string | null>): Promise<string> {
  await repo.branch('change');
  const sha = await repo.commit({ files, message: 'Change' });
  await repo.checkout('main');
  return sha;
}

describe('rolecall validate --at', () => {
  it('judges the commit, not the working tree: an invalid head fails with the usual paths and annotations', async () => {
    const head = await headWith({ 'policies/one.yaml': BAD_ROLE });
    const before = { head: await repo.head(), status: await repo.status() };

    const plain = await validate([]);
    expect(plain.exit).toBe(0);

    const at = await validate(['--at', head], { GITHUB_ACTIONS: 'true' });
    expect(at.exit).toBe(1);
    expect(at.out).toMatch(/^policies\/one\.yaml:4:11: error UNKNOWN_ROLE /m);
    expect(at.out).toMatch(/^::error file=policies\/one\.yaml,line=4,col=11,/m);
    expect(at.out).toContain('1 error, 0 warnings in 2 files');
    expect({ head: await repo.head(), status: await repo.status() }).toEqual(before);
  });

  it('a valid commit passes while the working tree is broken; a branch name works too', async () => {
    const head = await headWith({ 'policies/three.yaml': VALID(3) });
    await repo.write('policies/one.yaml', 'business: [\n');
    expect((await validate([])).exit).toBe(1);
    const bySha = await validate(['--at', head]);
    expect(bySha).toMatchObject({ exit: 0 });
    expect(bySha.out).toContain('0 errors, 0 warnings in 3 files');
    const byName = await validate(['--at', 'change', '--json']);
    expect(byName.exit).toBe(0);
    expect(JSON.parse(byName.out)).toMatchObject({
      valid: true,
      files: ['policies/deeper/two.yml', 'policies/one.yaml', 'policies/three.yaml'],
    });
    expect(await repo.read('policies/one.yaml')).toBe('business: [\n');
  });

  it('a commit with no policy files is a NO_POLICIES error, as for a directory', async () => {
    const head = await headWith({ 'policies/one.yaml': null, 'policies/deeper/two.yml': null });
    const result = await validate(['--at', head]);
    expect(result.exit).toBe(1);
    expect(result.out).toContain('error NO_POLICIES');
    expect(await repo.head()).toBe(base);
  });

  it('a sha that is not in the clone: a clear error naming the fetch', async () => {
    const missing = 'a'.repeat(40);
    const result = await validate(['--at', missing]);
    expect(result.exit).toBe(1);
    expect(result.err).toContain(`commit ${missing} is not in this clone`);
    expect(result.err).toContain(
      'git fetch --no-tags origin "+refs/pull/N/head:refs/remotes/rolecall/pr-head"',
    );
    const unknown = await validate(['--at', 'no-such-branch']);
    expect(unknown.exit).toBe(1);
    expect(unknown.err).toContain('unknown revision "no-such-branch"');
  });
});
