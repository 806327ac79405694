/**
 * The single clean-up pull request across runs of `rolecall expire --github`: created once,
 * updated (never duplicated) when more grants expire, left alone when nothing changed, rebuilt
 * on a moved base, never overwriting someone else's commit, closed when nothing is left.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import {
  ACME,
  ACME_POLICY,
  createWorld,
  fakeRepo,
  freshbooksEnv,
  githubEnv,
  POLICY_FILE,
  rolecall,
  type World,
} from './jit-harness.js';

const BRANCH = 'rolecall/cleanup/expired';
const CONTRACTORS = `
  # Contractors
  - email: amy@contractors.example
    role: contractor
    expires: 2026-03-02T17:00:00Z
    reason: Quarter close

  - email: bea@contractors.example
    role: contractor
    expires: 2026-03-05 # end of the audit week
    reason: Audit week
`;
const POLICY = `${ACME_POLICY}${CONTRACTORS}`;

let emulator: RunningEmulator;
let gh: FakeGitHub;
let onGitHub: FakeRepo;
let world: World;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  onGitHub = fakeRepo(gh);
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
});
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  for (const email of ['amy@contractors.example', 'bea@contractors.example']) {
    emulator.control.addMember(ACME, { email, role: 'contractor', state: 'active' });
  }
  onGitHub.issues.clear();
  gh.clearRequests();
  world = await createWorld({ [POLICY_FILE]: POLICY });
});
afterEach(() => world.cleanup());

function expire(now: string) {
  return rolecall(['expire', '--github', '--rate', '1000'], {
    cwd: world.repo.dir,
    env: {
      ...freshbooksEnv(emulator),
      ...githubEnv(gh, TOKENS.actions),
      GITHUB_REF: 'refs/heads/main',
      ROLECALL_NOW: now,
    },
  });
}

const openCleanups = () =>
  [...onGitHub.issues.values()].filter(
    (i) => i.state === 'open' && i.pull && i.labels.includes('rolecall-cleanup'),
  );
/** The number of the one open clean-up pull request (fails when there are several). */
function onlyCleanup(): number {
  const open = openCleanups();
  expect(open).toHaveLength(1);
  return (open[0] as { number: number }).number;
}
const branchSha = async () => (await world.remote.refs())[`refs/heads/${BRANCH}`];
const branchPolicy = () => world.remote.show(BRANCH, POLICY_FILE);

async function pushMain(text: string, message: string, date: string) {
  await world.repo.commit({ files: { [POLICY_FILE]: text }, message, date });
  await world.repo.git.raw(['push', '--quiet', 'origin', 'main']);
}

