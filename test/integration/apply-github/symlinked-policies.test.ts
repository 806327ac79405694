/**
 * Issue 13, item 4, attacked end to end through the harness: a policy file on the default
 * branch that is a symbolic link. Its target (outside policies/) demands two approvals; a pull
 * request replaces the link with a regular file that promotes Maya and asks for one. Before the
 * fix the rules "before the merge" could not be read from the link, silently became the default
 * (one approval), and one approval applied the promotion. Now the approved state is unreadable,
 * so the rules before cannot be known and the business is refused, with FreshBooks unchanged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDefaultSeed } from '../../../src/emulator/index.js';
import { ACME, APPROVALS, baseYaml, DATE, Flow, headYaml, useWorld } from './harness.js';

const world = useWorld();
let flow: Flow;
beforeEach(async () => {
  world.emulator.control.loadState(loadDefaultSeed());
  flow = await Flow.create(world.gh, world.emulator);
});
afterEach(() => flow.close());

const writes = () => world.emulator.control.requests().log.filter((e) => e.applied !== undefined);
const STRICT = '\napprovals:\n  required: 2\n';
const ONE = '\napprovals:\n  required: 1\n';

describe('a symbolic link in policies/ cannot lower the bar', () => {
  it('attack: the approved state is a link, so the rules before are unknown and the change is refused', async () => {
    // The default branch holds the policy as a link to a file outside policies/.
    await flow.git.checkout('main');
    await flow.git.commit({
      files: { 'shared/acme-books.yaml': baseYaml().replace(APPROVALS, STRICT) },
      symlinks: { 'policies/acme-books.yaml': '../shared/acme-books.yaml' },
      message: 'Keep the policy in shared/',
      date: DATE,
    });
    const pr = await flow.openPullRequest({
      files: { 'policies/acme-books.yaml': headYaml(ONE) },
    });
    flow.approve(pr, 'olivia-gh');
    const merge = await flow.merge(pr);
    world.emulator.control.resetRequests();

    const result = await flow.apply(merge);
    expect(result.code).toBe(1);
    const said = result.out + result.err;
    expect(said).toContain('the rules before this change cannot be known for business 240340');
    expect(said).toContain('is a symbolic link');
    expect(writes()).toEqual([]);
    expect(world.emulator.control.member(ACME, 'maya@acme.example')?.business_role_name).toBe(
      'business_employee',
    );
  });

  it('control: the same change on a regular file is applied with the approvals its rules ask', async () => {
    const pr = await flow.openPullRequest({
      files: { 'policies/acme-books.yaml': headYaml(ONE) },
    });
    // The rules before (two owners for a manager) still apply to the relaxing change.
    flow.approve(pr, 'olivia-gh');
    flow.approve(pr, 'ben-gh');
    const merge = await flow.merge(pr);
    const result = await flow.apply(merge);
    expect(result.code, result.err + result.out).toBe(0);
    expect(world.emulator.control.member(ACME, 'maya@acme.example')?.business_role_name).toBe(
      'business_manager',
    );
  });
});
