import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { addStandardTokens, fakeClient, TOKENS } from '../../support/fake-github/client.js';
import {
  businessPlan,
  demoPlan,
  grant,
  plan,
  renderForTest,
} from '../../support/fake-github/plans.js';
import {
  readApprovedDigest,
  readApprovedPlan,
  upsertPlanComment,
} from '../../../src/flows/github/plan-comment.js';
import { upsertStickyComment, TRUNCATION_NOTE } from '../../../src/github/sticky-comment.js';
import { hiddenRecord } from '../../../src/github/hidden-record.js';
import { ACTIONS_BOT_LOGIN, resolveTokenLogin } from '../../../src/github/identity.js';
import { approvalDigest, saltedDigest } from '../../../src/plan/approval-digest.js';
import type { GitHubClient } from '../../../src/github/client.js';
import { openGitHubSession } from '../../../src/github/session.js';
import { sessionApprovalGate } from '../../support/session-approval-gate.js';

const HEAD = 'a1'.repeat(20);
let gh: FakeGitHub;
let octokit: GitHubClient;
let repo: FakeRepo;
let number: number;

beforeAll(async () => {
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  octokit = fakeClient(gh, TOKENS.actions);
});
afterAll(() => gh.close());
beforeEach(() => {
  repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2)}`);
  number = repo.addPullRequest({ author: 'dev', headSha: HEAD, title: 'Grant eli accountant' });
  gh.clearRequests();
});

function pr(n = number, headSha = HEAD) {
  return {
    owner: repo.owner,
    repo: repo.name,
    number: n,
    htmlUrl: `https://github.com/${repo.fullName}/pull/${n}`,
    headSha,
  };
}

const render =
  (p = demoPlan()) =>
  (max: number) =>
    renderForTest(p, max);

