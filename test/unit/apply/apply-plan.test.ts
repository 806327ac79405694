import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import { readJournal } from '../../../src/apply/journal.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import {
  ACME_DESIRED,
  acmeFake,
  BUSINESS,
  desiredOf,
  NOW,
  optionsFor,
  planFor,
  policyOf,
  tempStateDir,
} from './scenario.js';

let state: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  state = await tempStateDir();
});
afterEach(async () => {
  await state.cleanup();
});

describe('applyPlan: a clean run', () => {
  it('applies every change, in phase order, and a re-plan is then empty', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    expect(plan.businesses[0]?.changes.map((c) => `${c.action} ${c.email}`)).toEqual([
      'grant eli@acme.example',
      'grant jules@acme.example',
      'change grace@acme.example',
      'change maya@acme.example',
      'revoke sam@oldfirm.example',
      'revoke zoe@acme.example',
    ]);

    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));

    expect(run.exitCode).toBe(0);
    expect(run.refusal).toBeUndefined();
    expect(run.operations.map((o) => `${o.outcome} ${o.action} ${o.email}`)).toEqual([
      'applied revoke sam@oldfirm.example',
      'applied revoke zoe@acme.example',
      'applied grant eli@acme.example',
      'applied grant jules@acme.example',
      'applied change maya@acme.example',
      'applied change grace@acme.example',
    ]);
    // Phase order on the wire: the seat releases (revoking a pending accountant and an
    // employee), then grants and upgrades, then the downgrade; no admin is removed here.
    const kinds = fake.effective.map((c) => `${c.kind} ${c.email}`);
    const index = (s: string) => kinds.indexOf(s);
    for (const release of ['remove zoe@acme.example', 'remove sam@oldfirm.example']) {
      expect(index(release)).toBeGreaterThanOrEqual(0);
      expect(index(release)).toBeLessThan(index('invite eli@acme.example'));
      expect(index(release)).toBeLessThan(index('changeRole maya@acme.example'));
    }
    expect(index('changeRole grace@acme.example')).toBeGreaterThan(
      index('changeRole maya@acme.example'),
    );
    expect(index('changeRole grace@acme.example')).toBeGreaterThan(
      index('invite eli@acme.example'),
    );
    // The owner is never written to.
    expect(fake.calls.some((c) => c.email === 'olivia@acme.example')).toBe(false);

    const again = await planFor(fake, desired);
    expect(again.businesses[0]?.changes).toEqual([]);
  });

  it('journals plan-start, an intent before and an outcome after each write (an invitation record between for a grant), then plan-end', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    await applyPlan(optionsFor(fake, desired, plan, state.dir));
    const { records, skipped } = await readJournal(state.dir, plan.digest);
    expect(skipped).toBe(0);
    expect(records[0]).toMatchObject({
      type: 'plan-start',
      digest: plan.digest,
      actor: 'tester',
      approval: '--yes at terminal',
    });
    expect(records.at(-1)).toMatchObject({ type: 'plan-end', exitCode: 0 });
    for (const change of plan.businesses[0]?.changes ?? []) {
      const op = `${BUSINESS}/${change.email}/${change.action}`;
      const mine = records.filter((r) => 'op' in r && r.op === op).map((r) => r.type);
      expect(mine).toEqual(
        change.action === 'grant' ? ['intent', 'invitation', 'outcome'] : ['intent', 'outcome'],
      );
    }
  });

  it('keeps at most `concurrency` writes in flight', async () => {
    const members = Array.from({ length: 12 }, (_, i) => ({
      email: `p${i}@acme.example`,
      role: 'employee' as const,
    }));
    const fake = acmeFake([
      { email: 'olivia@acme.example', apiRole: 'owner' },
      { email: 'alice@acme.example', apiRole: 'business_partner', identityId: 5001 },
    ]);
    fake.delay = () => new Promise((resolve) => setTimeout(resolve, 30));
    const desired = desiredOf(
      policyOf([{ email: 'alice@acme.example', role: 'admin' }, ...members], {
        rules: { minAdmins: 1 },
      }),
    );
    const plan = await planFor(fake, desired);
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir, { concurrency: 3 }));
    expect(run.exitCode).toBe(0);
    expect(fake.effective).toHaveLength(12);
    expect(fake.maxInFlight).toBe(3);
  });

  it('starts no phase before the previous one has finished', async () => {
    const fake = acmeFake();
    let slowGrantDone = false;
    let downgradeSawGrantDone: boolean | undefined;
    fake.delay = () => new Promise((resolve) => setTimeout(resolve, 1));
    const original = fake.invite.bind(fake);
    fake.invite = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const receipt = await original(...args);
      slowGrantDone = true;
      return receipt;
    };
    const changeRole = fake.changeRole.bind(fake);
    fake.changeRole = async (businessId, uuid, apiRole) => {
      if (apiRole === 'business_employee') downgradeSawGrantDone = slowGrantDone;
      return changeRole(businessId, uuid, apiRole);
    };
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    await applyPlan(optionsFor(fake, desired, plan, state.dir, { concurrency: 8 }));
    expect(downgradeSawGrantDone).toBe(true);
  });

  it('does nothing, and exits 0, for a plan without changes', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const live = await syncLiveState(fake, [BUSINESS], { now: NOW });
    const empty = buildPlan({
      desired: desiredOf(policyOf(ACME_DESIRED)),
      live,
      now: NOW,
      toolVersion: '0.1.0',
      only: 'expired',
    });
    const run = await applyPlan(optionsFor(fake, desired, empty, state.dir));
    expect(run.exitCode).toBe(0);
    expect(run.operations).toEqual([]);
    expect(fake.calls).toEqual([]);
  });
});
