/**
 * `rolecall drift --github` as `drift.yml` runs it, day after day: the real emulator behind,
 * the fake GitHub server in front (issues, labels, and the repository secret that holds the
 * rotating FreshBooks refresh token). One issue per business, never a duplicate.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { DRIFT_LABEL, firstSeenOf } from '../../../src/github/drift-issue.js';
import { clearRegisteredSecrets } from '../../../src/redact.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import {
  ACME,
  EMULATOR_NOW,
  cleanSeed,
  drift,
  memberOf,
  workspace,
  type DriftRun,
  type Workspace,
} from './drift-harness.js';

const HOLDINGS = 240341;
const SECRET = 'FRESHBOOKS_REFRESH_TOKEN';
/**
 * The step of drift.yml, word for word (with $BUSINESS expanded). Octokit spaces writes a
 * second apart (its throttling, on in production): the tests that are not about the token
 * store keep the file store, one write fewer per run.
 */
const WORKFLOW_ARGS = (business: number) => [
  '--github',
  '--business',
  String(business),
  '--token-store',
  `github-secret:${SECRET}`,
];

let emulator: RunningEmulator;
let gh: FakeGitHub;
let repo: FakeRepo;
let ws: Workspace;
let summaryPath: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, now: () => EMULATOR_NOW });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
});
afterAll(async () => {
  await gh.close();
  await emulator.close();
});
beforeEach(async () => {
  emulator.control.loadState(cleanSeed());
  repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2)}`);
  ws = await workspace(emulator);
  summaryPath = join(ws.cwd, 'step-summary.md');
  await writeFile(summaryPath, '');
  gh.clearRequests();
});
afterEach(async () => {
  clearRegisteredSecrets();
  await ws.close();
});

/**
 * One scheduled run on `day`: the job's environment as drift.yml sets it. The refresh token
 * comes from the repository secret, as the previous run rotated it.
 */
async function scheduledRun(
  day: string,
  args: string[] = WORKFLOW_ARGS(ACME),
  extraEnv: Record<string, string> = {},
): Promise<DriftRun> {
  const env = {
    ...gh.env(TOKENS.actions),
    ...extraEnv,
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: repo.fullName,
    GITHUB_STEP_SUMMARY: summaryPath,
    ROLECALL_SECRETS_TOKEN: TOKENS.secrets,
    FRESHBOOKS_REFRESH_TOKEN: repo.secretValue(SECRET) ?? emulator.credentials.refreshToken,
  };
  return drift(ws, day, args, env);
}

/** Requests that touched issues or labels (the secret rotation is not one of them). */
function issueWrites() {
  return gh.writes().filter((r) => !r.path.includes('/actions/secrets/'));
}

const member = (email: string) => memberOf(emulator, email);
const day = (n: number) => `2026-11-${String(19 + n).padStart(2, '0')}T06:17:00Z`;

describe('the drift issue, as drift.yml keeps it', () => {
  it('with octokit’s retry and throttling on (as in a workflow), a secondary rate limit on creating the issue is waited out', async () => {
    emulator.control.addMember(ACME, { email: 'mallory@acme.example', role: 'admin' });
    const issues = /\/issues$/;
    gh.rateLimitNext('POST', issues, { kind: 'secondary', status: 429, retryAfter: 1 });
    // Anything but `off` leaves octokit's retry and throttling on.
    const run = await scheduledRun(day(1), WORKFLOW_ARGS(ACME), { ROLECALL_GITHUB_RETRY: 'on' });
    expect(run.code, run.err).toBe(0);
    expect(gh.calls('POST', issues).map((r) => r.status)).toEqual([429, 201]);
    expect(repo.issues.size).toBe(1);
  });

  it('create → no-op → update → close (completed) → nothing → reopen: one issue, first-seen dates kept', async () => {
    const control = emulator.control;
    // Day 1: someone grants an admin by hand.
    const mallory = control.addMember(ACME, { email: 'mallory@acme.example', role: 'admin' });
    const first = await scheduledRun(day(1));
    expect(first.code).toBe(0); // drift.yml does not fail the job on drift: the issue is the signal
    expect(first.err).toMatch(/drift issue of business 240340: created #\d+ /);
    const created = issueWrites().filter((r) => r.method === 'POST' && r.path.endsWith('/issues'));
    expect(created).toHaveLength(1);
    expect(repo.issues.size).toBe(1);
    const issue = [...repo.issues.values()][0];
    if (!issue) throw new Error('no issue');
    expect(issue.labels).toEqual([DRIFT_LABEL]);
    expect(issue.title).toBe('rolecall: FreshBooks drift in Acme Books Inc.');
    expect(issue.body).toContain('### Unmanaged access (1)');
    expect(issue.body).toMatch(/\| \*\*high\*\* \| `mallory@acme\.example` .* \| 2026-11-20 \|\n/);
    expect(issue.body).toContain('<!-- rolecall:drift:240340 ');
    // The job summary has the same report; the refresh token rotated into the secret.
    expect(await readFile(summaryPath, 'utf8')).toContain('### Unmanaged access (1)');
    expect(repo.secretValue(SECRET)).not.toBe(emulator.credentials.refreshToken);

    // Day 2: the same drift. Not a single write to the issue.
    gh.clearRequests();
    const second = await scheduledRun(day(2));
    expect(second.err).toContain('drift issue of business 240340: unchanged (no request)');
    expect(issueWrites()).toEqual([]);

    // Day 3: a role changed by hand too. The body is updated; mallory is still from day 1.
    control.updateMember(ACME, member('carol@acme.example').uuid, { role: 'employee' });
    gh.clearRequests();
    const third = await scheduledRun(day(3));
    expect(third.err).toContain('drift issue of business 240340: updated');
    const patches = issueWrites();
    expect(patches.map((r) => r.method)).toEqual(['PATCH']);
    expect(patches[0]?.body).not.toHaveProperty('state');
    expect(firstSeenOf(issue.body ?? '')).toEqual([
      { key: '240340:unmanaged:mallory@acme.example', firstSeen: '2026-11-20T06:17:00.000Z' },
      { key: '240340:role-mismatch:carol@acme.example', firstSeen: '2026-11-22T06:17:00.000Z' },
    ]);
    expect(issue.body).toMatch(/`carol@acme\.example` .* \| 2026-11-22 \|\n/);
    expect(issue.body).toMatch(/`mallory@acme\.example` .* \| 2026-11-20 \|\n/);

    // Day 4: both fixed by hand. Closed as completed.
    control.updateMember(ACME, mallory.uuid, { state: 'deactivated' });
    control.updateMember(ACME, member('carol@acme.example').uuid, { role: 'manager' });
    gh.clearRequests();
    const fourth = await scheduledRun(day(4));
    expect(fourth.err).toContain('closed (drift cleared)');
    expect(issue).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(issueWrites()[0]?.body).toMatchObject({ state: 'closed', state_reason: 'completed' });
    expect(issue.body).toContain('No drift: FreshBooks matches the policy');

    // Day 5: still clean. No request to the closed issue.
    gh.clearRequests();
    await scheduledRun(day(5));
    expect(issueWrites()).toEqual([]);

    // Day 6: mallory is back. The same issue reopens; her drift is new drift.
    control.updateMember(ACME, mallory.uuid, { state: 'active' });
    gh.clearRequests();
    const sixth = await scheduledRun(day(6), [...WORKFLOW_ARGS(ACME), '--detailed-exitcode']);
    expect(sixth.code).toBe(2);
    expect(sixth.err).toContain('reopened (drift returned)');
    expect(issue.state).toBe('open');
    expect(repo.issues.size).toBe(1);
    expect(issueWrites().filter((r) => r.method === 'POST')).toEqual([]);
    expect(firstSeenOf(issue.body ?? '')).toEqual([
      { key: '240340:unmanaged:mallory@acme.example', firstSeen: '2026-11-25T06:17:00.000Z' },
    ]);
  });

  it('expiring-soon reminders live in the same issue and never open it on their own', async () => {
    const reminderDay = (d: number) => `2027-03-${String(d).padStart(2, '0')}T06:17:00Z`;
    const mallory = emulator.control.addMember(ACME, {
      email: 'mallory@acme.example',
      role: 'admin',
    });
    // Drift and a reminder: the issue lists both.
    const args = ['--github', '--business', String(ACME)];
    await scheduledRun(reminderDay(26), args);
    const issue = [...repo.issues.values()][0];
    if (!issue) throw new Error('no issue');
    expect(issue.body).toContain('### Expiring soon — reminders (1)');
    expect(issue.body).toMatch(/`bob@contractors\.example` .* \| 2027-03-26 \|\n/);

    // The drift is fixed; the issue closes, still showing the reminder.
    emulator.control.updateMember(ACME, mallory.uuid, { state: 'deactivated' });
    await scheduledRun(reminderDay(27), args);
    expect(issue.state).toBe('closed');
    expect(issue.body).toContain('### Expiring soon — reminders (1)');

    // Reminders alone: no issue, no comment, no reopening.
    gh.clearRequests();
    const quiet = await scheduledRun(reminderDay(28), args);
    expect(quiet.err).toContain('no drift, no open issue');
    expect(issueWrites()).toEqual([]);
    expect(gh.calls('POST', /\/comments$/)).toEqual([]);

    // Drift returns: reopened; the reminder kept the date it was first seen.
    emulator.control.updateMember(ACME, mallory.uuid, { state: 'active' });
    await scheduledRun(reminderDay(29), args);
    expect(issue.state).toBe('open');
    expect(repo.issues.size).toBe(1);
    expect(firstSeenOf(issue.body ?? '')).toEqual([
      { key: '240340:unmanaged:mallory@acme.example', firstSeen: '2027-03-29T06:17:00.000Z' },
      {
        key: '240340:expiring-soon:bob@contractors.example',
        firstSeen: '2027-03-26T06:17:00.000Z',
      },
    ]);
  });

  it('one issue per business; a GitHub failure on one does not stop the other (exit 1)', async () => {
    await writeFile(
      join(ws.cwd, 'policies', 'holdings.yaml'),
      [
        'business: 240341',
        'name: Acme Holdings LLC',
        'mode: authoritative',
        'members:',
        '  - email: alice@acme.example',
        '    role: admin',
        '    reason: Finance lead',
        '  - email: tom@acme.example',
        '    role: employee',
        '    reason: Bookkeeping',
        '',
      ].join('\n'),
    );
    emulator.control.addMember(ACME, { email: 'mallory@acme.example', role: 'admin' });
    emulator.control.addMember(HOLDINGS, { email: 'mallory@acme.example', role: 'manager' });
    // Acme's issue cannot be created this time (403, not retried); Holdings' can.
    gh.failNext('POST', new RegExp(`/repos/${repo.fullName}/issues$`), 403);
    const run = await scheduledRun(day(1), ['--github']);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/rolecall: drift issue of business 240340: .*403/);
    expect(run.err).toMatch(/drift issue of business 240341: created/);
    // The report still printed, for both.
    expect(run.out).toContain('Acme Books Inc. (240340)');
    expect(run.out).toContain('Acme Holdings LLC (240341)');
    expect(repo.issues.size).toBe(1);

    // The next run (the matrix leg of one business) creates Acme's; Holdings' is untouched.
    gh.clearRequests();
    const again = await scheduledRun(day(2), ['--github', '--business', String(ACME)]);
    expect(again.code).toBe(0);
    expect(repo.issues.size).toBe(2);
    const titles = [...repo.issues.values()].map((i) => i.title).sort();
    expect(titles).toEqual([
      'rolecall: FreshBooks drift in Acme Books Inc.',
      'rolecall: FreshBooks drift in Acme Holdings LLC',
    ]);
    expect(issueWrites().filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('without a GitHub token: exit 1 before FreshBooks is read', async () => {
    emulator.control.resetRequests();
    const run = await drift(ws, day(1), ['--github'], { GITHUB_REPOSITORY: repo.fullName });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^rolecall: GITHUB_TOKEN is not set/);
    expect(run.out).toBe('');
    expect(emulator.control.requests().total).toBe(0);
  });
});