describe('the plan comment', () => {
  it('is created once, then updated in place, and not touched when unchanged', async () => {
    const first = await upsertPlanComment(octokit, {
      pr: pr(),
      plan: demoPlan(),
      login: ACTIONS_BOT_LOGIN,
      render: render(),
    });
    expect(first.action).toBe('created');
    const again = await upsertPlanComment(octokit, {
      pr: pr(),
      plan: demoPlan(),
      login: ACTIONS_BOT_LOGIN,
      render: render(),
    });
    expect(again.action).toBe('unchanged');

    const changed = plan([businessPlan([grant('eli@acme.example', 'accountant')])]);
    const third = await upsertPlanComment(octokit, {
      pr: pr(),
      plan: changed,
      login: ACTIONS_BOT_LOGIN,
      render: render(changed),
    });
    expect(third.action).toBe('updated');
    expect(third.comment?.id).toBe(first.comment?.id);

    expect(repo.commentsOn(number)).toHaveLength(1);
    expect(gh.writes().map((r) => r.route)).toEqual([
      'POST /repos/:owner/:repo/issues/:number/comments',
      'PATCH /repos/:owner/:repo/issues/comments/:id',
    ]);
    const patch = gh.calls('PATCH')[0];
    expect(patch?.body).toEqual({ body: repo.commentsOn(number)[0]?.body });
    expect(repo.commentsOn(number)[0]?.body).toContain('eli@acme.example');
    expect(repo.commentsOn(number)[0]?.body.startsWith('<!-- rolecall:plan:pr z1.')).toBe(true);
  });

  it('carries the salted digest, which readApprovedDigest reads back', async () => {
    await upsertPlanComment(octokit, {
      pr: pr(),
      plan: demoPlan(),
      login: ACTIONS_BOT_LOGIN,
      render: render(),
    });
    const digest = await readApprovedDigest(octokit, pr(), ACTIONS_BOT_LOGIN);
    expect(digest).toBe(saltedDigest(pr().htmlUrl, approvalDigest(demoPlan())));
    const approved = await readApprovedPlan(octokit, pr(), ACTIONS_BOT_LOGIN);
    expect(approved).toMatchObject({ headSha: HEAD, businesses: [240340], changes: 6 });
    expect(approved?.effect).not.toBeNull();
  });

  it('a digest copied to another pull request does not validate there', async () => {
    const other = repo.addPullRequest({ author: 'dev', headSha: HEAD });
    await upsertPlanComment(octokit, {
      pr: pr(),
      plan: demoPlan(),
      login: ACTIONS_BOT_LOGIN,
      render: render(),
    });
    const body = repo.commentsOn(number)[0]?.body ?? '';
    // Someone pastes rolecall's whole comment onto the other pull request…
    repo.addComment(other, { user: 'dev', body });
    expect(await readApprovedDigest(octokit, pr(other), ACTIONS_BOT_LOGIN)).toBeNull();
    // …and even rolecall's own copy would carry the first PR's salt.
    repo.addComment(other, { user: ACTIONS_BOT_LOGIN, body });
    const copied = await readApprovedPlan(octokit, pr(other), ACTIONS_BOT_LOGIN);
    expect(copied?.digest).not.toBe(saltedDigest(pr(other).htmlUrl, approvalDigest(demoPlan())));
    expect(copied?.effect).toBeNull(); // the recorded effect does not match this PR's salt
  });

  it("ignores another user's comment with the same marker, and never edits it", async () => {
    const fake = hiddenRecord('plan', 'pr', {
      v: 1,
      digest: `sha256:${'0'.repeat(64)}`,
      headSha: HEAD,
      businesses: [],
      changes: 0,
    });
    repo.addComment(number, { user: 'mallory', body: `${fake}\nLooks approved to me` });
    expect(await readApprovedDigest(octokit, pr(), ACTIONS_BOT_LOGIN)).toBeNull();
    const result = await upsertPlanComment(octokit, {
      pr: pr(),
      plan: demoPlan(),
      login: ACTIONS_BOT_LOGIN,
      render: render(),
    });
    expect(result.action).toBe('created');
    expect(repo.commentsOn(number)).toHaveLength(2);
    expect(repo.commentsOn(number)[0]?.body).toContain('Looks approved to me');
    expect(gh.calls('PATCH')).toHaveLength(0);
  });

  it('finds its comment on a later page (150 comments)', async () => {
    for (let i = 0; i < 120; i++) repo.addComment(number, { user: 'dev', body: `comment ${i}` });
    await upsertPlanComment(octokit, {
      pr: pr(),
      plan: demoPlan(),
      login: ACTIONS_BOT_LOGIN,
      render: render(),
    });
    for (let i = 0; i < 30; i++) repo.addComment(number, { user: 'dev', body: `later ${i}` });
    gh.clearRequests();
    const changed = plan([businessPlan([grant('eli@acme.example', 'admin')])]);
    const result = await upsertPlanComment(octokit, {
      pr: pr(),
      plan: changed,
      login: ACTIONS_BOT_LOGIN,
      render: render(changed),
    });
    expect(result.action).toBe('updated');
    const lists = gh.calls('GET', /\/issues\/\d+\/comments$/);
    expect(lists.map((r) => r.query['page'] ?? '1')).toEqual(['1', '2']);
    expect(repo.commentsOn(number).filter((c) => c.user.login === ACTIONS_BOT_LOGIN)).toHaveLength(
      1,
    );
  });

  it('stays under 65,536 characters with an oversized plan, saying it was cut', async () => {
    const huge = plan([
      businessPlan(
        Array.from({ length: 1500 }, (_, i) => grant(`person${i}@acme.example`, 'employee')),
      ),
    ]);
    let budget = 0;
    const result = await upsertPlanComment(octokit, {
      pr: pr(),
      plan: huge,
      login: ACTIONS_BOT_LOGIN,
      // A renderer that ignores its budget: the defensive truncation must still hold.
      render: (max) => {
        budget = max;
        return (
          huge.businesses[0]?.changes
            .map((c) => `- grant \`${c.email}\` employee — a long explanation of why`)
            .join('\n') ?? ''
        );
      },
    });
    const body = repo.commentsOn(number)[0]?.body ?? '';
    expect(result.truncated).toBe(true);
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain(TRUNCATION_NOTE);
    expect(budget).toBeLessThan(65_536 - 50);
    // Too big to record the effect, but the digest is always there.
    const approved = await readApprovedPlan(octokit, pr(), ACTIONS_BOT_LOGIN);
    expect(approved?.digest).toBe(saltedDigest(pr().htmlUrl, approvalDigest(huge)));
    expect(approved?.changes).toBe(1500);
  });

  it("uses the planner's renderer by default, which degrades a huge plan instead of being cut", async () => {
    const huge = plan([
      businessPlan(
        Array.from({ length: 1500 }, (_, i) => grant(`person${i}@acme.example`, 'employee')),
      ),
    ]);
    const result = await upsertPlanComment(octokit, {
      pr: pr(),
      plan: huge,
      login: ACTIONS_BOT_LOGIN,
    });
    const body = repo.commentsOn(number)[0]?.body ?? '';
    expect(result).toMatchObject({ action: 'created', truncated: false });
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain('rolecall plan');
    expect(body).not.toContain(TRUNCATION_NOTE);
  });

  it('does not overwrite with a plan for an older head', async () => {
    repo.pushHead(number, 'b2'.repeat(20));
    const result = await upsertPlanComment(octokit, {
      pr: pr(),
      plan: demoPlan(),
      login: ACTIONS_BOT_LOGIN,
      render: render(),
    });
    expect(result.action).toBe('skipped-stale-head');
    expect(repo.commentsOn(number)).toHaveLength(0);
  });

  it('keeps one comment per kind: the apply outcome does not replace the plan', async () => {
    const ref = { owner: repo.owner, repo: repo.name, issueNumber: number };
    await upsertPlanComment(octokit, {
      pr: pr(),
      plan: demoPlan(),
      login: ACTIONS_BOT_LOGIN,
      render: render(),
    });
    await upsertStickyComment(
      octokit,
      ref,
      { kind: 'apply', scope: 'pr', login: ACTIONS_BOT_LOGIN },
      { visible: 'applied', record: {} },
    );
    await upsertStickyComment(
      octokit,
      ref,
      { kind: 'apply', scope: 'pr', login: ACTIONS_BOT_LOGIN },
      { visible: 'applied again', record: {} },
    );
    expect(repo.commentsOn(number).map((c) => c.body.split('\n')[1])).toEqual([
      '### rolecall plan',
      'applied again',
    ]);
  });

  it('surfaces a refused write with the permission to add', async () => {
    gh.world.addToken('ghs_readonly', 'github-actions[bot]', { write: false });
    const readonly = fakeClient(gh, 'ghs_readonly');
    await expect(
      upsertPlanComment(readonly, {
        pr: pr(),
        plan: demoPlan(),
        login: ACTIONS_BOT_LOGIN,
        render: render(),
      }),
    ).rejects.toThrow(
      /cannot create the rolecall comment on #\d+: GitHub answered 403 on POST .*permissions: pull-requests: write/,
    );
  });
});

