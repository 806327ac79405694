/**
 * A pull request made entirely by a workflow, attacked end to end through the harness (real git,
 * the emulator, the fake GitHub, `rolecall apply --github` as apply.yml runs it).
 *
 * With "Allow GitHub Actions to create and approve pull requests" on, a writer (`dev`) pushes a
 * workflow on a branch; it commits a policy change as github-actions[bot] and opens the pull
 * request with GITHUB_TOKEN. Every commit is authored, committed and pushed by the bot, so the gate
 * saw no person to exclude, and dev's own approval counted: the grant was applied with nobody
 * independent approving it. Now such a pull request is accepted only as one of rolecall's own bot
 * changes — recognised by what it changes — and anything else is refused with FreshBooks
 * unchanged. rolecall's real expiry clean-up, review close and access request (each made by the
 * bot with the command its workflow runs) still apply with one independent approval, and a
 * person's pull request is judged as before.
 *
 * The live team starts equal to the base policy (applied once at a terminal), so that a pull
 * request's plan holds only its own changes.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDefaultSeed } from '../../../src/emulator/index.js';
import { requestTrailers } from '../../../src/jit/request-link.js';
import { formBody, GOOD_ANSWERS } from '../../unit/jit/request-form.js';
import { workflowCommand } from '../plan/plan-harness.js';
import { ACME, APPROVALS, baseYaml, Flow, PEOPLE, useWorld, type PullRequest } from './harness.js';

const world = useWorld();
let flow: Flow;

const POLICY = 'policies/acme-books.yaml';
const BOT = PEOPLE.actions;
/** Amy's grant ended an hour before the harness's NOW: the expiry clean-up removes her entry. */
const AMY = `
  - email: amy@contractors.example
    role: contractor
    expires: 2026-11-29T09:00:00Z
    reason: Quarter close
`;

async function createFlow(policy = baseYaml()): Promise<void> {
  world.emulator.control.loadState(loadDefaultSeed());
  flow = await Flow.create(world.gh, world.emulator, { policy, remote: true });
  // Converge: the live team is what the base policy says (an administrator at a terminal).
  const planFile = join(flow.files, 'converge.json');
  for (const args of [
    ['plan', '--out', planFile, ...flow.storeArgs()],
    ['apply', planFile, '--yes', ...flow.storeArgs()],
  ]) {
    const step = await flow.run(args, 'workflow_dispatch', {}, flow.baseSha);
    expect([0, 2], step.err).toContain(step.code);
  }
  world.emulator.control.resetRequests();
}
afterEach(() => flow.close());

/** FreshBooks writes the emulator saw since the last reset. */
const writes = () => world.emulator.control.requests().log.filter((e) => e.applied !== undefined);
const roleOf = (email: string) => world.emulator.control.member(ACME, email)?.business_role_name;

/** `yaml` with one more member entry, among the employees. */
function withMember(yaml: string, entry: string): string {
  const anchor = '  # Employees\n';
  if (!yaml.includes(anchor)) throw new Error('the example policy moved: update withMember');
  return yaml.replace(anchor, `${entry.replace(/^\n/, '')}\n${anchor}`);
}

/** The attacker's grant: Zed, an accountant (one approval under the example's rules). */
const GRANT_ZED = `  - email: zed@acme.example
    role: accountant
    reason: Helps at quarter close
`;

/** What a writer's workflow does: every commit by the bot, opened and pushed by the bot. */
function workflowPullRequest(files: Record<string, string>): Promise<PullRequest> {
  return flow.openPullRequest({ by: BOT, files });
}

const BOT_REFUSAL =
  'was made entirely by bots (github-actions[bot]): no human maker to keep from approving it; a person must make the change';

/** Merged and applied: refused at the gate, nothing written; the apply comment says why. */
async function expectRefused(pr: PullRequest): Promise<string> {
  const merge = await flow.merge(pr);
  world.emulator.control.resetRequests();
  const result = await flow.apply(merge);
  expect(result.code, result.err).toBe(1);
  expect(writes()).toEqual([]);
  const [comment, ...more] = flow.comments(pr, 'apply');
  expect(more).toHaveLength(0);
  expect(comment?.body).toContain('**Nothing was written to FreshBooks**');
  // The comment is markdown: its text, unescaped, says the same as the job log.
  const shown = (comment?.body ?? '').replace(/\\(.)/g, '$1').replace(/`(@[^`]+)`/g, '$1');
  expect(shown).toContain(`pull request #${pr.number} ${BOT_REFUSAL}`);
  return shown;
}

/**
 * Merged and applied: exit 0. Returns the approvals recorded: the apply comment (a policy-only
 * change) and the audit log (writes to FreshBooks).
 */
