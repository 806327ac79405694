/**
 * doctor.yml's issue, run after run: ONE issue (label rolecall-doctor, hidden marker) open while
 * anything is unsafe — created, left alone while nothing changes, closed when fixed, the same
 * issue reopened when something breaks again. A "?" alone never opens it. The report also goes
 * to the job summary.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOCTOR_ISSUE_TITLE, DOCTOR_LABEL } from '../../../src/flows/doctor/doctor-issue.js';
import type { FakeRepo } from '../../support/fake-github/index.js';
import { workflowCommand } from '../plan/plan-harness.js';
import {
  accessRepository,
  startHarness,
  type AccessRepository,
  type Harness,
} from './doctor-harness.js';

let h: Harness;
let ws: AccessRepository;
let summary: string;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  ws = await accessRepository(h);
  summary = join(ws.cwd, 'step-summary.md');
  await writeFile(summary, '');
  ws.env['GITHUB_STEP_SUMMARY'] = summary;
  ws.env['GITHUB_ACTIONS'] = 'true';
  h.gh.clearRequests();
});
afterEach(() => ws.close());

function reviews(repo: FakeRepo) {
  const found = repo.settings.protection.get('main')?.pullRequest;
  if (!found) throw new Error('no pull request required');
  return found;
}

/** Issue routes written (label, create, update), not the token store's secret writes. */
function issueWrites(): string[] {
  return h.gh
    .writes()
    .filter((r) => r.route?.includes('/issues') || r.route?.includes('/labels'))
    .map((r) => `${r.method} ${r.path}`);
}

async function runOn(day: string) {
  h.gh.clearRequests();
  return ws.run(undefined, { ROLECALL_NOW: `${day}T07:41:00.000Z` });
}

describe('the doctor issue', () => {
  it('is created, kept, closed and reopened — never a second one', async () => {
    reviews(ws.repo).dismissStale = false;
    const first = await runOn('2026-12-07');
    expect(first.code).toBe(1);
    expect(first.err).toMatch(
      /^doctor issue: created #1 https:\/\/github\.com\/acme\/access-\w+\/issues\/1\n$/,
    );
    expect(issueWrites()).toEqual([
      `POST /repos/${ws.repo.fullName}/labels`,
      `POST /repos/${ws.repo.fullName}/issues`,
    ]);
    const issue = ws.repo.issue(1);
    expect(issue.title).toBe(DOCTOR_ISSUE_TITLE);
    expect(issue.labels).toEqual([DOCTOR_LABEL]);
    expect(issue.user.login).toBe('github-actions[bot]');
    expect(issue.body).toContain('**1 unsafe:**');
    expect(issue.body).toContain('#### ✗ `branch.dismiss-stale` (since 2026-12-07)');
    expect(issue.body).toContain(
      '- **Fix:** Settings → Branches → the branch protection rule of `main` → "Require a pull request before merging" → "Dismiss stale pull request approvals when new commits are pushed"',
    );
    expect(issue.body).toContain('<!-- rolecall:doctor:repository ');
    expect(await readFile(summary, 'utf8')).toContain(
      '#### ✗ `branch.dismiss-stale` (since 2026-12-07)',
    );

    // A week later, the same: no request at all.
    const second = await runOn('2026-12-14');
    expect(second.err).toContain('doctor issue: unchanged (no request) #1');
    expect(issueWrites()).toEqual([]);

    // Fixed: closed as completed.
    reviews(ws.repo).dismissStale = true;
    const third = await runOn('2026-12-21');
    expect(third.code).toBe(0);
    expect(third.err).toContain('doctor issue: closed (nothing unsafe) #1');
    expect(ws.repo.issue(1)).toMatchObject({ state: 'closed', stateReason: 'completed' });
    expect(ws.repo.issue(1).body).toContain('Nothing unsafe.');

    // Broken again (another setting): the same issue, reopened; the date is the new one.
    reviews(ws.repo).codeOwners = false;
    const fourth = await runOn('2026-12-28');
    expect(fourth.err).toContain('doctor issue: reopened (unsafe again) #1');
    expect(ws.repo.issue(1).state).toBe('open');
    expect(ws.repo.issue(1).body).toContain('#### ✗ `branch.code-owners` (since 2026-12-28)');
    expect([...ws.repo.issues.keys()]).toEqual([1]);
  });

  it("doctor.yml's step, word for word: the report on stdout, the issue kept, exit 1 while unsafe", async () => {
    const [command, ...args] = workflowCommand('doctor.yml', 'doctor', 'doctor');
    expect(command).toBe('doctor');
    expect(args).toEqual([
      '--github',
      '--token-store',
      'github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production',
    ]);
    ws.repo.settings.protection.get('main')!.allowForcePushes = true;
    const run = await ws.run(args);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /^✗ branch\.force-push +the branch protection of main allows force pushes$/m,
    );
    expect(run.out).toContain(
      '    fix: Settings → Branches → the branch protection rule of `main` → "Allow force pushes" off\n',
    );
    expect(run.err).toContain('doctor issue: created #1');
    // The rotated refresh token went back into the environment's secret, as every job does it.
    expect(ws.repo.secretValue('FRESHBOOKS_REFRESH_TOKEN', 'freshbooks-production')).not.toBe(
      h.emulator.credentials.refreshToken,
    );
  });

  it('what could not be verified is listed, but never opens the issue', async () => {
    const run = await ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: undefined });
    expect(run.code).toBe(0);
    expect(run.err).toBe('doctor issue: nothing unsafe, no open issue\n');
    expect(ws.repo.issues.size).toBe(0);
    const markdown = await readFile(summary, 'utf8');
    expect(markdown).toContain('### Not verified');
    expect(markdown).toContain('#### ? `branch.bypass`');
  });

  it('a GitHub refusal to write the issue fails the run, after the report', async () => {
    reviews(ws.repo).lastPush = false;
    h.gh.failNext('POST', /\/issues$/, 403);
    const run = await ws.run();
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      'rolecall: doctor issue: cannot update the doctor issue: GitHub answered 403',
    );
    expect(run.checks.find((c) => c.id === 'branch.last-push')?.status).toBe('fail');
  });
});
