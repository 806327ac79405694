/**
 * Issue 7, end to end, with real parts: the example policy (plus `approvals:`), the emulator's
 * default seed, the real FreshBooks client, planner and applier, and the fake GitHub. A plan is
 * commented on a pull request; after the merge, apply re-plans and asks the GitHub gate, which
 * refuses an unmet rule and a plan that changed since approval, and opens for an approved plan.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { connectFreshBooks, type FreshBooksConnection } from '../../../src/freshbooks/connect.js';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';
import { GitHubApprovalGate } from '../../../src/flows/github/approval-gate.js';
import { upsertPlanComment } from '../../../src/flows/github/plan-comment.js';
import { requireMergedPullRequest } from '../../../src/github/merged-pull-request.js';
import { ACTIONS_BOT_LOGIN } from '../../../src/github/identity.js';
import { packagePath } from '../../../src/paths.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { addStandardTokens, fakeClient, TOKENS } from '../../support/fake-github/client.js';
import { ACME, fastConnect, planNow, workspace, type Workspace } from '../apply/apply-harness.js';
import type { GitHubClient } from '../../../src/github/client.js';
import type { DesiredState, Plan } from '../../../src/types.js';

const NOW = new Date('2026-11-29T10:00:00.000Z');
const clock = { now: () => NOW };
const APPROVALS = `
approvals:
  required: 1
  roles:
    manager: { required: 2, teams: [acme/owners] }
`;

let emulator: RunningEmulator;
let gh: FakeGitHub;
let octokit: GitHubClient;
let repo: FakeRepo;
let ws: Workspace;
let connection: FreshBooksConnection;
let prCounter = 0;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  octokit = fakeClient(gh, TOKENS.actions);
  gh.world.addTeam('acme/owners', ['olivia-gh', 'ben-gh']);
  repo = gh.world.repo('acme', 'access');
  for (const login of ['olivia-gh', 'ben-gh', 'carol-gh', 'maya'])
    repo.permissions.set(login, 'write');
  const yaml = await readFile(packagePath('policies', 'acme-books.yaml'), 'utf8');
  ws = await workspace(emulator, `${yaml}${APPROVALS}`);
  connection = await connectFreshBooks(fastConnect(ws));
});
afterAll(async () => {
  await connection.close();
  await ws.close();
  await emulator.close();
  await gh.close();
});

/** `rolecall plan --github` on a new pull request: plan, comment. */
async function openPlannedPullRequest(): Promise<{ number: number; head: string; plan: Plan }> {
  prCounter += 1;
  const head = prCounter.toString(16).padStart(40, 'a');
  const number = repo.addPullRequest({
    author: 'dev',
    headSha: head,
    title: `Access change ${prCounter}`,
  });
  const { plan } = await planNow(ws, NOW);
  const posted = await upsertPlanComment(octokit, {
    pr: {
      owner: repo.owner,
      repo: repo.name,
      number,
      htmlUrl: `https://github.com/${repo.fullName}/pull/${number}`,
      headSha: head,
    },
    plan,
    login: ACTIONS_BOT_LOGIN,
  });
  expect(posted.action).toBe('created');
  return { number, head, plan };
}

/** `rolecall apply --github` after the merge: merged PR lookup, re-plan, gate, apply. */
async function mergeAndApply(number: number) {
  const mergeSha = (0xf000 + number).toString(16).padStart(40, 'f');
  repo.merge(number, mergeSha);
  const pr = await requireMergedPullRequest(octokit, {
    owner: repo.owner,
    repo: repo.name,
    sha: mergeSha,
  });
  const { plan, desired } = await planNow(ws, NOW);
  const gate = new GitHubApprovalGate({
    octokit,
    teamOctokit: fakeClient(gh, TOKENS.teams),
    repo: { owner: repo.owner, repo: repo.name },
    pullNumber: pr.number,
    login: ACTIONS_BOT_LOGIN,
    rulesFor: (id) => approvalsOf(desired, id),
  });
  return applyPlan({
    plan,
    desired,
    reader: connection,
    writer: connection,
    gate,
    stateDir: ws.stateDir,
    clock,
    actor: 'github-actions',
    resync: (ids) => syncLiveState(connection, ids, { now: NOW }),
  });
}

function approvalsOf(desired: DesiredState, id: number) {
  return desired.businesses.find((b) => b.businessId === id)?.approvals;
}

const writes = () => emulator.control.requests().log.filter((e) => e.applied !== undefined);

describe('plan on the pull request, apply on merge behind the approval gate', () => {
  it('the policy carries the approval rules the gate uses', async () => {
    const { desired } = await planNow(ws, NOW);
    expect(approvalsOf(desired, ACME)).toEqual({
      required: 1,
      roles: { manager: { required: 2, teams: ['acme/owners'] } },
    });
  });

  it('refuses an unmet rule: one owner approval for a change to manager; the grantee’s own does not count', async () => {
    const { number, head, plan } = await openPlannedPullRequest();
    expect(
      plan.businesses[0]?.changes.some(
        (c) => c.email === 'maya@acme.example' && c.to?.role === 'manager',
      ),
    ).toBe(true);
    repo.addReview(number, { user: 'ben-gh', state: 'APPROVED', commitId: head });
    repo.addReview(number, { user: 'maya', state: 'APPROVED', commitId: head });
    const run = await mergeAndApply(number);
    expect(run.exitCode).toBe(1);
    expect(run.refusal?.code).toBe('NOT_APPROVED');
    expect(run.refusal?.message).toContain(
      'approvals.roles.manager: 1 of 2 required approvals from team acme/owners (for change maya@acme.example) (@ben-gh)',
    );
    expect(run.refusal?.message).toContain(
      '@maya (this pull request changes their own access (maya@acme.example))',
    );
    expect(writes()).toEqual([]);
  });

  it('refuses a plan that changed since approval (someone was added by hand after the plan was posted)', async () => {
    const { number, head } = await openPlannedPullRequest();
    repo.addReview(number, { user: 'ben-gh', state: 'APPROVED', commitId: head });
    repo.addReview(number, { user: 'olivia-gh', state: 'APPROVED', commitId: head });
    emulator.control.addMember(ACME, { email: 'mallory@acme.example', role: 'employee' });
    const run = await mergeAndApply(number);
    expect(run.exitCode).toBe(1);
    expect(run.refusal?.message).toMatch(
      /plan changed since approval: .*\(1 difference: Acme Books Inc\. \(240340\): added: revoke employee mallory@acme\.example\)/,
    );
    expect(writes()).toEqual([]);
  });

  it('applies an approved plan, and the next plan is empty', async () => {
    const { number, head, plan } = await openPlannedPullRequest();
    expect(
      plan.businesses[0]?.changes.some(
        (c) => c.email === 'mallory@acme.example' && c.action === 'revoke',
      ),
    ).toBe(true);
    repo.addReview(number, { user: 'carol-gh', state: 'APPROVED', commitId: head });
    repo.addReview(number, { user: 'ben-gh', state: 'APPROVED', commitId: head });
    repo.addReview(number, { user: 'olivia-gh', state: 'APPROVED', commitId: head });
    const run = await mergeAndApply(number);
    expect(run.refusal).toBeUndefined();
    expect(run.exitCode).toBe(0);
    expect(run.approval).toMatchObject({
      approved: true,
      approvers: ['ben-gh', 'carol-gh', 'olivia-gh'],
    });
    expect(writes().length).toBeGreaterThan(0);
    const { plan: after } = await planNow(ws, NOW);
    expect(after.businesses.every((b) => b.changes.length === 0)).toBe(true);
  });
});