async function expectApplied(pr: PullRequest): Promise<string> {
  const merge = await flow.merge(pr);
  world.emulator.control.resetRequests();
  const result = await flow.apply(merge);
  expect(result.err).not.toMatch(/rolecall: /);
  expect(result.code, `${result.out}\n${result.err}`).toBe(0);
  const comment = (flow.comments(pr, 'apply')[0]?.body ?? '')
    .replace(/\\(.)/g, '$1')
    .replace(/`(@[^`]+)`/g, '$1');
  const audit = (await flow.audit()).map((r) => ('approval' in r ? String(r.approval) : ''));
  return [comment, ...audit].join('\n');
}

/** A workflow command line with this flow's token store for the environment's secret. */
function workflowArgs(workflow: string, job: string, command: string): string[] {
  return workflowCommand(workflow, job, command).flatMap((a) =>
    a.startsWith('github-secret:') ? [flow.storeArgs()[1] as string] : [a],
  );
}

/** The one pull request a bot command opened (by its author), adopted into the checkout. */
async function openedByBot(): Promise<PullRequest> {
  const opened = [...flow.repo.issues.values()].filter(
    (i) => i.pull && i.state === 'open' && i.user.login === BOT.login,
  );
  expect(opened).toHaveLength(1);
  return flow.adoptPullRequest((opened[0] as { number: number }).number);
}

describe('attack: a writer’s workflow makes the whole pull request as github-actions[bot]', () => {
  beforeEach(() => createFlow());

  it('refuses a grant the bot committed, pushed and opened, approved by the writer behind it', async () => {
    const pr = await workflowPullRequest({ [POLICY]: withMember(baseYaml(), GRANT_ZED) });
    // The writer's approval is the only one: it counted, as nobody made the change.
    flow.approve(pr, 'dev');
    const said = await expectRefused(pr);
    expect(said).toContain(
      'Here it does more than remove access: business 240340: grant zed@acme.example (accountant); business 240340: adds zed@acme.example (accountant).',
    );
    expect(roleOf('zed@acme.example')).toBeUndefined();
  });

  it('refuses it when the commits name a person as author: a commit’s author is a claim', async () => {
    const pr = await workflowPullRequest({ 'docs/notes.md': 'Quarter close helpers.\n' });
    await flow.pushCommit(pr, {
      files: { [POLICY]: withMember(baseYaml(), GRANT_ZED) },
      message: 'Add Zed',
      author: PEOPLE.ben,
      committer: PEOPLE.ben,
      pusher: BOT.login,
    });
    flow.approve(pr, 'dev');
    const said = await expectRefused(pr);
    expect(said).toContain(
      "Its commits name @ben-gh as author or committer, which a commit's author field does not prove",
    );
    expect(roleOf('zed@acme.example')).toBeUndefined();
  });

  it('refuses a bot-made change that only lowers approvals.required (nothing granted)', async () => {
    const pr = await workflowPullRequest({
      [POLICY]: baseYaml().replace(APPROVALS, '\napprovals:\n  required: 0\n'),
    });
    flow.approve(pr, 'dev');
    const said = await expectRefused(pr);
    expect(said).toContain('business 240340: approvals.required: 1 → 0');
  });

  it('refuses a bot-made change that only removes rules.protected (nothing granted)', async () => {
    const pr = await workflowPullRequest({
      [POLICY]: baseYaml().replace('  protected: [olivia@acme.example]\n', ''),
    });
    flow.approve(pr, 'dev');
    const said = await expectRefused(pr);
    expect(said).toContain('business 240340: rules.protected: ["olivia@acme.example"] → []');
  });

  it('refuses a grant whose commit names someone else’s access request: the issue asks for other access', async () => {
    // olivia-gh asked, with the form, for a contractor; the workflow's commit points at her issue.
    const issue = flow.repo.addIssue({
      author: 'olivia-gh',
      title: 'Access request',
      labels: ['access-request'],
      body: formBody(GOOD_ANSWERS),
    });
    const pr = await workflowPullRequest({ 'docs/notes.md': 'Quarter close helpers.\n' });
    await flow.pushCommit(pr, {
      files: { [POLICY]: withMember(baseYaml(), GRANT_ZED) },
      message: `rolecall: grant accountant to zed@acme.example\n\n${requestTrailers({ issue, requester: 'olivia-gh', editors: [] })}`,
      author: BOT,
      pusher: BOT.login,
    });
    flow.approve(pr, 'dev');
    const said = await expectRefused(pr);
    expect(said).toContain(
      `it is not what request issue #${issue} asks for (contractor for temp@contractors.example in business 240340): ` +
        'business 240340: grant zed@acme.example (accountant); business 240340: adds zed@acme.example (accountant); ' +
        "the policies do not change temp@contractors.example's entry.",
    );
    expect(roleOf('zed@acme.example')).toBeUndefined();
  });

  it('refuses a request pull request whose issue the workflow opened itself (as the bot)', async () => {
    // The request flow's own pull request, built from an issue a workflow opened as the bot:
    // no person asked, so nobody is kept from approving it.
    const issue = flow.repo.addIssue({
      author: BOT.login,
      title: 'Access request',
      labels: ['access-request'],
      body: formBody(GOOD_ANSWERS),
    });
    const requested = await flow.runOnMain(
      ['request', '--from-issue', String(issue), ...flow.storeArgs()],
      'issues',
    );
    expect(requested.code, requested.err).toBe(0);
    const pr = await openedByBot();
    if (flow.comments(pr, 'plan').length === 0) await flow.postPlan(pr);
    flow.approve(pr, 'dev');
    const said = await expectRefused(pr);
    expect(said).toContain(
      `the request issue #${issue} it names cannot vouch for it: it was opened by @github-actions[bot], a bot.`,
    );
    expect(roleOf('temp@contractors.example')).toBeUndefined();
  });

  it('control: the same grant made by a person applies with the approval of someone else', async () => {
    const pr = await flow.openPullRequest({
      by: PEOPLE.maya,
      files: { [POLICY]: withMember(baseYaml(), GRANT_ZED) },
    });
    flow.approve(pr, 'dev');
    await expectApplied(pr);
    expect(roleOf('zed@acme.example')).toBe('business_accountant');
    expect(writes().length).toBeGreaterThan(0);
  });
});

