/**
 * `rolecall apply --github` refuses (issue 7): each unmet approval rule, a plan that changed
 * since approval, rules lowered by the pull request itself, a pull request without a plan, a
 * push that is no pull request's merge, a checkout that is not the pushed commit. Every refusal:
 * exit 1, no write in the emulator's request log, the reason in the job log, on the pull
 * request (one sticky comment) and in the audit log.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { bufferIo } from '../../support/buffer-io.js';
import { addStandardTokens } from '../../support/fake-github/client.js';
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js';
import { readHiddenRecord } from '../../../src/github/hidden-record.js';
import { ACME, APPROVALS, Flow, headYaml, NOW, type Merge, type PullRequest } from './harness.js';

let emulator: RunningEmulator;
let gh: FakeGitHub;

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

/** FreshBooks writes the emulator saw since the last reset. */
const writes = () => emulator.control.requests().log.filter((e) => e.applied !== undefined);

/** Runs apply for `merge` and checks what every refusal shares; returns the output and comment. */
async function expectRefusal(flow: Flow, pr: PullRequest | null, merge: Merge) {
  emulator.control.resetRequests();
  const result = await flow.apply(merge);
  expect(result.code).toBe(1);
  expect(writes()).toEqual([]);
  const audit = await flow.audit();
  expect(audit.filter((r) => r.type === 'operation')).toEqual([]);
  expect(audit.at(-1)).toMatchObject({ type: 'summary', result: 'refused', exitCode: 1 });
  if (pr === null) return { result, body: '' };
  const comments = flow.comments(pr, 'apply');
  expect(comments).toHaveLength(1);
  const body = comments[0]?.body ?? '';
  expect(body).toContain('### rolecall apply — refused');
  expect(body).toContain('**Nothing was written to FreshBooks**');
  return { result, body };
}

/**
 * One planned and merged pull request; each case replaces its reviews and runs the same push
 * again (a re-run of apply.yml). The plan comment stays the one rolecall posted, so only the
 * reviews decide, and the apply comment is edited in place, never duplicated.
 */
