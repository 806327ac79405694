/**
 * GitHub's rate limits, answered by the fake as GitHub answers them, survived by a whole
 * command with octokit's retry and throttling on (as in a workflow: no ROLECALL_GITHUB_RETRY):
 * a secondary limit (429 with `retry-after: 1`) and a primary one (403,
 * `x-ratelimit-remaining: 0`, `x-ratelimit-reset` now) each cost one wait and one repeat. With
 * throttling off the same answer fails the check, so it is the throttling that got through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessRepository,
  check,
  notPassed,
  startHarness,
  type Harness,
} from '../doctor/doctor-harness.js';

const PROTECTION = /\/branches\/main\/protection$/;
const ENVIRONMENT_READ = /\/environments\/[^/]+$/;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('rate limits, with octokit’s retry and throttling on', () => {
  it('doctor --github waits out a secondary and a primary rate limit and passes', async () => {
    const ws = await accessRepository(h);
    try {
      h.gh.clearRequests();
      h.gh.rateLimitNext('GET', PROTECTION, { kind: 'secondary', status: 429, retryAfter: 1 });
      h.gh.rateLimitNext('GET', ENVIRONMENT_READ, { kind: 'primary' });
      const run = await ws.run(undefined, { ROLECALL_GITHUB_RETRY: undefined });
      expect(notPassed(run)).toEqual([]);
      expect(run.code).toBe(0);
      expect(h.gh.calls('GET', PROTECTION).map((r) => r.status)).toEqual([429, 200]);
      expect(h.gh.calls('GET', ENVIRONMENT_READ).map((r) => r.status)).toEqual([403, 200]);
    } finally {
      await ws.close();
    }
  });

  it('without throttling the same secondary limit is not waited out', async () => {
    const ws = await accessRepository(h);
    try {
      h.gh.clearRequests();
      h.gh.rateLimitNext('GET', PROTECTION, { kind: 'secondary', retryAfter: 1 });
      const run = await ws.run();
      expect(h.gh.calls('GET', PROTECTION).map((r) => r.status)).toEqual([403]);
      expect(check(run, 'branch.pull-request').status).not.toBe('pass');
    } finally {
      await ws.close();
    }
  });
});
