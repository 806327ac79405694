/**
 * `rolecall review --github` (the review campaign issue) through GitHub's rate limits, with
 * octokit's retry and throttling on as in review.yml (no ROLECALL_GITHUB_RETRY): a secondary
 * limit (429, `retry-after: 1`) on creating the issue (the run's first write) and a primary one
 * on listing the open reviews each cost one wait and one repeat, and the issue is opened
 * exactly once. With
 * throttling off the same 429 fails the run, so it is the throttling that got it through.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { createTempRepo, type TempRepo } from '../../support/temp-repo.js';
import { ACME, emulatorEnv, rolecall } from '../review/review-harness.js';

/** POST: open the review issue; GET: list the open reviews (is one already open?). */
const ISSUES = /^\/repos\/acme\/access\/issues$/;

let emulator: RunningEmulator;
let gh: FakeGitHub;
let ghRepo: FakeRepo;
let repo: TempRepo;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  ghRepo = gh.world.repo('acme', 'access');
  repo = await createTempRepo();
  await repo.commit({
    files: {
      '.gitignore': '.rolecall/\n',
      'policies/acme-books.yaml': await readFile(
        packagePath('policies', 'acme-books.yaml'),
        'utf8',
      ),
    },
    message: 'Access policies (#3)',
    date: '2026-06-01T09:00:00Z',
  });
  env = { ...emulatorEnv(emulator), ...gh.env(TOKENS.actions), GITHUB_REPOSITORY: 'acme/access' };
});
afterAll(async () => {
  await gh.close();
  await emulator.close();
  await repo.cleanup();
});
beforeEach(() => {
  ghRepo.issues.clear();
  // The label exists (made by an earlier campaign): the issue is the run's first write.
  ghRepo.ensureLabel('rolecall-review');
  gh.clearRequests();
});

const reviewIssues = () => [...ghRepo.issues.values()].filter((i) => !i.pull);

function review(extra: Record<string, string | undefined> = {}) {
  return rolecall(['review', '--github', '--rate', '1000'], {
    cwd: repo.dir,
    env: { ...env, ...extra },
  });
}

describe('review --github through rate limits', () => {
  it('with throttling on, waits out a secondary limit on creating the issue and a primary one on a read; one issue', async () => {
    gh.rateLimitNext('POST', ISSUES, { kind: 'secondary', status: 429, retryAfter: 1 });
    gh.rateLimitNext('GET', ISSUES, { kind: 'primary' });
    const run = await review({ ROLECALL_GITHUB_RETRY: undefined });
    expect(run.code, run.err).toBe(0);
    expect(gh.calls('POST', ISSUES).map((r) => r.status)).toEqual([429, 201]);
    expect(gh.calls('GET', ISSUES).map((r) => r.status)).toEqual([403, 200]);
    const issues = reviewIssues();
    expect(issues).toHaveLength(1);
    expect(issues[0]?.labels).toEqual(['rolecall-review']);
    expect(issues[0]?.body).toContain(`business=${ACME} `);
    expect(run.out).toBe(
      `business ${ACME}: opened review #${issues[0]?.number} (13 to review, due 2026-12-13) https://github.com/acme/access/issues/${issues[0]?.number}\n`,
    );
    // A second run (throttling still on) finds it and opens no other.
    gh.clearRequests();
    const again = await review({ ROLECALL_GITHUB_RETRY: undefined });
    expect(again.code, again.err).toBe(0);
    expect(gh.writes()).toEqual([]);
    expect(reviewIssues()).toHaveLength(1);
  });

  it('without throttling the same secondary limit fails the run, and no issue is opened', async () => {
    gh.rateLimitNext('POST', ISSUES, { kind: 'secondary', status: 429, retryAfter: 1 });
    const run = await review();
    expect(run.code).not.toBe(0);
    expect(run.err).toMatch(/open the access review issue/);
    expect(gh.calls('POST', ISSUES).map((r) => r.status)).toEqual([429]);
    expect(reviewIssues()).toEqual([]);
  });
});
