/**
 * Issue 13, items 1 and 2, attacked end to end through the harness (real git, the emulator, the
 * fake GitHub, `rolecall plan --github` and `rolecall apply --github` as the workflows run them,
 * `rolecall expire --github` as expire.yml runs it).
 *
 * 1. A pull request that changes no FreshBooks access but relaxes the rules merges unreviewed;
 *    a second one then promotes someone under the relaxed rules. Before: both applied.
 * 2. A pull request adds a near `expires:` to an admin and turns on `autoApproveExpiry`; it
 *    merges unreviewed, and the scheduled `expire` later revokes the admin with no human.
 *
 * Each attack is refused with FreshBooks unchanged; the same changes, properly approved, apply.
 * The live team starts equal to the base policy (applied once at a terminal), so the attacking
 * pull requests really have no FreshBooks change of their own.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDefaultSeed } from '../../../src/emulator/index.js';
import { ACME, APPROVALS, baseYaml, Flow, headYaml, useWorld } from './harness.js';

const world = useWorld();
let flow: Flow;

beforeEach(async () => {
  world.emulator.control.loadState(loadDefaultSeed());
  flow = await Flow.create(world.gh, world.emulator);
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
});
afterEach(() => flow.close());

/** FreshBooks writes the emulator saw since the last reset. */
const writes = () => world.emulator.control.requests().log.filter((e) => e.applied !== undefined);
const roleOf = (email: string) => world.emulator.control.member(ACME, email)?.business_role_name;

const POLICY = 'policies/acme-books.yaml';
const RELAXED = `
approvals:
  required: 0
`;

describe('item 1: a pull request without FreshBooks changes cannot lower the bar for the next one', () => {
  it('attack: the relaxing pull request is refused, and the promotion under the relaxed rules too', async () => {
    const pr1 = await flow.openPullRequest({
      files: { [POLICY]: baseYaml().replace(APPROVALS, RELAXED) },
      plan: 'cli',
    });
    const planComment = flow.comments(pr1, 'plan')[0]?.body ?? '';
    expect(planComment).toContain('Policy changes that need approval');
    expect(planComment).toContain('`approvals.required`: `1` → `0`');
    const merge1 = await flow.merge(pr1);
    const first = await flow.apply(merge1);
    expect(first.code).toBe(1);
    expect(first.err).toContain('approvals.required: 0 of 1 required approval');
    expect(flow.comments(pr1, 'apply')[0]?.body).toContain('The approval gate is closed');

    const pr2 = await flow.openPullRequest({
      files: { [POLICY]: headYaml(RELAXED) },
      plan: 'cli',
    });
    const merge2 = await flow.merge(pr2);
    const second = await flow.apply(merge2);
    expect(second.code).toBe(1);
    // Judged against the last approved policies (the base), not the refused merge before it.
    expect(second.out + second.err).toContain(
      `as the policy was when last approved (${flow.baseSha.slice(0, 7)}): approvals.required: 0 of 1`,
    );
    expect(writes()).toEqual([]);
    expect(roleOf('maya@acme.example')).toBe('business_employee');
  });

  it('control: the relaxing pull request, approved, becomes the bar; the next one applies under it', async () => {
    const pr1 = await flow.openPullRequest({
      files: { [POLICY]: baseYaml().replace(APPROVALS, RELAXED) },
      plan: 'cli',
    });
    flow.approve(pr1, 'olivia-gh');
    const merge1 = await flow.merge(pr1);
    const first = await flow.apply(merge1);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('Policy change approved');
    expect(flow.comments(pr1, 'apply')[0]?.body).toContain('policy change approved');
    expect(writes()).toEqual([]);

    const pr2 = await flow.openPullRequest({ files: { [POLICY]: headYaml(RELAXED) }, plan: 'cli' });
    const merge2 = await flow.merge(pr2);
    const second = await flow.apply(merge2);
    expect(second.code, second.err + second.out).toBe(0);
    expect(roleOf('maya@acme.example')).toBe('business_manager');
  });

  it('a pull request that changes only comments needs no approval, and its plan comment says so', async () => {
    const pr = await flow.openPullRequest({
      files: { [POLICY]: `${baseYaml()}\n# Reviewed 2026-11-29.\n` },
      plan: 'cli',
    });
    expect(flow.comments(pr, 'plan')[0]?.body).toContain('Only comments or layout changed');
    const merge = await flow.merge(pr);
    const result = await flow.apply(merge);
    expect(result.code, result.err).toBe(0);
    expect(writes()).toEqual([]);
  });
});

