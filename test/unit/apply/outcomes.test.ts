import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import { auditPath, readAuditFile } from '../../../src/apply/audit-log.js';
import type { AuditOperationRecord } from '../../../src/apply/records.js';
import { readJournal } from '../../../src/apply/journal.js';
import {
  renderManualChecklistMarkdown,
  renderManualChecklistText,
} from '../../../src/apply/manual-tasks.js';
import { checkManualTasks, openManualTasks } from '../../../src/apply/records.js';
import { clearRegisteredSecrets, registerSecret } from '../../../src/redact.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';
import { apiError } from './fake-freshbooks.js';
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
  clearRegisteredSecrets();
  await state.cleanup();
});

const acme = async (policy = policyOf(ACME_DESIRED), live = acmeLive()) => {
  const fake = acmeFake(live);
  const desired = desiredOf(policy);
  const plan = await planFor(fake, desired);
  return { fake, desired, plan };
};

async function auditRecords(dir: string): Promise<AuditOperationRecord[]> {
  const all = await readAuditFile(auditPath(dir, NOW.toISOString()));
  return all.filter((r): r is AuditOperationRecord => r.type === 'operation');
}

describe('unknown outcomes and transient errors', () => {
  it('re-reads after a lost answer: the invitation went out, so it is never sent again', async () => {
    const { fake, desired, plan } = await acme();
    fake.fault = (call, attempt) =>
      call.kind === 'invite' && attempt === 1 ? 'lost-after-write' : undefined;
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(0);
    expect(
      fake.calls
        .filter((c) => c.kind === 'invite')
        .map((c) => c.email)
        .sort(),
    ).toEqual(['eli@acme.example', 'jules@acme.example']);
    expect(run.operations.find((o) => o.email === 'eli@acme.example')?.detail).toBe(
      'confirmed by re-reading the member',
    );
  });

  it('a lost invitation found on the last page of the team is confirmed there, without a listing of the whole team', async () => {
    const { fake, desired, plan } = await acme();
    fake.lastPageSize = 2;
    fake.fault = (call, attempt) =>
      call.email === 'eli@acme.example' && attempt === 1 ? 'lost-after-write' : undefined;
    const listsBefore = fake.readCalls.list;
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(0);
    expect(fake.calls.filter((c) => c.email === 'eli@acme.example')).toHaveLength(1);
    expect(run.operations.find((o) => o.email === 'eli@acme.example')?.detail).toBe(
      'confirmed by re-reading the member',
    );
    expect(fake.lastTeamPageCalls).toBe(1);
    // The apply's own sync read the team; the re-read did not.
    expect(fake.readCalls.list - listsBefore).toBe(1);
  });

  it.each(['lost-after-write', 'lost-before-write'] as const)(
    'a lost invitation not on the last page is looked for in the whole team: never sent twice (%s)',
    async (fault) => {
      const { fake, desired, plan } = await acme();
      // A last page too short to show the newest invitation: the last page proves nothing.
      fake.lastPageSize = 0;
      fake.fault = (call, attempt) =>
        call.email === 'eli@acme.example' && attempt === 1 ? fault : undefined;
      const listsBefore = fake.readCalls.list;
      const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
      expect(run.exitCode).toBe(0);
      expect(fake.effective.filter((c) => c.email === 'eli@acme.example')).toHaveLength(1);
      expect(fake.calls.filter((c) => c.email === 'eli@acme.example')).toHaveLength(
        fault === 'lost-after-write' ? 1 : 2,
      );
      expect(fake.lastTeamPageCalls).toBe(1);
      // The apply's own sync, and the whole team for the re-read.
      expect(fake.readCalls.list - listsBefore).toBe(2);
    },
  );

  it('re-reads after a lost answer: nothing happened, so it is retried', async () => {
    const { fake, desired, plan } = await acme();
    fake.fault = (call, attempt) =>
      call.email === 'grace@acme.example' && attempt < 3 ? 'lost-before-write' : undefined;
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(0);
    expect(fake.calls.filter((c) => c.email === 'grace@acme.example')).toHaveLength(3);
    expect(fake.effective.filter((c) => c.email === 'grace@acme.example')).toHaveLength(1);
    const intents = (await readJournal(state.dir, plan.digest)).records.filter(
      (r) => r.type === 'intent' && r.email === 'grace@acme.example',
    );
    expect(intents.map((r) => (r.type === 'intent' ? r.attempt : 0))).toEqual([1, 2, 3]);
  });

  it('gives up after the bounded attempts and reports failed, without stopping the others', async () => {
    const { fake, desired, plan } = await acme();
    fake.fault = (call) => (call.email === 'zoe@acme.example' ? 'rate-limited' : undefined);
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, {
        retry: { attempts: 3, backoffMs: 0, sleep: async () => undefined },
      }),
    );
    expect(run.exitCode).toBe(3);
    const zoe = run.operations.find((o) => o.email === 'zoe@acme.example');
    expect(zoe?.outcome).toBe('failed');
    expect(zoe?.detail).toMatch(/^gave up after 3 attempts: remove zoe@acme.example → 429/);
    expect(fake.calls.filter((c) => c.email === 'zoe@acme.example')).toHaveLength(3);
    expect(run.operations.filter((o) => o.outcome === 'applied')).toHaveLength(5);
  });

  it('a permanent refusal fails that operation only (aggregated, not first-error-abort)', async () => {
    const { fake, desired, plan } = await acme();
    fake.fault = (call) =>
      call.email === 'eli@acme.example' || call.email === 'sam@oldfirm.example'
        ? 'rejected'
        : undefined;
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(3);
    expect(run.operations.map((o) => `${o.email}:${o.outcome}`)).toEqual([
      'sam@oldfirm.example:failed',
      'zoe@acme.example:applied',
      'eli@acme.example:failed',
      'jules@acme.example:applied',
      'maya@acme.example:applied',
      'grace@acme.example:applied',
    ]);
    expect(fake.calls.filter((c) => c.email === 'eli@acme.example')).toHaveLength(1);
  });

  it('does not take an admin away when the admin grant before it did not complete', async () => {
    // carl (admin) → manager and dan invited as admin: if dan's invitation fails, carl keeps admin.
    const live = [...acmeLive(), { email: 'carl@acme.example', apiRole: 'business_partner' }];
    const policy = policyOf(
      [
        ...ACME_DESIRED,
        { email: 'carl@acme.example', role: 'manager' },
        { email: 'dan@acme.example', role: 'admin' },
      ],
      { rules: { minAdmins: 1 } },
    );
    const { fake, desired, plan } = await acme(policy, live);
    fake.fault = (call) => (call.email === 'dan@acme.example' ? 'rejected' : undefined);
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(3);
    const carl = run.operations.find((o) => o.email === 'carl@acme.example');
    expect(carl?.outcome).toBe('failed');
    expect(carl?.detail).toMatch(
      /not attempted: the admin grant for dan@acme.example did not complete/,
    );
    expect(fake.calls.some((c) => c.email === 'carl@acme.example')).toBe(false);
    // The next run, with FreshBooks accepting, finishes the job.
    fake.fault = () => undefined;
    const rerun = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(rerun.exitCode).toBe(0);
    expect(rerun.operations.find((o) => o.email === 'carl@acme.example')?.outcome).toBe('applied');
  });
});

