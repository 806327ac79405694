/**
 * Issue 13, items 3 and 5, attacked end to end through the harness (real git, the emulator, the
 * fake GitHub, `rolecall apply --github` as apply.yml runs it): approvers must be independent of
 * the change. Whoever wrote, committed or pushed a commit of the pull request cannot approve it,
 * and neither can a grantee the policy names by a sub-addressed mailbox or through the policy's
 * `identities:`. Each attack would be applied without the rule (two members of acme/owners
 * approve a manager grant); each is refused with nothing written to FreshBooks, and an
 * independent reviewer's approval of the same change still applies it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { addStandardTokens } from '../../support/fake-github/client.js';
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js';
import type { FakeGitPerson } from '../../support/fake-github/repo.js';
import {
  ACME,
  APPROVALS,
  baseYaml,
  Flow,
  headYaml,
  PEOPLE,
  type Merge,
  type PullRequest,
} from './harness.js';

let emulator: RunningEmulator;
let gh: FakeGitHub;
let flow: Flow;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  // maya and maya-park are owners too: without the exclusions their approval would count.
  gh.world.addTeam('acme/owners', ['olivia-gh', 'ben-gh', 'maya', 'maya-park']);
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
});
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.resetRequests();
  gh.clearRequests();
  flow = await Flow.create(gh, emulator);
  flow.repo.permissions.set('maya-park', 'write');
});
afterEach(() => flow.close());

/** FreshBooks writes the emulator saw since the last reset. */
const writes = () => emulator.control.requests().log.filter((e) => e.applied !== undefined);

/** The base policy with Frank (an employee) promoted to manager. */
function promoteFrank(): string {
  const employee = '  - email: frank@acme.example\n    role: employee';
  const yaml = baseYaml();
  if (!yaml.includes(employee)) throw new Error('the example policy moved: update promoteFrank');
  return yaml.replace(employee, '  - email: frank@acme.example\n    role: manager');
}

/**
 * A pull request renovate[bot] opened with a harmless change; maya then pushes a commit onto it
 * that promotes Frank to manager (`author`: the commit's author, default maya herself).
 */
async function hijackedPullRequest(author: FakeGitPerson = PEOPLE.maya): Promise<PullRequest> {
  const pr = await flow.openPullRequest({
    by: PEOPLE.renovate,
    files: { 'renovate.json': '{ "extends": ["config:recommended"] }\n' },
    plan: false,
  });
  return flow.pushCommit(pr, {
    files: { 'policies/acme-books.yaml': promoteFrank() },
    message: 'Promote Frank to manager',
    author,
    pusher: 'maya',
  });
}

async function expectRefused(pr: PullRequest, merge: Merge): Promise<string> {
  emulator.control.resetRequests();
  const result = await flow.apply(merge);
  expect(result.code).toBe(1);
  expect(writes()).toEqual([]);
  const [comment, ...more] = flow.comments(pr, 'apply');
  expect(more).toHaveLength(0);
  expect(comment?.body).toContain('**Nothing was written to FreshBooks**');
  return result.out;
}