describe('the clean-up pull request across expire runs', () => {
  it('is opened once, then updated in place, and left alone when nothing changed', async () => {
    // Run 1: amy expired.
    const first = await expire('2026-03-03T00:00:00Z');
    expect(first.code, first.err).toBe(0);
    const n = onlyCleanup();
    expect(first.out).toContain(`Clean-up pull request #${n} created`);
    expect(onGitHub.issue(n).title).toBe('Remove 1 expired grant from the policies');
    const sha1 = await branchSha();
    expect(await branchPolicy()).toBe(
      POLICY.replace(/\n {2}- email: amy@contractors\.example\n(?: {4}.*\n)+/, ''),
    );

    // Run 2: bea expired too. Same pull request, updated; the branch rebuilt with both gone.
    gh.clearRequests();
    const second = await expire('2026-03-06T00:00:00Z');
    expect(second.code, second.err).toBe(0);
    expect(second.out).toContain(
      `Clean-up pull request #${n} updated (branch rolecall/cleanup/expired rebuilt`,
    );
    expect(gh.calls('POST', '/repos/acme/access/pulls')).toEqual([]);
    expect(gh.calls('PATCH', `/repos/acme/access/pulls/${n}`)).toHaveLength(1);
    expect(onlyCleanup()).toBe(n);
    expect(onGitHub.issues.size).toBe(1);
    expect(onGitHub.issue(n).title).toBe('Remove 2 expired grants from the policies');
    expect(onGitHub.issue(n).body).toContain('`bea@contractors.example`');
    const sha2 = await branchSha();
    expect(sha2).not.toBe(sha1);
    expect(await branchPolicy()).toBe(`${ACME_POLICY}\n  # Contractors\n`);
    // One commit on main, not one per run.
    expect((await world.remote.git.raw(['rev-list', '--count', `main..${BRANCH}`])).trim()).toBe(
      '1',
    );

    // Run 3: nothing new. No push, no API write.
    gh.clearRequests();
    const third = await expire('2026-03-06T01:00:00Z');
    expect(third.code, third.err).toBe(0);
    expect(third.out).toContain(
      `Clean-up pull request #${n} unchanged (branch rolecall/cleanup/expired already up to date)`,
    );
    expect(gh.writes()).toEqual([]);
    expect(await branchSha()).toBe(sha2);
  });

  it('rebuilds the branch on a moved base, keeping what the base added', async () => {
    expect((await expire('2026-03-03T00:00:00Z')).code).toBe(0);
    const n = onlyCleanup();
    const before = await branchSha();
    const added = POLICY.replace(
      '  # Contractors\n',
      '  - email: carol@acme.example\n    role: manager\n    reason: Office manager\n\n  # Contractors\n',
    );
    await pushMain(added, 'Add carol', '2026-03-03T08:00:00Z');
    gh.clearRequests();
    const result = await expire('2026-03-03T09:00:00Z');
    expect(result.code, result.err).toBe(0);
    expect(await branchSha()).not.toBe(before);
    const parent = (await world.remote.git.raw(['rev-parse', `${BRANCH}^`])).trim();
    expect(parent).toBe((await world.remote.refs())['refs/heads/main']);
    expect(await branchPolicy()).toBe(
      added.replace(/\n {2}- email: amy@contractors\.example\n(?: {4}.*\n)+/, ''),
    );
    // Same entries: the pull request's text did not change.
    expect(gh.writes()).toEqual([]);
    expect(onlyCleanup()).toBe(n);
  });

  it('refuses to overwrite a commit someone else pushed to the branch', async () => {
    expect((await expire('2026-03-03T00:00:00Z')).code).toBe(0);
    await world.repo.git.raw(['fetch', '--quiet', 'origin', BRANCH]);
    await world.repo.branch('human', 'FETCH_HEAD');
    await world.repo.commit({
      files: { 'NOTES.md': 'a note\n' },
      message: 'A human fix',
      date: '2026-03-03T01:00:00Z',
    });
    await world.repo.git.raw(['push', '--quiet', 'origin', `human:${BRANCH}`]);
    await world.repo.checkout('main');
    const theirs = await branchSha();

    const result = await expire('2026-03-06T00:00:00Z');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /clean-up: rolecall\/cleanup\/expired on origin has a commit rolecall did not make \([0-9a-f]{12}\); rolecall does not overwrite it/,
    );
    expect(await branchSha()).toBe(theirs);
    // The revoke itself still happened.
    expect(emulator.control.member(ACME, 'bea@contractors.example')?.active).toBe(false);
  });

  it('closes the pull request when the policies no longer hold anything to clean up', async () => {
    expect((await expire('2026-03-03T00:00:00Z')).code).toBe(0);
    const n = onlyCleanup();
    // Someone removes amy by hand and extends bea.
    await pushMain(
      `${ACME_POLICY}\n  # Contractors\n  - email: bea@contractors.example\n    role: contractor\n    expires: 2026-04-30\n    reason: Audit week\n`,
      'Tidy contractors',
      '2026-03-03T08:00:00Z',
    );
    gh.clearRequests();
    const result = await expire('2026-03-03T09:00:00Z');
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('Nothing has expired');
    expect(result.out).toContain(`Closed the stale clean-up pull request #${n}.`);
    expect(openCleanups()).toEqual([]);
    expect(onGitHub.commentsOn(n).map((c) => c.body)).toEqual([
      'Closed by `rolecall expire`: the policies no longer hold any expired grant to remove (removed or extended elsewhere).',
    ]);
  });
});
