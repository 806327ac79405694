import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import { refusingGate } from '../../../src/apply/approval-gates.js';
import { readAuditFile, auditPath } from '../../../src/apply/audit-log.js';
import {
  ACME_DESIRED,
  acmeFake,
  acmeLive,
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

async function journalFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(`${dir}/journal`)).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
}

describe('stale plans are refused before any write', () => {
  it('a touched member whose role changed since the plan, named as the policy names roles', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    fake.tamper(BUSINESS, 'grace@acme.example', { apiRole: 'business_employee' });
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(1);
    expect(run.refusal?.code).toBe('STALE');
    expect(run.refusal?.message).toMatch(/re-plan/);
    expect(run.refusal?.details).toEqual([
      'grace@acme.example: role manager → employee since the plan',
    ]);
    expect(fake.calls).toEqual([]);
    expect(await journalFiles(state.dir)).toEqual([]);
  });

  it('a role rolecall does not know is named as FreshBooks sent it', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    fake.tamper(BUSINESS, 'grace@acme.example', { apiRole: 'payroll_admin' });
    fake.tamper(BUSINESS, 'maya@acme.example', { apiRole: 'business_partner' });
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.refusal?.details).toEqual([
      'grace@acme.example: role manager → payroll_admin since the plan',
      'maya@acme.example: role employee → admin since the plan',
    ]);
  });

  it('a person the plan grants to who has appeared since', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    await fake.invite(BUSINESS, 'eli@acme.example', 'business_employee');
    const calls = fake.calls.length;
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.refusal?.code).toBe('STALE');
    expect(run.refusal?.details).toEqual([
      'eli@acme.example: appeared since the plan (now invited as employee)',
    ]);
    expect(fake.calls.length).toBe(calls);
  });

  it('a touched member who is gone, and a state change, are both named', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    const zoe = fake.members(BUSINESS).findIndex((m) => m.email === 'zoe@acme.example');
    fake.members(BUSINESS).splice(zoe, 1);
    fake.tamper(BUSINESS, 'sam@oldfirm.example', {
      active: true,
      identityId: 77,
      invitationDateAccepted: '2026-06-01T00:00:00Z',
    });
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.refusal?.details).toEqual([
      'sam@oldfirm.example: state invited → active since the plan',
      'zoe@acme.example: no longer in FreshBooks since the plan',
    ]);
  });

  it('an untouched member changing is fine, except with strict', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    fake.tamper(BUSINESS, 'ben@acme.example', { firstName: 'Benjamin' });

    const strict = await applyPlan(optionsFor(fake, desired, plan, state.dir, { strict: true }));
    expect(strict.refusal?.code).toBe('STALE');
    expect(strict.refusal?.details).toEqual([
      'Acme Books Inc. (240340): members outside the plan changed since the plan (--strict)',
    ]);
    expect(fake.calls).toEqual([]);

    const relaxed = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(relaxed.exitCode).toBe(0);
  });

  it('our own writes from an interrupted run are not mistaken for staleness, even with strict', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    const controller = new AbortController();
    fake.onEffect = () => {
      if (fake.effective.length === 4) controller.abort(new Error('killed'));
    };
    await expect(
      applyPlan({
        ...optionsFor(fake, desired, plan, state.dir, { strict: true }),
        signal: controller.signal,
      }),
    ).rejects.toThrow('killed');
    fake.onEffect = () => undefined;
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir, { strict: true }));
    expect(run.refusal).toBeUndefined();
    expect(run.exitCode).toBe(0);

    // …but someone else's change to an untouched member after the first write is caught.
    const fake2 = acmeFake();
    const plan2 = await planFor(fake2, desired);
    const dir2 = await tempStateDir();
    try {
      const c2 = new AbortController();
      fake2.onEffect = () => c2.abort(new Error('killed'));
      await expect(
        applyPlan({
          ...optionsFor(fake2, desired, plan2, dir2.dir, { strict: true }),
          signal: c2.signal,
        }),
      ).rejects.toThrow('killed');
      fake2.onEffect = () => undefined;
      fake2.tamper(BUSINESS, 'ben@acme.example', { lastName: 'Changed' });
      const refused = await applyPlan(
        optionsFor(fake2, desired, plan2, dir2.dir, { strict: true }),
      );
      expect(refused.refusal?.details).toEqual([
        'Acme Books Inc. (240340): members outside the plan changed since this apply began (--strict)',
      ]);
    } finally {
      await dir2.cleanup();
    }
  });
});

