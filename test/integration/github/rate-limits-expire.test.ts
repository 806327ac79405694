/**
 * `rolecall expire --github` (the clean-up pull request) through GitHub's rate limits, with
 * octokit's retry and throttling on as in expire.yml (no ROLECALL_GITHUB_RETRY): a secondary
 * limit (429, `retry-after: 1`) on opening the pull request (the run's first API write) and a
 * primary one on its first read (the pull requests of main's commit, for the expiry's
 * provenance) each cost one wait and one repeat, and the pull request is opened exactly once.
 * With throttling off the same 429 fails the run, so it is the throttling that got it through.
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
} from '../jit/jit-harness.js';

const AMY = 'amy@contractors.example';
const POLICY = `${ACME_POLICY}
  - email: ${AMY}
    role: contractor
    expires: 2026-03-02T17:00:00Z
    reason: Quarter close
`;
const NOW = '2026-03-03T00:00:00Z';
const BRANCH = 'rolecall/cleanup/expired';
const OPEN_PULL = /^\/repos\/acme\/access\/pulls$/;
/** Which pull request brought main's commit (the expiry's provenance): the run's first read. */
const COMMIT_PULLS = /^\/repos\/acme\/access\/commits\/[0-9a-f]{40}\/pulls$/;

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
  emulator.control.addMember(ACME, { email: AMY, role: 'contractor', state: 'active' });
  onGitHub.issues.clear();
  // The label exists (made by an earlier clean-up): the pull request is the first API write.
  onGitHub.ensureLabel('rolecall-cleanup');
  gh.clearRequests();
  world = await createWorld({ [POLICY_FILE]: POLICY });
});
afterEach(() => world.cleanup());

function expire(extra: Record<string, string | undefined> = {}) {
  return rolecall(['expire', '--github', '--rate', '1000'], {
    cwd: world.repo.dir,
    env: {
      ...freshbooksEnv(emulator),
      ...githubEnv(gh, TOKENS.actions),
      GITHUB_REF: 'refs/heads/main',
      ROLECALL_NOW: NOW,
      ...extra,
    },
  });
}

const pulls = () => [...onGitHub.issues.values()].filter((i) => i.pull);

describe('expire --github through rate limits', () => {
  it('with throttling on, waits out a secondary limit on opening the clean-up pull request and a primary one on a read; one pull request', async () => {
    gh.rateLimitNext('POST', OPEN_PULL, { kind: 'secondary', status: 429, retryAfter: 1 });
    gh.rateLimitNext('GET', COMMIT_PULLS, { kind: 'primary' });
    const run = await expire({ ROLECALL_GITHUB_RETRY: undefined });
    expect(run.code, run.err).toBe(0);
    expect(gh.calls('POST', OPEN_PULL).map((r) => r.status)).toEqual([429, 201]);
    expect(gh.calls('GET', COMMIT_PULLS).map((r) => r.status)).toEqual([403, 200]);
    const [pull, ...more] = pulls();
    expect(more).toEqual([]);
    expect(pull?.labels).toEqual(['rolecall-cleanup']);
    expect(pull?.title).toBe('Remove 1 expired grant from the policies');
    expect(run.out).toContain(`Clean-up pull request #${pull?.number} created`);
    expect(Object.keys(await world.remote.refs())).toContain(`refs/heads/${BRANCH}`);
    // The revoke itself happened (FreshBooks is not GitHub-throttled).
    expect(emulator.control.member(ACME, AMY)?.active).toBe(false);
  });

  it('without throttling the same secondary limit fails the run, and no pull request is opened', async () => {
    gh.rateLimitNext('POST', OPEN_PULL, { kind: 'secondary', status: 429, retryAfter: 1 });
    const run = await expire();
    expect(run.code).not.toBe(0);
    expect(run.err).toMatch(/open a pull request from rolecall\/cleanup\/expired/);
    expect(gh.calls('POST', OPEN_PULL).map((r) => r.status)).toEqual([429]);
    expect(pulls()).toEqual([]);
  });
});