describe('rolecall’s own bot pull requests still apply with one independent approval', () => {
  it('the expiry clean-up (expire --github) removes the expired entry', async () => {
    await createFlow(withMember(baseYaml(), AMY));
    const expired = await flow.runOnMain(workflowArgs('expire.yml', 'expire', 'expire'));
    expect(expired.code, expired.err).toBe(0);
    const pr = await openedByBot();
    expect(await flow.git.git.raw(['show', `${pr.head}:${POLICY}`])).not.toContain(
      'amy@contractors.example',
    );
    await flow.postPlan(pr);
    flow.approve(pr, 'dev');
    const said = await expectApplied(pr);
    expect(said).toContain(
      `#${pr.number} was made entirely by bots (github-actions[bot]); accepted as a change that only removes access`,
    );
    expect(flow.comments(pr, 'apply')[0]?.body).toContain('policy change approved');
  });

  it('the same clean-up with a grant a workflow pushed onto it as the bot is refused', async () => {
    await createFlow(withMember(baseYaml(), AMY));
    const expired = await flow.runOnMain(workflowArgs('expire.yml', 'expire', 'expire'));
    expect(expired.code, expired.err).toBe(0);
    const pr = await openedByBot();
    await flow.pushCommit(pr, {
      files: {
        [POLICY]: withMember(await flow.git.git.raw(['show', `${pr.head}:${POLICY}`]), GRANT_ZED),
      },
      message: 'Remove 1 expired grant from the policies',
      author: BOT,
      pusher: BOT.login,
    });
    flow.approve(pr, 'dev');
    await expectRefused(pr);
    expect(roleOf('zed@acme.example')).toBeUndefined();
  });

  it('a review close (review --github, unticked boxes, review close) revokes the unticked people', async () => {
    await createFlow();
    const opened = await flow.runOnMain(workflowArgs('review.yml', 'review', 'review'));
    expect(opened.code, opened.err).toBe(0);
    const review = [...flow.repo.issues.values()].find(
      (i) => !i.pull && i.labels.includes('rolecall-review'),
    );
    if (!review) throw new Error('no review issue');
    // A reviewer unticks Frank and Grace in the GitHub UI.
    review.body = (review.body ?? '')
      .split('\n')
      .map((line) =>
        /<!-- member:(frank|grace)@acme\.example -->/.test(line)
          ? line.replace('- [x]', '- [ ]')
          : line,
      )
      .join('\n');
    const closed = await flow.runOnMain([
      'review',
      'close',
      '--issue',
      String(review.number),
      '--early',
    ]);
    expect(closed.code, closed.err).toBe(0);
    const pr = await openedByBot();
    await flow.postPlan(pr);
    flow.approve(pr, 'dev');
    const said = await expectApplied(pr);
    expect(said).toContain('accepted as a change that only removes access');
    for (const email of ['frank@acme.example', 'grace@acme.example'])
      expect(world.emulator.control.member(ACME, email)?.active).toBe(false);
    expect(roleOf('hana@acme.example')).toBe('business_employee');
  });

  it('an access request (request --from-issue) is granted with the approval of someone other than who asked', async () => {
    await createFlow();
    const issue = flow.repo.addIssue({
      author: 'maya',
      title: 'Access request',
      labels: ['access-request'],
      body: formBody(GOOD_ANSWERS),
    });
    const requested = await flow.runOnMain(
      ['request', '--from-issue', String(issue), ...flow.storeArgs()],
      'issues',
    );
    expect(requested.code, requested.err).toBe(0);
    const pr = await openedByBot();
    if (flow.comments(pr, 'plan').length === 0) await flow.postPlan(pr);
    flow.approve(pr, 'maya'); // who asked: not counted
    flow.approve(pr, 'dev');
    const said = await expectApplied(pr);
    expect(said).toContain(`accepted as the access request of #${issue} by @maya`);
    expect(roleOf('temp@contractors.example')).toBe('contractor');
  });
});