describe('each unmet approval rule', () => {
  let flow: Flow;
  let pr: PullRequest;
  let merge: Merge;

  beforeAll(async () => {
    emulator.control.loadState(loadDefaultSeed());
    flow = await Flow.create(gh, emulator);
    pr = await flow.openPullRequest({ plan: 'cli' });
    merge = await flow.merge(pr);
  });
  afterAll(() => flow.close());
  beforeEach(() => flow.clearReviews(pr));

  const cases: Array<{
    rule: string;
    reviews: (pr: PullRequest) => void;
    /** In the job log, exactly. */
    line: (pr: PullRequest) => string;
    /** In the comment (markdown: logins as code). */
    shown: (pr: PullRequest) => string;
  }> = [
    {
      rule: 'no approval',
      reviews: () => undefined,
      line: () => 'approvals.required: 0 of 1 required approval',
      shown: () => '- approvals.required: 0 of 1 required approval',
    },
    {
      rule: 'stale approval (an older commit)',
      reviews: (p) => {
        flow.approve(p, 'ben-gh', p.first);
        flow.approve(p, 'olivia-gh', p.first);
      },
      line: (p) =>
        `@ben-gh (approved an older commit ${p.first.slice(0, 7)}, not the head ${p.head.slice(0, 7)})`,
      shown: (p) =>
        `\`@ben-gh\` (approved an older commit ${p.first.slice(0, 7)}, not the head ${p.head.slice(0, 7)})`,
    },
    {
      rule: 'self-approval by the author',
      reviews: (p) => flow.approve(p, 'dev'),
      line: () => '@dev (is the pull request author)',
      shown: () => '`@dev` (is the pull request author)',
    },
    {
      rule: 'approval by the grantee',
      reviews: (p) => {
        flow.approve(p, 'ben-gh');
        flow.approve(p, 'maya');
      },
      line: () => '@maya (this pull request changes their own access (maya@acme.example))',
      shown: () => '`@maya` (this pull request changes their own access (maya@acme.example))',
    },
    {
      rule: 'approval by a bot',
      reviews: (p) => {
        flow.approve(p, 'ben-gh');
        flow.approve(p, 'renovate[bot]');
      },
      line: () => '@renovate[bot] (is a bot)',
      shown: () => '`@renovate[bot]` (is a bot)',
    },
    {
      rule: 'changes requested after an approval',
      reviews: (p) => {
        flow.approve(p, 'ben-gh');
        flow.approve(p, 'olivia-gh');
        flow.approve(p, 'carol-gh');
        flow.approve(p, 'carol-gh', p.head, 'CHANGES_REQUESTED');
      },
      line: () =>
        'changes requested by @carol-gh: they must approve, or their review must be dismissed',
      shown: () =>
        '- changes requested by `@carol-gh`: they must approve, or their review must be dismissed',
    },
    {
      rule: 'team rule unmet',
      reviews: (p) => {
        flow.approve(p, 'ben-gh');
        flow.approve(p, 'carol-gh');
      },
      line: () =>
        'approvals.roles.manager: 1 of 2 required approvals from team acme/owners (for change maya@acme.example) (@ben-gh); approved but not from team acme/owners: @carol-gh',
      shown: () =>
        '- approvals.roles.manager: 1 of 2 required approvals from team acme/owners (for change maya@acme.example) (`@ben-gh`); approved but not from team acme/owners: `@carol-gh`',
    },
  ];

  it.each(cases)('refuses: $rule', async ({ reviews, line, shown }) => {
    reviews(pr);
    const { result, body } = await expectRefusal(flow, pr, merge);
    expect(result.out).toContain(line(pr));
    expect(body).toContain('The approval gate is closed');
    expect(body).toContain(shown(pr));
    expect(flow.comments(pr, 'plan')).toHaveLength(1);
  });

  it('names only the unmet rule: one owner and one other approver fail the team rule alone', async () => {
    flow.approve(pr, 'ben-gh');
    flow.approve(pr, 'carol-gh');
    const { body } = await expectRefusal(flow, pr, merge);
    const unmet = body.split('\n').filter((l) => l.startsWith('- '));
    expect(unmet).toHaveLength(1);
    expect(unmet[0]).toMatch(/^- approvals\.roles\.manager: 1 of 2 required approvals/);
  });

  it('dates the refusal with ROLECALL_NOW: the audit summary and the comment record', async () => {
    const { body } = await expectRefusal(flow, pr, merge);
    const day = NOW.slice(0, 10);
    const summary = (await flow.audit()).at(-1);
    expect(summary).toMatchObject({ type: 'summary', result: 'refused' });
    if (summary?.type !== 'summary') throw new Error('no summary');
    for (const time of [summary.time, summary.startedAt, summary.finishedAt]) {
      expect(time.slice(0, 10)).toBe(day);
    }
    const record = readHiddenRecord(body, 'apply', 'pr') as { at: string; state: string };
    expect(record.state).toBe('refused');
    expect(record.at.slice(0, 10)).toBe(day);
  });

  it('refuses when the checkout is not the pushed commit, before contacting FreshBooks', async () => {
    flow.approve(pr, 'ben-gh');
    flow.approve(pr, 'olivia-gh');
    await flow.git.checkout(pr.branch);
    try {
      const { result, body } = await expectRefusal(flow, pr, merge);
      expect(result.err).toContain(
        `the checkout is at ${pr.head.slice(0, 12)}, not at the pushed commit ${merge.sha.slice(0, 12)}`,
      );
      expect(body).toContain('not at the pushed commit');
      expect(emulator.control.requests().total).toBe(0);
    } finally {
      await flow.git.checkout('main');
    }
  });
});

