/**
 * `rolecall request --from-issue N` (request.yml: the request pull request and the issue's
 * status comment) through GitHub's rate limits, with octokit's retry and throttling on as in a
 * workflow (no ROLECALL_GITHUB_RETRY): a secondary limit (429, `retry-after: 1`) on opening the
 * pull request (the run's first API write) and a primary one on reading the issue (the run's
 * first read) each cost one wait and one repeat; the pull request, its plan comment and the
 * issue's status comment are each made exactly once. With throttling off the same 429 fails
 * the run, so it is the throttling that got it through.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GOOD_ANSWERS } from '../../unit/jit/request-form.js';
import { RequestWorld } from '../request/request-harness.js';

const NOW = '2026-03-02T09:00:00.000Z';
const OPEN_PULL = /^\/repos\/acme\/access\/pulls$/;
const THROTTLING_ON = { ROLECALL_GITHUB_RETRY: undefined };

let world: RequestWorld;
beforeEach(async () => {
  world = await RequestWorld.create();
});
afterEach(() => world.close());

const readIssue = (issue: number) => new RegExp(`^/repos/acme/access/issues/${issue}$`);
const comments = (number: number) => new RegExp(`^/repos/acme/access/issues/${number}/comments$`);

describe('request --from-issue through rate limits', () => {
  it('with throttling on, waits out a secondary limit on opening the pull request and a primary one on reading the issue; one pull request, one status comment', async () => {
    const issue = world.openIssue(GOOD_ANSWERS);
    const { gh } = world;
    gh.clearRequests();
    gh.rateLimitNext('POST', OPEN_PULL, { kind: 'secondary', status: 429, retryAfter: 1 });
    gh.rateLimitNext('GET', readIssue(issue), { kind: 'primary' });
    const run = await world.request(issue, { now: NOW, env: THROTTLING_ON });
    expect(run.code, run.err).toBe(0);
    expect(gh.calls('POST', OPEN_PULL).map((r) => r.status)).toEqual([429, 201]);
    expect(gh.calls('GET', readIssue(issue)).map((r) => r.status)).toEqual([403, 200]);
    // One pull request with one plan comment; one status comment (nothing else on the issue).
    const [pull, ...more] = world.pulls();
    expect(more).toEqual([]);
    const number = pull as number;
    expect(world.repo.pull(number).headRef).toBe(`rolecall/request/issue-${issue}`);
    expect(gh.calls('POST', comments(number)).map((r) => r.status)).toEqual([201]);
    expect(world.repo.commentsOn(number)).toHaveLength(1);
    expect(gh.calls('POST', comments(issue)).map((r) => r.status)).toEqual([201]);
    expect(world.repo.commentsOn(issue)).toHaveLength(1);
    expect(world.status(issue)).toContain('### ⏳ Waiting for approval');
    expect(world.status(issue)).toContain(`#${pull} proposes this change to the policy.`);
    expect(run.out).toContain(`Pull request #${pull} opened`);
  });

  it('without throttling the same secondary limit fails the run, and no pull request is opened', async () => {
    const issue = world.openIssue(GOOD_ANSWERS);
    const { gh } = world;
    gh.clearRequests();
    gh.rateLimitNext('POST', OPEN_PULL, { kind: 'secondary', status: 429, retryAfter: 1 });
    const run = await world.request(issue, { now: NOW });
    expect(run.code).not.toBe(0);
    expect(gh.calls('POST', OPEN_PULL).map((r) => r.status)).toEqual([429]);
    expect(world.pulls()).toEqual([]);
    expect(world.status(issue)).toContain('the pull request could not be opened or updated');
  });
});