describe('guards are re-evaluated against fresh live state', () => {
  it('refuses when an admin vanished behind the plan’s back and the plan downgrades another', async () => {
    const live = acmeLive();
    live.push({ email: 'carl@acme.example', apiRole: 'business_partner' });
    const fake = acmeFake(live);
    // minAdmins 3: olivia + alice + ben + carl = 4 today; the plan downgrades carl → 3. OK at plan time.
    const desired = desiredOf(
      policyOf([...ACME_DESIRED, { email: 'carl@acme.example', role: 'manager' }], {
        rules: { minAdmins: 3 },
      }),
    );
    const plan = await planFor(fake, desired);
    expect(plan.businesses[0]?.applyable).toBe(true);
    // Ben loses admin outside rolecall (ben is not touched by the plan: not stale).
    fake.tamper(BUSINESS, 'ben@acme.example', { apiRole: 'business_employee' });
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.refusal?.code).toBe('GUARD');
    expect(run.refusal?.details.join('\n')).toMatch(/minAdmins: 2 active admins .* minimum 3/);
    expect(fake.calls).toEqual([]);
  });

  it('refuses a plan that was not applyable when made', async () => {
    const fake = acmeFake();
    const desired = desiredOf(
      policyOf([
        { email: 'ben@acme.example', role: 'admin' },
        { email: 'olivia@acme.example', role: 'admin' },
      ]),
    );
    const plan = await planFor(fake, desired);
    expect(plan.businesses[0]?.applyable).toBe(false);
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.refusal?.code).toBe('NOT_APPLYABLE');
    expect(run.refusal?.details.some((d) => d.startsWith('self:'))).toBe(true);
    expect(fake.calls).toEqual([]);
  });

  it('honours an override recorded in the policy', async () => {
    const fake = acmeFake();
    const desired = desiredOf(
      policyOf(
        [
          { email: 'alice@acme.example', role: 'admin' },
          { email: 'ben@acme.example', role: 'admin' },
        ],
        {
          overrides: ['maxRevokes'],
        },
      ),
    );
    const plan = await planFor(fake, desired);
    expect(plan.businesses[0]?.guards.find((g) => g.guard === 'maxRevokes')?.ok).toBe(false);
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.refusal).toBeUndefined();
  });

  it('refuses when the policy changed since the plan', async () => {
    const fake = acmeFake();
    const plan = await planFor(fake, desiredOf(policyOf(ACME_DESIRED)));
    const edited = desiredOf(
      policyOf([...ACME_DESIRED, { email: 'new@acme.example', role: 'employee' }]),
    );
    const run = await applyPlan(optionsFor(fake, edited, plan, state.dir));
    expect(run.refusal?.code).toBe('POLICY_CHANGED');
    expect(run.refusal?.message).toMatch(/re-plan/);
  });
});

describe('the approval gate', () => {
  it('is asked only after the checks, and a refusal writes nothing but an audit summary', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, { gate: refusingGate('nobody said yes') }),
    );
    expect(run).toMatchObject({
      exitCode: 1,
      refusal: { code: 'NOT_APPROVED', message: 'not approved: nobody said yes' },
    });
    expect(fake.calls).toEqual([]);
    expect(await journalFiles(state.dir)).toEqual([]);
    const audit = await readAuditFile(auditPath(state.dir, NOW.toISOString()));
    expect(audit).toEqual([
      expect.objectContaining({
        type: 'summary',
        result: 'refused',
        exitCode: 1,
        planDigest: plan.digest,
      }),
    ]);
  });

  it('is not asked at all for a stale plan', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    fake.tamper(BUSINESS, 'maya@acme.example', { apiRole: 'business_manager' });
    let asked = false;
    const gate = { decide: async () => ((asked = true), { approved: true, reason: 'x' }) };
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir, { gate }));
    expect(run.refusal?.code).toBe('STALE');
    expect(asked).toBe(false);
  });

  it('a live state that cannot be read is a refusal (exit 1), not a crash', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, {
        resync: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:9');
        },
      }),
    );
    expect(run).toMatchObject({ exitCode: 1, refusal: { code: 'LIVE_UNREADABLE' } });
  });
});