describe('refusals of their own pull request', () => {
  let flow: Flow;
  beforeEach(async () => {
    emulator.control.loadState(loadDefaultSeed());
    emulator.control.resetRequests();
    gh.clearRequests();
    flow = await Flow.create(gh, emulator);
  });
  afterEach(() => flow.close());

  it('refuses "plan changed since approval" after an out-of-band change, showing the difference', async () => {
    const pr = await flow.openPullRequest();
    flow.approve(pr, 'ben-gh');
    flow.approve(pr, 'olivia-gh');
    emulator.control.addMember(ACME, { email: 'mallory@acme.example', role: 'employee' });
    const merge = await flow.merge(pr);
    const { result, body } = await expectRefusal(flow, pr, merge);
    expect(result.out).toMatch(
      /plan changed since approval: .*\(1 difference: Acme Books Inc\. \(240340\): added: revoke employee mallory@acme\.example\)/,
    );
    expect(body).toContain(
      '**Plan changed since approval** — 1 difference between the approved plan and the plan at the merge commit:',
    );
    expect(body).toContain(
      '- Acme Books Inc. (240340): added: revoke employee mallory@acme.example',
    );
    expect(emulator.control.member(ACME, 'mallory@acme.example')?.active).toBe(true);
  });

  it('refuses a pull request that lowers its own approval rules: the rules before the merge still apply', async () => {
    const pr = await flow.openPullRequest({
      files: { 'policies/acme-books.yaml': headYaml('\napprovals:\n  required: 0\n') },
    });
    const merge = await flow.merge(pr);
    const { result, body } = await expectRefusal(flow, pr, merge);
    const before = `as the policy was when last approved (${flow.baseSha.slice(0, 7)})`;
    expect(result.out).toContain(`${before}: approvals.required: 0 of 1 required approval`);
    expect(result.out).toContain(
      `${before}: approvals.roles.manager: 0 of 2 required approvals from team acme/owners`,
    );
    expect(body).toContain(`- ${before}: approvals.required: 0 of 1 required approval`);
  });

  it('refuses a merged pull request without a plan comment: nothing was approved', async () => {
    const pr = await flow.openPullRequest({ plan: false });
    flow.approve(pr, 'ben-gh');
    flow.approve(pr, 'olivia-gh');
    const merge = await flow.merge(pr);
    const { result, body } = await expectRefusal(flow, pr, merge);
    expect(result.err).toContain(
      `pull request #${pr.number} has no plan comment by @github-actions[bot]: nothing was approved`,
    );
    expect(body).toContain('nothing was approved, so nothing is applied');
    expect(emulator.control.requests().total).toBe(0);
  });

  it('refuses a push whose commit is the merge of no pull request, without contacting FreshBooks', async () => {
    const pushed = await flow.pushDirectly();
    const { result } = await expectRefusal(flow, null, pushed);
    expect(result.err).toContain(
      `commit ${pushed.sha.slice(0, 12)} is not the merge commit of any merged pull request (pushed directly?)`,
    );
    expect(emulator.control.requests().total).toBe(0);
    expect(gh.writes()).toEqual([]);
    expect(await readFile(flow.summaryPath, 'utf8')).toContain('### rolecall apply — refused');
  });
});

describe('apply --github usage', () => {
  it.each([
    [['apply', '--github', 'plan.json'], 'apply --github takes no plan file'],
    [['apply', '--github', '--yes'], 'apply --github does not take --yes'],
  ])('%j is a usage error', async (args, message) => {
    const io = bufferIo();
    expect(await main(args, io)).toBe(1);
    expect(io.err()).toContain(message);
  });

  it('documents --github in --help', async () => {
    const io = bufferIo();
    expect(await main(['apply', '--help'], io)).toBe(0);
    expect(io.out()).toContain('rolecall apply --github [options]');
  });

  it('the policy under test requires one approval, and two from acme/owners for managers', () => {
    expect(headYaml()).toContain(APPROVALS);
  });
});