describe('whoever made the change cannot approve it (issue 13, item 3)', () => {
  it('refuses when maya pushes a grant onto a pull request renovate[bot] opened and approves it herself', async () => {
    const pr = await hijackedPullRequest();
    flow.approve(pr, 'maya');
    flow.approve(pr, 'ben-gh');
    const merge = await flow.merge(pr);
    const out = await expectRefused(pr, merge);
    expect(out).toContain('@maya (pushed the head commit)');
    expect(out).toContain(
      'approvals.roles.manager: 1 of 2 required approvals from team acme/owners (for change frank@acme.example) (@ben-gh)',
    );
    expect(emulator.control.member(ACME, 'frank@acme.example')?.business_role_name).toBe(
      'business_employee',
    );
  });

  it('refuses an author-spoofed commit (author ben-gh) that maya pushed: the pusher made the change', async () => {
    const pr = await hijackedPullRequest(PEOPLE.ben);
    flow.approve(pr, 'maya');
    flow.approve(pr, 'olivia-gh');
    const merge = await flow.merge(pr);
    const out = await expectRefused(pr, merge);
    expect(out).toContain('@maya (pushed the head commit)');
    expect(out).toContain('1 of 2 required approvals from team acme/owners');
  });

  it('still refuses the commit’s author when GitHub does not tell who pushed (activity 403)', async () => {
    const pr = await hijackedPullRequest();
    flow.approve(pr, 'maya');
    flow.approve(pr, 'ben-gh');
    const merge = await flow.merge(pr);
    gh.clearRequests();
    gh.failNext('GET', /\/activity$/, 403);
    const out = await expectRefused(pr, merge);
    // The one look at the activity was refused: the gate went on without the pushers.
    expect(gh.calls('GET', /\/activity$/).map((r) => r.status)).toEqual([403]);
    expect(out).toContain(`@maya (authored commit ${pr.head.slice(0, 7)} of this pull request)`);
  });

  it('refuses an approval by someone who pushed an earlier commit of the pull request', async () => {
    const pr = await hijackedPullRequest();
    const pushed = pr.head;
    await flow.pushCommit(pr, {
      files: { 'docs/frank.md': 'Frank runs operations now.\n' },
      message: 'Note the promotion',
      author: PEOPLE.dev,
      pusher: 'dev',
    });
    flow.approve(pr, 'maya');
    flow.approve(pr, 'ben-gh');
    const merge = await flow.merge(pr);
    const out = await expectRefused(pr, merge);
    expect(out).toContain(`@maya (pushed commits to this pull request (${pushed.slice(0, 7)}))`);
  });

  it('applies the same change when two owners who did not make it approve (positive control)', async () => {
    const pr = await hijackedPullRequest();
    flow.approve(pr, 'maya');
    flow.approve(pr, 'ben-gh');
    flow.approve(pr, 'olivia-gh');
    const merge = await flow.merge(pr);
    emulator.control.resetRequests();
    const result = await flow.apply(merge);
    expect(result.err).not.toMatch(/rolecall: /);
    expect(result.code).toBe(0);
    expect(emulator.control.member(ACME, 'frank@acme.example')?.business_role_name).toBe(
      'business_manager',
    );
    expect(writes().length).toBeGreaterThan(0);
  });
});

describe('a grantee cannot approve their own grant, however the policy names them (issue 13, item 5)', () => {
  /** The base policy plus a manager grant to Maya's sub-addressed mailbox. */
  function grantSubAddress(): string {
    const anchor = '  # Accountants (the bookkeeping team is above)';
    const yaml = baseYaml();
    if (!yaml.includes(anchor)) throw new Error('the example policy moved: update grantSubAddress');
    return yaml.replace(
      anchor,
      `  - email: maya+fb@acme.example\n    role: manager\n    reason: Operations (FreshBooks login)\n\n${anchor}`,
    );
  }

  it('refuses maya’s approval of a grant to maya+fb@acme.example', async () => {
    const pr = await flow.openPullRequest({
      files: { 'policies/acme-books.yaml': grantSubAddress() },
    });
    flow.approve(pr, 'maya');
    flow.approve(pr, 'ben-gh');
    const merge = await flow.merge(pr);
    const out = await expectRefused(pr, merge);
    expect(out).toContain(
      '@maya (this pull request changes their own access (maya+fb@acme.example))',
    );
    expect(out).toContain(
      'approvals.roles.manager: 1 of 2 required approvals from team acme/owners (for grant maya+fb@acme.example) (@ben-gh)',
    );
    expect(emulator.control.member(ACME, 'maya+fb@acme.example')).toBeNull();
  });

  it('refuses maya-park’s approval when the policy’s identities: say maya-park is maya@acme.example', async () => {
    const identities = '\nidentities:\n  - github: maya-park\n    emails: [maya@acme.example]\n';
    const pr = await flow.openPullRequest({
      files: { 'policies/acme-books.yaml': `${headYaml(APPROVALS)}${identities}` },
    });
    flow.approve(pr, 'maya-park');
    flow.approve(pr, 'ben-gh');
    const merge = await flow.merge(pr);
    const out = await expectRefused(pr, merge);
    expect(out).toContain(
      '@maya-park (this pull request changes their own access (maya@acme.example))',
    );
    expect(emulator.control.member(ACME, 'maya@acme.example')?.business_role_name).toBe(
      'business_employee',
    );
  });

  it('applies the sub-addressed grant when two independent owners approve (positive control)', async () => {
    const pr = await flow.openPullRequest({
      files: { 'policies/acme-books.yaml': grantSubAddress() },
    });
    flow.approve(pr, 'maya');
    flow.approve(pr, 'ben-gh');
    flow.approve(pr, 'olivia-gh');
    const merge = await flow.merge(pr);
    emulator.control.resetRequests();
    const result = await flow.apply(merge);
    expect(result.err).not.toMatch(/rolecall: /);
    expect(result.code).toBe(0);
    expect(emulator.control.member(ACME, 'maya+fb@acme.example')?.business_role_name).toBe(
      'business_manager',
    );
  });
});
