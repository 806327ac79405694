/**
 * `rolecall apply --github` end to end (issue 7), the paths that apply: plan on the pull
 * request, reviews, merge, then apply at the merge commit behind the approval gate — through
 * the CLI, with the emulator, the fake GitHub and a real git checkout (see harness.ts).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { addStandardTokens } from '../../support/fake-github/client.js';
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js';
import { ACME, Flow, SECRET, type PullRequest } from './harness.js';

let emulator: RunningEmulator;
let gh: FakeGitHub;
let flow: Flow;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  gh.world.addTeam('acme/owners', ['olivia-gh', 'ben-gh']);
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
});
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.configure({ disabledWrites: [] });
  emulator.control.resetRequests();
  gh.clearRequests();
  flow = await Flow.create(gh, emulator);
});
afterEach(() => flow.close());

/** FreshBooks writes the emulator saw since the last reset. */
const writes = () => emulator.control.requests().log.filter((e) => e.applied !== undefined);

/** Both acme/owners approve the head: every rule of the policy is met. */
function approveFully(pr: PullRequest): void {
  flow.approve(pr, 'ben-gh');
  flow.approve(pr, 'olivia-gh');
}

describe('apply --github applies an approved pull request', () => {
  it('with octokit’s retry and throttling on (as in a workflow), waits out a secondary rate limit and applies', async () => {
    const pr = await flow.openPullRequest({ plan: 'cli' });
    approveFully(pr);
    const merge = await flow.merge(pr);
    const reviews = new RegExp(`/pulls/${pr.number}/reviews$`);
    gh.rateLimitNext('GET', reviews, { kind: 'secondary', status: 429, retryAfter: 1 });
    // Anything but `off` leaves octokit's retry and throttling on.
    const result = await flow.apply(merge, [], { ROLECALL_GITHUB_RETRY: 'on' });
    expect(result.code, result.err).toBe(0);
    expect(
      gh
        .calls('GET', reviews)
        .map((r) => r.status)
        .slice(0, 2),
    ).toEqual([429, 200]);
    expect(emulator.control.member(ACME, 'maya@acme.example')?.business_role_name).toBe(
      'business_manager',
    );
  });

  it('applies the plan approved on the pull request, comments the outcome, keeps the audit log; a second run is a no-op', async () => {
    // apply.yml's exact command line: the refresh token in a repository secret.
    await flow.close();
    flow = await Flow.create(gh, emulator, { tokenStore: 'secret' });
    const pr = await flow.openPullRequest({ plan: 'cli' });
    expect(flow.comments(pr, 'plan')).toHaveLength(1);
    approveFully(pr);
    const merge = await flow.merge(pr);
    emulator.control.resetRequests();

    const result = await flow.apply(merge);
    expect(result.err).not.toMatch(/rolecall: /);
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      'Apply complete: 6 applied, 0 already in place, 0 manual, 0 failed.',
    );
    expect(emulator.control.member(ACME, 'maya@acme.example')?.business_role_name).toBe(
      'business_manager',
    );
    expect(emulator.control.member(ACME, 'zoe@acme.example')?.active).toBe(false);
    expect(writes().length).toBeGreaterThanOrEqual(6);
    // The rotated FreshBooks refresh token went back into the environment's secret.
    expect(
      gh.calls('PUT', /\/environments\/freshbooks-production\/secrets\/FRESHBOOKS_REFRESH_TOKEN$/)
        .length,
    ).toBeGreaterThan(0);
    expect(flow.repo.secretValue(SECRET, 'freshbooks-production')).not.toBe(
      emulator.credentials.refreshToken,
    );

    const [comment, ...more] = flow.comments(pr, 'apply');
    expect(more).toHaveLength(0);
    expect(comment?.user.login).toBe('github-actions[bot]');
    expect(comment?.body).toContain('### rolecall apply — done');
    expect(comment?.body).toMatch(
      /\| ✅ applied \| 240340 \| maya@acme\.example \| change \| employee \| manager \|/,
    );
    expect(comment?.body).toContain(
      `Applied from merge \`${merge.sha.slice(0, 12)}\` of #${pr.number}.`,
    );
    expect(comment?.body).toContain('audit log: artifact `rolecall-audit-9001-1`');
    // Reviewers are named as code, so that editing the comment does not notify them again.
    expect(comment?.body).toContain('`@ben-gh`');
    expect(await readFile(flow.summaryPath, 'utf8')).toContain('### rolecall apply — done');

    const audit = await flow.audit();
    const operations = audit.filter((r) => r.type === 'operation');
    expect(operations.map((r) => r.email).sort()).toEqual([
      'eli@acme.example',
      'grace@acme.example',
      'jules@acme.example',
      'maya@acme.example',
      'sam@oldfirm.example',
      'zoe@acme.example',
    ]);
    expect(operations.every((r) => r.actor === 'github:dev' && r.outcome === 'applied')).toBe(true);
    expect(audit.at(-1)).toMatchObject({ type: 'summary', result: 'applied', exitCode: 0 });
    expect((audit.at(-1) as { approval: string }).approval).toMatch(
      /approved on #\d+ by @ben-gh, @olivia-gh/,
    );

    // The same push again (a re-run): nothing read or written anywhere, the comment as it was.
    const body = comment?.body;
    emulator.control.resetRequests();
    gh.clearRequests();
    const again = await flow.apply(merge);
    expect(again.code).toBe(0);
    expect(again.out).toContain(
      `Already applied: merge ${merge.sha.slice(0, 12)} of #${pr.number}`,
    );
    expect(emulator.control.requests().total).toBe(0);
    expect(gh.writes()).toEqual([]);
    expect(flow.comments(pr, 'apply').map((c) => c.body)).toEqual([body]);
  });

  it('applies nothing and says so when the approved changes are already in place', async () => {
    const pr = await flow.openPullRequest();
    approveFully(pr);
    // Someone applies the same policy from a laptop before the merge.
    const local = await flow.run(
      ['plan', '--out', 'local-plan.json', ...flow.storeArgs()],
      'push',
      {},
      pr.head,
    );
    expect(local.code).toBe(0);
    const applied = await flow.run(
      ['apply', 'local-plan.json', '--yes', ...flow.storeArgs()],
      'push',
      {},
      pr.head,
    );
    expect(applied.code).toBe(0);
    const merge = await flow.merge(pr);
    emulator.control.resetRequests();

    const result = await flow.apply(merge);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Nothing to apply.');
    expect(writes()).toEqual([]);
    const [comment] = flow.comments(pr, 'apply');
    expect(comment?.body).toContain('### rolecall apply — nothing to do');
    expect(comment?.body).toContain('The 6 approved changes are already in place in FreshBooks');
  });

  it('applies nothing, contacts nobody and adds no comment when the plan covered no business', async () => {
    const pr = await flow.openPullRequest({
      files: { 'policies/README.md': 'Who has access to what, as code.\n' },
    });
    approveFully(pr);
    const merge = await flow.merge(pr);
    emulator.control.resetRequests();

    const result = await flow.apply(merge);
    expect(result.code).toBe(0);
    expect(result.out).toContain('covered no business');
    expect(emulator.control.requests().total).toBe(0);
    expect(flow.comments(pr, 'apply')).toEqual([]);
  });

  it('finishes a partly applied approval on a re-run, and nothing else', async () => {
    const pr = await flow.openPullRequest();
    approveFully(pr);
    const merge = await flow.merge(pr);
    emulator.control.configure({ disabledWrites: ['remove'] });

    const first = await flow.apply(merge);
    expect(first.code).toBe(3);
    const partial = flow.comments(pr, 'apply')[0]?.body ?? '';
    expect(partial).toContain('### rolecall apply — partly done');
    expect(partial).toContain('zoe@acme.example');
    expect(partial).toMatch(/- \[ \] /); // the manual-task checklist
    expect(emulator.control.member(ACME, 'zoe@acme.example')?.active).toBe(true);

    // The route is back; the workflow is re-run for the same push.
    emulator.control.configure({ disabledWrites: [] });
    emulator.control.resetRequests();
    const second = await flow.apply(merge);
    expect(second.err).not.toMatch(/rolecall: /);
    expect(second.code).toBe(0);
    expect(writes().map((w) => w.method)).toEqual(['DELETE', 'DELETE']);
    expect(emulator.control.member(ACME, 'zoe@acme.example')?.active).toBe(false);
    // A pending invitation is withdrawn: the member is gone.
    expect(emulator.control.member(ACME, 'sam@oldfirm.example')).toBeNull();
    const comments = flow.comments(pr, 'apply');
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('### rolecall apply — done');
    expect(comments[0]?.body).toContain('finishing an earlier run of this approval');
  });
});
