import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { addStandardTokens, fakeClient, TOKENS } from '../../support/fake-github/client.js';
import { DRIFT_LABEL, firstSeenOf, upsertDriftIssue } from '../../../src/github/drift-issue.js';
import {
  CLEANUP_LABEL,
  findOpenCleanupPullRequest,
  openPullRequest,
  upsertCleanupPullRequest,
} from '../../../src/github/pull-requests.js';
import { createReviewIssue, readReviewIssue } from '../../../src/flows/github/review-issue.js';
import { githubContext } from '../../../src/github/context.js';
import { hiddenRecord } from '../../../src/github/hidden-record.js';
import type { GitHubClient } from '../../../src/github/client.js';
import { renderReviewIssueBody, type ReviewRow } from '../../../src/review/index.js';
import type { PolicyRole } from '../../../src/roles.js';

let gh: FakeGitHub;
let octokit: GitHubClient;
let repo: FakeRepo;

beforeAll(async () => {
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  octokit = fakeClient(gh, TOKENS.actions);
});
afterAll(() => gh.close());
beforeEach(() => {
  repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2)}`);
  gh.clearRequests();
});

interface Item {
  key: string;
  summary: string;
  reminder?: boolean;
}
const day = (d: number) => new Date(Date.UTC(2026, 4, d, 6, 0, 0));
const zoe: Item = {
  key: '240340:unmanaged:zoe@acme.example',
  summary: 'zoe@acme.example has employee access, not in the policy',
};
const grace: Item = {
  key: '240340:role:grace@acme.example',
  summary: 'grace@acme.example is manager, policy says employee',
};
const bob: Item = {
  key: '240340:expiring:bob@contractors.example',
  summary: 'bob expires in 5 days',
  reminder: true,
};

describe('the drift issue', () => {
  const run = (items: Item[], now: Date) =>
    upsertDriftIssue(octokit, {
      // A whole context, as the CLI will pass it: only owner/repo may reach the API.
      repo: githubContext({ GITHUB_REPOSITORY: repo.fullName, GITHUB_RUN_ID: '7' }),
      businessId: 240340,
      businessName: 'Acme Books Inc.',
      items,
      now,
      isDrift: (i) => !i.reminder,
      author: 'github-actions[bot]',
    });

  it('create → no-op → update → close → reopen, one issue throughout, first-seen dates kept', async () => {
    // Noise the search must skip: a pull request and an issue with the label but no marker, and
    // an issue with the marker of another business.
    repo.addPullRequest({
      author: 'dev',
      headSha: 'a'.repeat(40),
      labels: [DRIFT_LABEL],
      body: hiddenRecord('drift', '240340', { v: 1, items: [] }),
    });
    repo.addIssue({
      author: 'dev',
      title: 'rolecall: FreshBooks drift in Acme Books Inc.',
      labels: [DRIFT_LABEL],
    });
    repo.addIssue({
      author: 'github-actions[bot]',
      labels: [DRIFT_LABEL],
      body: hiddenRecord('drift', '240341', { v: 1, items: [] }),
    });
    const before = repo.issues.size;

    const created = await run([zoe], day(1));
    expect(created.action).toBe('created');
    expect(repo.issues.size).toBe(before + 1);
    const issue = repo.issue(created.number ?? 0);
    expect(issue.labels).toEqual([DRIFT_LABEL]);
    expect(issue.title).toBe('rolecall: FreshBooks drift in Acme Books Inc.');
    // The label already existed (the noise carries it): read, not created again.
    expect(gh.calls('POST', /\/labels$/)).toHaveLength(0);
    expect(gh.calls('GET', /\/labels\/rolecall-drift$/)).toHaveLength(1);

    gh.clearRequests();
    expect((await run([zoe], day(2))).action).toBe('unchanged');
    expect(gh.writes()).toHaveLength(0);

    const updated = await run([zoe, grace], day(3));
    expect(updated.action).toBe('updated');
    expect(updated.items.map((i) => [i.key, i.firstSeen.slice(0, 10)])).toEqual([
      [zoe.key, '2026-05-01'],
      [grace.key, '2026-05-03'],
    ]);
    expect(firstSeenOf(issue.body ?? '')).toEqual([
      { key: zoe.key, firstSeen: '2026-05-01T06:00:00.000Z' },
      { key: grace.key, firstSeen: '2026-05-03T06:00:00.000Z' },
    ]);

    const closed = await run([bob], day(4));
    expect(closed.action).toBe('closed');
    expect(issue).toMatchObject({ state: 'closed', stateReason: 'completed' });
    const patch = gh.calls('PATCH').at(-1);
    expect(patch?.body).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(Object.keys(patch?.body as object)).not.toContain('runUrl');

    // Reminders alone never reopen it.
    expect((await run([bob], day(5))).action).toBe('none');

    const reopened = await run([grace, bob], day(6));
    expect(reopened.action).toBe('reopened');
    expect(reopened.number).toBe(created.number);
    expect(issue.state).toBe('open');
    // Drift that returns after being cleared is new drift; the reminder keeps its date.
    expect(reopened.items.map((i) => [i.key, i.firstSeen.slice(0, 10)])).toEqual([
      [grace.key, '2026-05-06'],
      [bob.key, '2026-05-04'],
    ]);
    expect(repo.issues.size).toBe(before + 1);
  });

  it('creates the label when the repository does not have it', async () => {
    const result = await run([zoe], day(1));
    expect(result.action).toBe('created');
    expect(gh.calls('POST', /\/labels$/).map((r) => r.body)).toEqual([
      {
        name: DRIFT_LABEL,
        color: 'd93f0b',
        description: 'FreshBooks access differs from the policy (managed by rolecall)',
      },
    ]);
    expect(gh.calls('POST', /\/issues$/)[0]?.body).toMatchObject({ labels: [DRIFT_LABEL] });
  });

  it('no drift and no issue: nothing is created', async () => {
    expect((await run([], day(1))).action).toBe('none');
    expect(gh.writes()).toHaveLength(0);
  });

  it('an issue opened by someone else with a copied marker is not rolecall’s', async () => {
    repo.addIssue({
      author: 'mallory',
      labels: [DRIFT_LABEL],
      body: hiddenRecord('drift', '240340', { v: 1, businessId: 240340, items: [] }),
    });
    const result = await run([zoe], day(1));
    expect(result.action).toBe('created');
  });

  it('finds its issue on a later page', async () => {
    for (let i = 0; i < 105; i++)
      repo.addIssue({ author: 'dev', labels: [DRIFT_LABEL], title: `noise ${i}` });
    const first = await run([zoe], day(1));
    for (let i = 0; i < 105; i++)
      repo.addIssue({ author: 'dev', labels: [DRIFT_LABEL], title: `more noise ${i}` });
    const second = await run([zoe, grace], day(2));
    expect(second).toMatchObject({ action: 'updated', number: first.number });
  });
});

describe('the clean-up pull request', () => {
  const input = (title: string, body: string) => ({
    repo: { owner: repo.owner, repo: repo.name },
    head: 'rolecall/cleanup-expired',
    base: 'main',
    title,
    body,
    author: 'github-actions[bot]',
  });

  it('is opened once and updated, never duplicated, across runs', async () => {
    const first = await upsertCleanupPullRequest(
      octokit,
      input('Remove 1 expired grant', '- bob@contractors.example'),
    );
    expect(first.action).toBe('created');
    expect(repo.issue(first.number).labels).toEqual([CLEANUP_LABEL]);

    expect(
      await findOpenCleanupPullRequest(
        octokit,
        { owner: repo.owner, repo: repo.name },
        { author: 'github-actions[bot]' },
      ),
    ).toMatchObject({
      number: first.number,
      headRef: 'rolecall/cleanup-expired',
    });

    gh.clearRequests();
    const same = await upsertCleanupPullRequest(
      octokit,
      input('Remove 1 expired grant', '- bob@contractors.example'),
    );
    expect(same).toMatchObject({ action: 'unchanged', number: first.number });
    expect(gh.writes()).toHaveLength(0);

    const second = await upsertCleanupPullRequest(
      octokit,
      input('Remove 2 expired grants', '- bob\n- kim'),
    );
    expect(second).toMatchObject({ action: 'updated', number: first.number });
    expect(gh.writes().map((r) => r.route)).toEqual(['PATCH /repos/:owner/:repo/pulls/:number']);
    expect([...repo.issues.values()].filter((i) => i.pull && i.state === 'open')).toHaveLength(1);

    // Once merged, the next run opens a new one.
    repo.merge(first.number, '9'.repeat(40));
    const third = await upsertCleanupPullRequest(octokit, {
      ...input('Remove 1 expired grant', '- eli'),
      head: 'rolecall/cleanup-expired-2',
    });
    expect(third.action).toBe('created');
    expect(third.number).not.toBe(first.number);
  });

  it('a pull request with the label but without the marker is not the clean-up one', async () => {
    repo.addPullRequest({
      author: 'dev',
      headSha: 'a'.repeat(40),
      labels: [CLEANUP_LABEL],
      body: 'manual cleanup',
    });
    const result = await upsertCleanupPullRequest(octokit, input('Remove expired', 'x'));
    expect(result.action).toBe('created');
  });
});

describe('openPullRequest', () => {
  it('opens, labels, and adopts an already-open pull request for the same branch', async () => {
    const repoRef = { owner: repo.owner, repo: repo.name };
    const opened = await openPullRequest(octokit, {
      repo: repoRef,
      head: 'rolecall/request-eli',
      base: 'main',
      title: 'Grant eli accountant for 8h',
      body: 'who, what, until, why',
      labels: ['rolecall-request'],
    });
    expect(opened).toMatchObject({ created: true, headRef: 'rolecall/request-eli' });
    expect(gh.calls('POST', /\/pulls$/)[0]?.body).toEqual({
      head: 'rolecall/request-eli',
      base: 'main',
      title: 'Grant eli accountant for 8h',
      body: 'who, what, until, why',
    });
    const again = await openPullRequest(octokit, {
      repo: repoRef,
      head: 'rolecall/request-eli',
      base: 'main',
      title: 'Grant eli accountant for 4h',
      body: 'b',
    });
    expect(again).toMatchObject({ created: false, number: opened.number });
    expect(repo.issue(opened.number)).toMatchObject({
      title: 'Grant eli accountant for 4h',
      labels: ['rolecall-request'],
    });
  });
});

function row(email: string, role: PolicyRole, name: string | null = null): ReviewRow {
  return {
    businessId: 240340,
    businessName: 'Acme Books Inc.',
    email,
    name,
    role,
    state: 'active',
    inPolicy: true,
    policyRole: role,
    via: 'member',
    reason: null,
    ticket: null,
    expires: null,
    grantedBy: null,
    grantedByEmail: null,
    grantedAt: null,
    commit: null,
    pullRequest: null,
    daysSinceGranted: null,
    liveSince: null,
    policySource: null,
    flags: [],
    paidSeat: true,
    seatCost: null,
    reviewKey: email,
  };
}

describe('the review issue', () => {
  const rows = [
    row('alice@acme.example', 'admin', 'Alice Ng'),
    row('zoe@acme.example', 'employee'),
    row('bob@contractors.example', 'contractor'),
  ];

  it('is created labelled with its record, and read back after a reviewer unticks', async () => {
    const repoRef = { owner: repo.owner, repo: repo.name };
    const created = await createReviewIssue(octokit, {
      repo: repoRef,
      businessId: 240340,
      title: 'Access review: Acme Books Inc. (due 2026-06-30)',
      body: renderReviewIssueBody(rows, { due: '2026-06-30' }),
    });
    const issue = repo.issue(created.number);
    expect(issue.labels).toEqual(['rolecall-review']);
    expect(issue.body?.startsWith('<!-- rolecall:review:240340 z1.')).toBe(true);
    // A reviewer unticks zoe in the web UI (checked = keep by default).
    issue.body = (issue.body ?? '').replace(/- \[x\] (`zoe@acme\.example`)/, '- [ ] $1');
    expect(issue.body).toContain('- [ ] `zoe@acme.example`');
    const state = await readReviewIssue(octokit, repoRef, created.number, {
      author: 'github-actions[bot]',
    });
    expect(state).toMatchObject({
      businessId: 240340,
      due: '2026-06-30',
      state: 'open',
      members: ['alice@acme.example', 'bob@contractors.example', 'zoe@acme.example'],
      keep: ['alice@acme.example', 'bob@contractors.example'],
      remove: ['zoe@acme.example'],
      missing: [],
      conflicting: [],
    });
  });

  it('reports a deleted line as missing (kept), never as removed', async () => {
    const repoRef = { owner: repo.owner, repo: repo.name };
    const created = await createReviewIssue(octokit, {
      repo: repoRef,
      businessId: 240340,
      title: 'Access review',
      body: renderReviewIssueBody(rows, { due: '2026-06-30' }),
    });
    const issue = repo.issue(created.number);
    issue.body = (issue.body ?? '')
      .split('\n')
      .filter((l) => !l.includes('`bob@'))
      .join('\n');
    const state = await readReviewIssue(octokit, repoRef, created.number);
    expect(state).toMatchObject({ missing: ['bob@contractors.example'], remove: [] });
  });

  it('refuses an issue that is not a review, or not rolecall’s', async () => {
    const repoRef = { owner: repo.owner, repo: repo.name };
    const plain = repo.addIssue({
      author: 'dev',
      body: '- [ ] alice@acme.example <!-- member:alice@acme.example -->',
    });
    await expect(readReviewIssue(octokit, repoRef, plain)).rejects.toThrow(
      /is not a rolecall access review/,
    );
    const created = await createReviewIssue(octokit, {
      repo: repoRef,
      businessId: 240340,
      title: 'Access review',
      body: renderReviewIssueBody(rows, { due: '2026-06-30' }),
    });
    await expect(
      readReviewIssue(octokit, repoRef, created.number, { author: 'someone-else' }),
    ).rejects.toThrow(/not trusted as a review/);
  });
});
