/**
 * Read-after-write: a 2xx counts only once FreshBooks shows the change. A write acknowledged
 * without effect is `unconfirmed` (with what FreshBooks shows), not applied: the run exits 3,
 * the journal and the audit log say so, and the same plan run again writes it again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import { auditPath, readAuditFile } from '../../../src/apply/audit-log.js';
import { readJournal } from '../../../src/apply/journal.js';
import type { AuditOperationRecord, OutcomeRecord } from '../../../src/apply/records.js';
import {
  renderApplyResultMarkdown,
  renderApplyResultText,
} from '../../../src/apply/render-apply-result.js';
import { apiError } from './fake-freshbooks.js';
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

async function acme() {
  const fake = acmeFake();
  const desired = desiredOf(policyOf(ACME_DESIRED));
  return { fake, desired, plan: await planFor(fake, desired) };
}

const outcomes = (run: { operations: Array<{ email: string; outcome: string }> }) =>
  Object.fromEntries(run.operations.map((o) => [o.email, o.outcome]));

describe('every write is read back', () => {
  it('a clean run: each write applied with what FreshBooks showed; the summary says N confirmed', async () => {
    const { fake, desired, plan } = await acme();
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(0);
    const grace = run.operations.find((o) => o.email === 'grace@acme.example');
    expect(grace).toMatchObject({
      outcome: 'applied',
      shows: { role: 'employee', state: 'active' },
    });
    // Removing a pending invitation cancels it: FreshBooks then shows nobody.
    expect(run.operations.find((o) => o.email === 'sam@oldfirm.example')).toMatchObject({
      outcome: 'applied',
      shows: null,
    });
    expect(run.operations.find((o) => o.email === 'eli@acme.example')?.shows).toMatchObject({
      role: 'accountant',
      state: 'invited',
    });
    expect(renderApplyResultText(run).split('\n')[0]).toBe(
      'Apply complete: 6 applied, 0 already in place, 0 manual, 0 failed. 6 confirmed by FreshBooks (read back after the write).',
    );
  });

  it.each([
    [
      'change',
      'grace@acme.example',
      'changeRole',
      'FreshBooks accepted the role change (2xx) but shows grace@acme.example as manager (active)',
    ],
    [
      'revoke',
      'zoe@acme.example',
      'remove',
      'FreshBooks accepted the removal (2xx) but shows zoe@acme.example as employee (active)',
    ],
  ] as const)(
    'a %s acknowledged without effect is unconfirmed, says what FreshBooks shows, and exits 3',
    async (_action, email, kind, detail) => {
      const { fake, desired, plan } = await acme();
      fake.fault = (call, attempt) =>
        call.kind === kind && call.email === email && attempt === 1 ? 'ack' : undefined;
      const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
      expect(run.exitCode).toBe(3);
      const op = run.operations.find((o) => o.email === email);
      expect(op?.outcome).toBe('unconfirmed');
      expect(op?.detail).toBe(`${detail}: not applied; the next apply checks it again`);
      expect(op?.requestId).toMatch(/^req-\d+$/);
      // One write only: an unconfirmed write is not retried blindly within the run.
      expect(fake.calls.filter((c) => c.email === email)).toHaveLength(1);
      // The others are unaffected.
      expect(Object.values(outcomes(run)).filter((o) => o === 'applied')).toHaveLength(5);

      const text = renderApplyResultText(run);
      expect(text.split('\n')[0]).toBe(
        'Apply partly done: 5 applied, 0 already in place, 0 manual, 0 failed, 1 unconfirmed. 5 confirmed by FreshBooks (read back after the write). 1 not confirmed: FreshBooks did not show the change, so it is not counted as applied. Fix what is listed below, then run the same plan again (done operations are skipped).',
      );
      expect(text).toMatch(new RegExp(` {2}unconfirmed [a-z ]+${email.replace('.', '\\.')}`));
      expect(renderApplyResultMarkdown(run)).toContain(
        `| ⚠️ unconfirmed | ${BUSINESS} | ${email} |`,
      );

      // The journal and the audit log: unconfirmed, with what FreshBooks showed.
      const journal = (await readJournal(state.dir, plan.digest)).records;
      const outcome = journal.find(
        (r): r is OutcomeRecord => r.type === 'outcome' && r.email === email,
      );
      expect(outcome).toMatchObject({ outcome: 'unconfirmed', shows: { state: 'active' } });
      expect(journal.at(-1)).toMatchObject({
        type: 'plan-end',
        exitCode: 3,
        counts: { applied: 5, unconfirmed: 1 },
      });
      const audit = await readAuditFile(auditPath(state.dir, NOW.toISOString()));
      expect(
        audit.find((r): r is AuditOperationRecord => r.type === 'operation' && r.email === email),
      ).toMatchObject({ outcome: 'unconfirmed', shows: { state: 'active' } });
      expect(audit.at(-1)).toMatchObject({ type: 'summary', result: 'partial', exitCode: 3 });

      // The same plan again: not "done by an earlier run" — written again, and confirmed.
      const again = await applyPlan(optionsFor(fake, desired, plan, state.dir));
      expect(again.exitCode).toBe(0);
      expect(again.alreadyApplied).toBeUndefined();
      expect(again.operations.find((o) => o.email === email)).toMatchObject({
        outcome: 'applied',
      });
      expect(again.operations.find((o) => o.email === email)?.resumed).toBeUndefined();
      expect(fake.effective.filter((c) => c.email === email)).toHaveLength(1);
    },
  );

  it('a read-back that fails leaves the write unconfirmed, never applied; the rerun re-reads it done', async () => {
    const { fake, desired, plan } = await acme();
    let failing = false;
    fake.onEffect = (call) => {
      if (call.email === 'maya@acme.example') failing = true;
    };
    fake.readFault = () => {
      if (!failing) return undefined;
      failing = false;
      return apiError(503, 'GET team_members', 'Service Unavailable');
    };
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir, { concurrency: 1 }));
    const maya = run.operations.find((o) => o.email === 'maya@acme.example');
    expect(maya?.outcome).toBe('unconfirmed');
    expect(maya?.detail).toMatch(
      /^FreshBooks accepted the role change, but reading it back failed \(.*503.*\); the next apply checks it$/,
    );
    expect(run.exitCode).toBe(3);
    const again = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(again.operations.find((o) => o.email === 'maya@acme.example')).toMatchObject({
      outcome: 'applied',
      detail: 'confirmed by re-reading the member',
    });
    // It took effect the first time: never written twice.
    expect(fake.calls.filter((c) => c.email === 'maya@acme.example')).toHaveLength(1);
  });

  it('an unconfirmed admin grant blocks an admin removal of the same business (minAdmins)', async () => {
    const fake = acmeFake();
    const desired = desiredOf(
      policyOf(
        [
          { email: 'alice@acme.example', role: 'admin' },
          { email: 'maya@acme.example', role: 'admin' },
        ],
        { rules: { minAdmins: 2, maxRevokes: { fraction: 1 } } },
      ),
    );
    const plan = await planFor(fake, desired);
    fake.fault = (call) => (call.email === 'maya@acme.example' ? 'ack' : undefined);
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(outcomes(run)['maya@acme.example']).toBe('unconfirmed');
    expect(outcomes(run)['ben@acme.example']).toBe('failed');
    expect(run.operations.find((o) => o.email === 'ben@acme.example')?.detail).toMatch(
      /did not complete, and removing an admin now could leave too few/,
    );
    expect(fake.calls.some((c) => c.email === 'ben@acme.example')).toBe(false);
  });
});
