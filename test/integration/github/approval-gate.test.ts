/**
 * The flow of issue 7 against the fake GitHub: plan commented on the pull request, reviews,
 * merge, merge-commit lookup, re-plan, gate. The gate refuses every unmet rule and a changed
 * plan, each with the exact reason, and opens for an approved one.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { addStandardTokens, fakeClient, TOKENS } from '../../support/fake-github/client.js';
import {
  businessPlan,
  change,
  demoPlan,
  grant,
  plan,
  renderForTest,
} from '../../support/fake-github/plans.js';
import { upsertPlanComment } from '../../../src/flows/github/plan-comment.js';
import {
  GitHubApprovalGate,
  type GitHubApprovalGateOptions,
} from '../../../src/flows/github/approval-gate.js';
import {
  findMergedPullRequest,
  requireMergedPullRequest,
} from '../../../src/github/merged-pull-request.js';
import { ACTIONS_BOT_LOGIN } from '../../../src/github/identity.js';
import type { GitHubClient } from '../../../src/github/client.js';
import type { ApprovalRules, Plan } from '../../../src/types.js';

const HEAD = 'a1'.repeat(20);
const OLD = 'c3'.repeat(20);
const MERGE = 'f0'.repeat(20);
let gh: FakeGitHub;
let octokit: GitHubClient;
let repo: FakeRepo;
let number: number;

beforeAll(async () => {
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  octokit = fakeClient(gh, TOKENS.actions);
  gh.world.user('eli', { email: null });
  gh.world.addTeam('acme/owners', ['ben', 'olivia', { login: 'carol', state: 'pending' }]);
});
afterAll(() => gh.close());

async function openPullRequest(p: Plan = demoPlan()) {
  repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2)}`);
  for (const login of ['ben', 'carol', 'olivia', 'maya', 'eli', 'eparker'])
    repo.permissions.set(login, 'write');
  number = repo.addPullRequest({ author: 'dev', headSha: OLD, title: 'Access changes' });
  repo.pushHead(number, HEAD);
  const result = await upsertPlanComment(octokit, {
    pr: {
      owner: repo.owner,
      repo: repo.name,
      number,
      htmlUrl: `https://github.com/${repo.fullName}/pull/${number}`,
      headSha: HEAD,
    },
    plan: p,
    login: ACTIONS_BOT_LOGIN,
    render: (max) => renderForTest(p, max),
  });
  expect(result.action).toBe('created');
}

function gate(
  rules: ApprovalRules | undefined = { required: 1 },
  teamToken: string = TOKENS.teams,
) {
  return new GitHubApprovalGate({
    octokit,
    teamOctokit: fakeClient(gh, teamToken),
    repo: { owner: repo.owner, repo: repo.name },
    pullNumber: number,
    login: ACTIONS_BOT_LOGIN,
    rulesFor: () => rules,
  });
}

async function mergeAndGate(rules?: ApprovalRules, replanned: Plan = demoPlan()) {
  repo.merge(number, MERGE);
  const merged = await requireMergedPullRequest(octokit, {
    owner: repo.owner,
    repo: repo.name,
    sha: MERGE,
  });
  expect(merged.number).toBe(number);
  return gate(rules).evaluate(replanned);
}

describe('the approval gate', () => {
  beforeEach(async () => {
    await openPullRequest();
  });

  it('opens for an approved plan that is the plan posted', async () => {
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    const result = await mergeAndGate();
    expect(result).toMatchObject({ approved: true, unmet: [], counted: ['ben'] });
    expect(result.reason).toMatch(/^approved on #\d+ by @ben; the plan is the one posted$/);
    const decision = await gate().decide(demoPlan());
    expect(decision).toEqual({ approved: true, reason: result.reason, approvers: ['ben'] });
  });

  it('refuses a stale approval (older commit)', async () => {
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: OLD });
    const result = await mergeAndGate();
    expect(result.approved).toBe(false);
    expect(result.unmet).toEqual([
      'approvals.required: 0 of 1 required approval; not counted: @ben (approved an older commit c3c3c3c, not the head a1a1a1a)',
    ]);
  });

  it('refuses self-approval', async () => {
    repo.addReview(number, { user: 'dev', state: 'APPROVED', commitId: HEAD });
    const result = await mergeAndGate();
    expect(result.unmet).toEqual([
      'approvals.required: 0 of 1 required approval; not counted: @dev (is the pull request author)',
    ]);
  });

  it("refuses a grantee's approval: by login, and by public profile email", async () => {
    gh.world.user('eparker', { email: 'eli@acme.example' });
    repo.addReview(number, { user: 'eli', state: 'APPROVED', commitId: HEAD });
    repo.addReview(number, { user: 'eparker', state: 'APPROVED', commitId: HEAD });
    const result = await mergeAndGate();
    expect(result.approved).toBe(false);
    expect(result.ignored).toEqual([
      { login: 'eli', reason: 'this pull request changes their own access (eli@acme.example)' },
      { login: 'eparker', reason: 'this pull request changes their own access (eli@acme.example)' },
    ]);
  });

  it('refuses a bot approval', async () => {
    repo.addReview(number, { user: 'dependabot[bot]', state: 'APPROVED', commitId: HEAD });
    const result = await mergeAndGate();
    expect(result.unmet[0]).toBe(
      'approvals.required: 0 of 1 required approval; not counted: @dependabot[bot] (is a bot)',
    );
  });

  it('refuses when changes were requested after the approval', async () => {
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    repo.addReview(number, { user: 'ben', state: 'CHANGES_REQUESTED', commitId: HEAD });
    const result = await mergeAndGate();
    expect(result.unmet).toEqual([
      'approvals.required: 0 of 1 required approval; not counted: @ben (requested changes)',
      'changes requested by @ben: they must approve, or their review must be dismissed',
    ]);
  });

  it('refuses a dismissed approval', async () => {
    const id = repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    repo.dismissReview(id);
    const result = await mergeAndGate();
    expect(result.unmet[0]).toContain('@ben (their review was dismissed)');
  });

  it('counts only reviewers with write access', async () => {
    repo.addReview(number, { user: 'passerby', state: 'APPROVED', commitId: HEAD });
    const result = await mergeAndGate();
    expect(result.unmet[0]).toContain('@passerby (has no write access to the repository (read))');
  });

  it('needs a plan comment by rolecall', async () => {
    repo.comments.length = 0;
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    const result = await mergeAndGate();
    expect(result.unmet).toEqual([
      expect.stringMatching(
        /^no plan by @github-actions\[bot\] on #\d+: the plan workflow must comment the plan before the merge/,
      ) as unknown as string,
    ]);
  });

  it('refuses a plan that changed since approval, showing the difference', async () => {
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    const replanned = demoPlan();
    replanned.businesses[0]?.changes.push(grant('mallory@acme.example', 'admin'));
    const result = await mergeAndGate(undefined, replanned);
    expect(result.approved).toBe(false);
    expect(result.unmet).toEqual([
      expect.stringMatching(
        /^plan changed since approval: the plan at the merge commit is not the plan last posted on #\d+ \(1 difference: Acme Books Inc\. \(240340\): added: grant admin mallory@acme\.example\); re-plan and approve again$/,
      ) as unknown as string,
    ]);
    expect(result.difference).toEqual([
      'Acme Books Inc. (240340): added: grant admin mallory@acme.example',
    ]);
    // The person granted by the new change is a subject too; the gate stays shut either way.
    expect((await gate().decide(replanned)).reason).toMatch(
      /^not approved \(#\d+\): plan changed since approval/,
    );
  });

  it('refuses before the merge, and a merge as another commit', async () => {
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    expect((await gate().evaluate(demoPlan())).unmet).toEqual([
      expect.stringMatching(
        /^pull request #\d+ is not merged: its plan is applied only after the merge$/,
      ) as unknown as string,
    ]);
    repo.merge(number, MERGE);
    const other = new GitHubApprovalGate({
      octokit,
      repo: { owner: repo.owner, repo: repo.name },
      pullNumber: number,
      login: ACTIONS_BOT_LOGIN,
      rulesFor: () => undefined,
      mergeCommitSha: 'd'.repeat(40),
    });
    expect((await other.evaluate(demoPlan())).unmet).toEqual([
      expect.stringMatching(
        /^pull request #\d+ was merged as f0f0f0f0f0f0, not as dddddddddddd$/,
      ) as unknown as string,
    ]);
  });

  it('a plan without changes needs no approval', async () => {
    const empty = plan([businessPlan([])]);
    gh.clearRequests();
    const result = await gate().evaluate(empty);
    expect(result).toMatchObject({
      approved: true,
      reason:
        'the plan has no changes and no policy fact changed (comments or layout only): nothing to approve',
    });
    expect(gh.calls('GET', /\/reviews$/)).toHaveLength(0);
  });
});

describe('who made the change (issue 13, items 3 and 5)', () => {
  const person = (login: string | null, email: string) => ({ name: login ?? email, email, login });
  const commitOf = (sha: string, author: ReturnType<typeof person>, committer = author) => ({
    sha,
    message: `commit ${sha.slice(0, 7)}`,
    author,
    committer,
    date: '2026-11-20T09:00:00Z',
    parents: ['b'.repeat(40)],
  });
  const gateWith = (extra: Partial<GitHubApprovalGateOptions>) =>
    new GitHubApprovalGate({
      octokit,
      repo: { owner: repo.owner, repo: repo.name },
      pullNumber: number,
      login: ACTIONS_BOT_LOGIN,
      rulesFor: () => ({ required: 1 }),
      ...extra,
    });

  beforeEach(async () => {
    await openPullRequest();
    repo.permissions.set('dana', 'write');
    repo.permissions.set('maya-park', 'write');
  });

  it('excludes the authors and committers of the commits and whoever pushed them, by GitHub’s record', async () => {
    gh.world.user('dana', { email: 'dana@home.example' });
    repo.setCommits(number, [
      commitOf(OLD, person('dev', 'dev@acme.example'), person('carol', 'carol@acme.example')),
      commitOf(
        HEAD,
        person(null, 'Dana+work@home.example'),
        person('web-flow', 'noreply@github.com'),
      ),
    ]);
    // A push of the same commit to another branch is not this pull request's history.
    repo.addActivity({ before: OLD, after: HEAD, ref: 'elsewhere', actor: 'olivia' });
    repo.addActivity({ before: OLD, after: HEAD, ref: `branch-${number}`, actor: 'ben' });
    for (const user of ['ben', 'carol', 'dana', 'olivia'])
      repo.addReview(number, { user, state: 'APPROVED', commitId: HEAD });
    gh.clearRequests();
    const result = await mergeAndGate();
    expect(result).toMatchObject({ approved: true, counted: ['olivia'], notes: [] });
    expect(result.ignored).toEqual([
      { login: 'ben', reason: 'pushed the head commit' },
      { login: 'carol', reason: 'committed c3c3c3c of this pull request' },
      {
        login: 'dana',
        reason: 'authored commit a1a1a1a of this pull request (as dana+work@home.example)',
      },
    ]);
    expect(gh.calls('GET', /\/activity$/).map((r) => r.query['ref'])).toEqual([
      `refs/heads/branch-${number}`,
    ]);
  });

  it('refuses a pull request with more commits than GitHub lists (fail closed)', async () => {
    const many = Array.from({ length: 251 }, (_, i) =>
      commitOf(
        i === 250 ? HEAD : i.toString(16).padStart(40, '0'),
        person('dev', 'dev@acme.example'),
      ),
    );
    repo.setCommits(number, many);
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    gh.clearRequests();
    const result = await mergeAndGate();
    expect(result.approved).toBe(false);
    expect(result.unmet).toEqual([
      `pull request #${number} has 251 commits and GitHub lists only the first 250: rolecall cannot tell who made the rest, so no approval can count — split the change into smaller pull requests`,
    ]);
    expect(gh.calls('GET', /\/pulls\/\d+\/commits$/)).toHaveLength(3);
  });

  it.each([404, 403])(
    'goes on without the pushers when the activity answers %i, and says so',
    async (status) => {
      repo.addActivity({ before: OLD, after: HEAD, ref: `branch-${number}`, actor: 'ben' });
      repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
      gh.failNext('GET', /\/activity$/, status);
      const result = await mergeAndGate();
      const note = `GitHub does not tell who pushed to refs/heads/branch-${number} (the repository activity answered ${status}): pushers are not excluded, only the authors and committers of the commits — turn on "Require approval of the most recent reviewable push" in branch protection`;
      expect(result).toMatchObject({ approved: true, counted: ['ben'], notes: [note] });
      expect(result.reason).toContain(`(note: ${note})`);
    },
  );

  it('fails on any other answer of the activity', async () => {
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    gh.failNext('GET', /\/activity$/, 500);
    await expect(mergeAndGate()).rejects.toThrow(
      /^cannot list the pushes to refs\/heads\/branch-\d+: GitHub answered 500 on GET \/repos\/acme\/[^/]+\/activity/,
    );
  });

  it('notes that a head branch in a fork tells no pushers, and asks GitHub nothing about it', async () => {
    const forked = repo.addPullRequest({
      author: 'dev',
      headSha: HEAD,
      headRepoFullName: 'mallory/access',
    });
    repo.addReview(forked, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    gh.clearRequests();
    const result = await new GitHubApprovalGate({
      octokit,
      repo: { owner: repo.owner, repo: repo.name },
      pullNumber: forked,
      login: ACTIONS_BOT_LOGIN,
      rulesFor: () => ({ required: 1 }),
    }).evaluate(demoPlan());
    expect(result.notes).toEqual([
      `the head branch of #${forked} is not in this repository: GitHub does not tell who pushed to it, so pushers are not excluded, only the authors and committers of the commits`,
    ]);
    expect(gh.calls('GET', /\/activity$/)).toEqual([]);
  });

  it('excludes a reviewer the identities option links to a grantee', async () => {
    repo.addReview(number, { user: 'maya-park', state: 'APPROVED', commitId: HEAD });
    repo.merge(number, MERGE);
    const without = await gateWith({}).evaluate(demoPlan());
    expect(without).toMatchObject({ approved: true, counted: ['maya-park'] });
    const linked = await gateWith({
      identities: [{ login: 'maya-park', emails: ['Maya+FB@acme.example'] }],
    }).evaluate(demoPlan());
    expect(linked.approved).toBe(false);
    expect(linked.ignored).toEqual([
      {
        login: 'maya-park',
        reason: 'this pull request changes their own access (maya@acme.example)',
      },
    ]);
  });
});

describe('per-role team rules', () => {
  const rules: ApprovalRules = {
    required: 1,
    roles: { admin: { required: 2, teams: ['acme/owners'] } },
  };
  const adminPlan = () => plan([businessPlan([change('maya@acme.example', 'manager', 'admin')])]);

  beforeEach(async () => {
    await openPullRequest(adminPlan());
  });

  it('team rule unmet: one owner and a pending member', async () => {
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    repo.addReview(number, { user: 'carol', state: 'APPROVED', commitId: HEAD });
    const result = await mergeAndGate(rules, adminPlan());
    expect(result.approved).toBe(false);
    expect(result.unmet).toEqual([
      'approvals.roles.admin: 1 of 2 required approvals from team acme/owners (for change maya@acme.example) (@ben); approved but not from team acme/owners: @carol',
    ]);
    expect(
      gh
        .calls('GET', /\/orgs\/acme\/teams\/owners\/memberships\//)
        .map((r) => r.path.split('/').pop()),
    ).toEqual(['ben', 'carol']);
  });

  it('team rule met: two active owners', async () => {
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    repo.addReview(number, { user: 'olivia', state: 'APPROVED', commitId: HEAD });
    const result = await mergeAndGate(rules, adminPlan());
    expect(result).toMatchObject({ approved: true, counted: ['ben', 'olivia'] });
  });

  it('a token that cannot read teams is named in the refusal (not "nobody is a member")', async () => {
    repo.addReview(number, { user: 'ben', state: 'APPROVED', commitId: HEAD });
    repo.addReview(number, { user: 'olivia', state: 'APPROVED', commitId: HEAD });
    repo.merge(number, MERGE);
    const result = await gate(rules, TOKENS.actions).evaluate(adminPlan());
    expect(result.approved).toBe(false);
    expect(result.unmet[0]).toBe(
      'cannot check team acme/owners: it does not exist or the token cannot see it (GitHub answered 403). Team rules need a token with organization "Members: read" (GITHUB_TOKEN has none): set ROLECALL_TEAMS_TOKEN',
    );
  });
});

describe('finding the merged pull request', () => {
  beforeEach(async () => {
    await openPullRequest();
  });

  it('none: a commit pushed directly, or only contained in an open pull request', async () => {
    const ref = { owner: repo.owner, repo: repo.name, sha: HEAD };
    expect(await findMergedPullRequest(octokit, ref)).toEqual({
      kind: 'none',
      associated: [number],
    });
    await expect(
      requireMergedPullRequest(octokit, { ...ref, sha: 'd'.repeat(40) }),
    ).rejects.toThrow(
      /^commit dddddddddddd is not the merge commit of any merged pull request \(pushed directly\?\): rolecall applies only changes approved in a pull request$/,
    );
    await expect(requireMergedPullRequest(octokit, ref)).rejects.toThrow(
      /it belongs to #\d+, none merged as a1a1a1a1a1a1/,
    );
  });

  it('found, and confirmed through GET /pulls/{n}', async () => {
    repo.merge(number, MERGE);
    const lookup = await findMergedPullRequest(octokit, {
      owner: repo.owner,
      repo: repo.name,
      sha: MERGE,
    });
    expect(lookup).toMatchObject({
      kind: 'found',
      pullRequest: { number, headSha: HEAD, author: 'dev', mergeCommitSha: MERGE },
    });
    expect(
      gh
        .calls('GET')
        .map((r) => r.route)
        .slice(-2),
    ).toEqual([
      'GET /repos/:owner/:repo/commits/:sha/pulls',
      'GET /repos/:owner/:repo/pulls/:number',
    ]);
  });

  it('several: refuses to guess', async () => {
    repo.merge(number, MERGE);
    const other = repo.addPullRequest({ author: 'dev', headSha: 'e'.repeat(40) });
    repo.merge(other, MERGE);
    await expect(
      requireMergedPullRequest(octokit, { owner: repo.owner, repo: repo.name, sha: MERGE }),
    ).rejects.toThrow(
      /is the merge commit of several pull requests \(#\d+, #\d+\): cannot tell which approval applies, refusing/,
    );
  });
});