describe('the token login', () => {
  it('comes from GET /user for a personal token, and falls back to the bot for GITHUB_TOKEN', async () => {
    expect(await resolveTokenLogin(fakeClient(gh, TOKENS.pat))).toEqual({
      login: 'rolecall-admin',
      source: 'user',
    });
    expect(await resolveTokenLogin(fakeClient(gh, TOKENS.actions))).toEqual({
      login: 'github-actions[bot]',
      source: 'fallback',
    });
    expect(
      await resolveTokenLogin(fakeClient(gh, TOKENS.secrets), { fallback: 'rolecall-app[bot]' }),
    ).toEqual({
      login: 'rolecall-app[bot]',
      source: 'fallback',
    });
  });

  it('openGitHubSession: context, client, login (configured or resolved) and a gate factory', async () => {
    const env = gh.env(TOKENS.actions, {
      GITHUB_REPOSITORY: repo.fullName,
      ROLECALL_TEAMS_TOKEN: TOKENS.teams,
    });
    const session = await openGitHubSession(env, { retry: false });
    expect(session.identity).toEqual({ login: 'github-actions[bot]', source: 'fallback' });
    expect(session.repo).toEqual({ owner: repo.owner, repo: repo.name });
    expect(session.teamOctokit).not.toBe(session.octokit);
    const configured = await openGitHubSession(
      { ...env, ROLECALL_GITHUB_LOGIN: 'rolecall-app[bot]' },
      { retry: false },
    );
    expect(configured.identity).toEqual({ login: 'rolecall-app[bot]', source: 'configured' });
    const gate = sessionApprovalGate(session, number, () => ({ required: 1 }));
    expect(await gate.decide(plan([businessPlan([])]))).toEqual({
      approved: true,
      reason:
        'the plan has no changes and no policy fact changed (comments or layout only): nothing to approve',
    });
    // The factory passes the pushed commit on: a PR merged as another commit is refused.
    repo.merge(number, 'c'.repeat(40));
    const wrongMerge = sessionApprovalGate(
      session,
      number,
      () => ({ required: 1 }),
      'd'.repeat(40),
    );
    const decision = await wrongMerge.decide(
      plan([businessPlan([grant('eli@acme.example', 'accountant')])]),
    );
    expect(decision.approved).toBe(false);
    expect(decision.reason).toContain(`was merged as ${'c'.repeat(12)}, not as ${'d'.repeat(12)}`);
  });

  it('a 500 fails at once: retries are off in tests', async () => {
    gh.failNext('GET', /^\/user$/, 500);
    await expect(resolveTokenLogin(fakeClient(gh, TOKENS.pat))).rejects.toThrow(
      /GitHub answered 500 on GET \/user/,
    );
    expect(gh.calls('GET', '/user').filter((r) => r.status === 500)).toHaveLength(1);
  });

  it('the fake refuses requests without an Authorization header', async () => {
    const response = await fetch(`${gh.url}/user`);
    expect(response.status).toBe(401);
  });
});