describe('manual tasks', () => {
  it('provisioning: manual turns a change into a checklist item, recorded as pending', async () => {
    const { fake, desired, plan } = await acme(
      policyOf(ACME_DESIRED, { provisioning: { revoke: 'manual' } }),
    );
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(3);
    expect(run.operations.filter((o) => o.outcome === 'manual').map((o) => o.email)).toEqual([
      'sam@oldfirm.example',
      'zoe@acme.example',
    ]);
    expect(fake.calls.some((c) => c.kind === 'remove')).toBe(false);
    expect(run.manualTasks.map((t) => t.why)).toEqual([
      'provisioning: manual for revoke in the policy',
      'provisioning: manual for revoke in the policy',
    ]);
    const text = renderManualChecklistText(run.manualTasks);
    expect(text).toContain(
      '[ ] zoe@acme.example — remove from the team (Employee) — Acme Books Inc. (240340)',
    );
    expect(text).toContain('where: Settings → Team Members → zoe@acme.example → Remove');
    expect(text).toContain(
      'where: Settings → Team Members → sam@oldfirm.example → Cancel Invitation',
    );
    const markdown = renderManualChecklistMarkdown(run.manualTasks);
    expect(markdown).toContain('- [ ] **zoe@acme.example** — remove from the team (Employee)');
    expect(markdown).toContain('why: provisioning: manual for revoke in the policy');

    const { records } = await readJournal(state.dir, plan.digest);
    expect(openManualTasks(records).map((t) => t.email)).toEqual([
      'sam@oldfirm.example',
      'zoe@acme.example',
    ]);
  });

  it('a 404 from the write becomes a manual task with the API’s answer as the reason', async () => {
    const { fake, desired, plan } = await acme();
    fake.fault = (call) => (call.kind === 'changeRole' ? 'not-offered' : undefined);
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(3);
    const grace = run.operations.find((o) => o.email === 'grace@acme.example');
    expect(grace).toMatchObject({ outcome: 'manual' });
    expect(grace?.detail).toBe(
      'FreshBooks answered 404 to changeRole grace@acme.example: the API does not offer this write to rolecall',
    );
    expect(renderManualChecklistText(run.manualTasks)).toContain(
      'where: Settings → Team Members → grace@acme.example → Edit → Role: Employee',
    );
  });

  it('a 403 errno 1003 is manual too; other 403s are failures', async () => {
    const { fake, desired, plan } = await acme();
    fake.changeRole = async (_b, _u, apiRole) => {
      throw apiError(
        403,
        'PUT x',
        apiRole === 'business_manager' ? 'Permission Denied.' : 'Forbidden',
        apiRole === 'business_manager' ? 1003 : 1012,
      );
    };
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.operations.find((o) => o.email === 'maya@acme.example')?.outcome).toBe('manual');
    // grace's downgrade is not blocked (maya's upgrade is not to admin) and fails on its own 403.
    expect(run.operations.find((o) => o.email === 'grace@acme.example')?.outcome).toBe('failed');
  });

  it('checkManualTasks tells done from pending, and a rerun records the done one as already', async () => {
    const { fake, desired, plan } = await acme(
      policyOf(ACME_DESIRED, { provisioning: { revoke: 'manual' } }),
    );
    await applyPlan(optionsFor(fake, desired, plan, state.dir));
    // A human removes zoe in FreshBooks; sam stays.
    fake.tamper(BUSINESS, 'zoe@acme.example', { active: false });
    const live = await syncLiveState(fake, [BUSINESS], { now: NOW });
    const { records } = await readJournal(state.dir, plan.digest);
    const checked = checkManualTasks(records, live);
    expect(checked.done.map((t) => t.email)).toEqual(['zoe@acme.example']);
    expect(checked.pending.map((t) => t.email)).toEqual(['sam@oldfirm.example']);
    // A sync of another business leaves tasks pending.
    expect(checkManualTasks(records, { ...live, businesses: [] }).pending).toHaveLength(2);

    const calls = fake.calls.length;
    const rerun = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(rerun.exitCode).toBe(3);
    expect(rerun.operations.find((o) => o.email === 'zoe@acme.example')).toMatchObject({
      outcome: 'already',
      detail: 'done in FreshBooks (manual task)',
    });
    expect(rerun.operations.find((o) => o.email === 'sam@oldfirm.example')).toMatchObject({
      outcome: 'manual',
      resumed: true,
    });
    expect(fake.calls.length).toBe(calls);
    expect(rerun.manualTasks.map((t) => t.email)).toEqual(['sam@oldfirm.example']);
    // Four operations were done by the first run; the open task is not counted as done.
    expect(rerun.resumed).toBe(4);
  });
});