describe('item 2: scheduled revocations need approval and never ride in unreviewed', () => {
  /** Ben (an admin) expires two hours after NOW; expiry revokes on its own. */
  const EXPIRES = '2026-11-29T12:00:00Z';
  const LATER = '2026-11-29T13:00:00.000Z';
  const scheduled = () =>
    baseYaml()
      .replace(
        '  - email: ben@acme.example\n    role: admin\n    reason: Controller',
        `  - email: ben@acme.example\n    role: admin\n    reason: Controller\n    expires: ${EXPIRES}`,
      )
      .replace('  requireReason: true', '  requireReason: true\n  autoApproveExpiry: true');
  const expire = () =>
    flow.run(
      ['expire', '--github', '--business', String(ACME), ...flow.storeArgs()],
      'schedule',
      {},
      '',
      { ROLECALL_NOW: LATER },
    );

  it('attack: the expiry pull request is refused, and expire later revokes nobody', async () => {
    expect(scheduled()).toContain(`expires: ${EXPIRES}`);
    const pr = await flow.openPullRequest({ files: { [POLICY]: scheduled() }, plan: 'cli' });
    const planComment = flow.comments(pr, 'plan')[0]?.body ?? '';
    expect(planComment).toContain('#### Scheduled revocations');
    expect(planComment).toContain(
      '`ben@acme.example` — admin — will be revoked 2026-11-29 12:00 UTC by expiry',
    );
    expect(planComment).toContain('`rules.autoApproveExpiry`: `false` → `true`');
    const merge = await flow.merge(pr);
    const applied = await flow.apply(merge);
    expect(applied.code).toBe(1);
    expect(applied.err).toContain('approvals.required: 0 of 1 required approval');

    const result = await expire();
    expect(result.code).toBe(1);
    expect(result.err).toContain('not revoked automatically');
    expect(result.err).toContain('rules.autoApproveExpiry: true was not approved');
    expect(writes()).toEqual([]);
    expect(roleOf('ben@acme.example')).toBe('business_partner');
  });

  it('control: the same expiry, approved, is revoked by expire on its own', async () => {
    const pr = await flow.openPullRequest({ files: { [POLICY]: scheduled() }, plan: 'cli' });
    flow.approve(pr, 'olivia-gh');
    const merge = await flow.merge(pr);
    const applied = await flow.apply(merge);
    expect(applied.code, applied.err).toBe(0);

    const result = await expire();
    expect(result.err).not.toContain('not revoked automatically');
    expect(result.code, result.err).toBe(0);
    expect(world.emulator.control.member(ACME, 'ben@acme.example')?.active).toBe(false);
  });

  it('an expiry shortened after approval is not revoked on its own', async () => {
    const pr = await flow.openPullRequest({ files: { [POLICY]: scheduled() }, plan: 'cli' });
    flow.approve(pr, 'olivia-gh');
    expect((await flow.apply(await flow.merge(pr))).code).toBe(0);
    // Then alice's expiry is added by a change nobody approves (refused at apply).
    const sneaky = scheduled().replace(
      '  - email: alice@acme.example\n    role: admin\n    reason: Finance lead',
      `  - email: alice@acme.example\n    role: admin\n    reason: Finance lead\n    expires: ${EXPIRES}`,
    );
    const pr2 = await flow.openPullRequest({ files: { [POLICY]: sneaky }, plan: 'cli' });
    expect((await flow.apply(await flow.merge(pr2))).code).toBe(1);

    const result = await expire();
    expect(result.err).toContain(
      'alice@acme.example (admin) in Acme Books Inc.: its expiry did not come through an approved change',
    );
    expect(roleOf('alice@acme.example')).toBe('business_partner');
    expect(world.emulator.control.member(ACME, 'ben@acme.example')?.active).toBe(false);
  });
});