describe('the audit log', () => {
  it('one record per operation with every field, and a summary', async () => {
    const { fake, desired, plan } = await acme();
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, { actor: 'github:octocat' }),
    );
    const all = await readAuditFile(auditPath(state.dir, NOW.toISOString()));
    const ops = all.filter((r) => r.type === 'operation');
    expect(ops).toHaveLength(6);
    const grace = ops.find((r) => r.type === 'operation' && r.email === 'grace@acme.example');
    expect(grace).toEqual({
      type: 'operation',
      id: `${run.runId}:${BUSINESS}/grace@acme.example/change`,
      time: expect.stringMatching(/^2026-11-29T10:\d\d:\d\d\.000Z$/),
      actor: 'github:octocat',
      planDigest: plan.digest,
      policyCommit: { sha: 'c0ffee0000000000000000000000000000000000', dirty: false },
      businessId: BUSINESS,
      email: 'grace@acme.example',
      action: 'change',
      from: { role: 'manager', state: 'active' },
      to: 'employee',
      outcome: 'applied',
      requestId: expect.stringMatching(/^req-\d+$/),
      approval: '--yes at terminal',
      // What FreshBooks showed when the change was read back: the confirmation.
      shows: { uuid: expect.any(String), role: 'employee', state: 'active' },
    });
    expect(all.at(-1)).toMatchObject({
      type: 'summary',
      result: 'applied',
      exitCode: 0,
      counts: { applied: 6, already: 0, manual: 0, failed: 0, unconfirmed: 0 },
      actor: 'github:octocat',
      runId: run.runId,
    });
  });

  it('never contains a secret, even one an error message carried', async () => {
    const secret = 'sandbox-refresh-0123456789abcdef0123';
    registerSecret(secret);
    const { fake, desired, plan } = await acme();
    fake.remove = async () => {
      throw apiError(400, 'DELETE x', `bad request (refresh_token=${secret})`);
    };
    await applyPlan(optionsFor(fake, desired, plan, state.dir));
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(auditPath(state.dir, NOW.toISOString()), 'utf8');
    const journal = await readFile(`${state.dir}/journal/${plan.digest.slice(7)}.jsonl`, 'utf8');
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(secret);
    expect(journal).not.toContain(secret);
  });

  it('an outcome journaled but not audited before a crash is audited once on the next run', async () => {
    const { fake, desired, plan } = await acme();
    // Die after the first outcome is journaled: the audit append is the next thing to run.
    const controller = new AbortController();
    const { Journal } = await import('../../../src/apply/journal.js');
    const append = Journal.prototype.append;
    Journal.prototype.append = function (record) {
      const result = append.call(this, record);
      if (record.type === 'outcome') void result.then(() => controller.abort(new Error('killed')));
      return result;
    };
    try {
      await expect(
        applyPlan({
          ...optionsFor(fake, desired, plan, state.dir, { concurrency: 1 }),
          signal: controller.signal,
        }),
      ).rejects.toThrow('killed');
    } finally {
      Journal.prototype.append = append;
    }
    expect(await auditRecords(state.dir)).toEqual([]);
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.recoveredAudit).toBe(1);
    const ops = await auditRecords(state.dir);
    // The first operation: the seat release that revokes sam's pending invitation.
    expect(ops.filter((r) => r.email === 'sam@oldfirm.example')).toEqual([
      expect.objectContaining({ outcome: 'applied', recovered: true }),
    ]);
    expect(ops).toHaveLength(6);
    expect(new Set(ops.map((r) => r.id)).size).toBe(6);
  });
});
