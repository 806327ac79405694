/**
 * A graceful stop (`interrupt`, what Ctrl-C becomes): before the first write nothing is
 * written; after it, no new operation starts, the one in flight finishes and is journaled, the
 * report says how far it got (exit 130, SIGTERM 143), and the same plan run again finishes the
 * rest without doing anything twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import { auditPath, readAuditFile } from '../../../src/apply/audit-log.js';
import { readJournal } from '../../../src/apply/journal.js';
import { renderApplyResultText } from '../../../src/apply/render-apply-result.js';
import type { ApprovalGate } from '../../../src/ports.js';
import {
  ACME_DESIRED,
  acmeFake,
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

/** An interrupt that fires as the `nth` operation starts (that one is then in flight). */
function interruptAt(nth: number, signal = 'SIGINT') {
  const controller = new AbortController();
  let seen = 0;
  return {
    interrupt: controller.signal,
    hooks: {
      beforeOperation: () => {
        seen += 1;
        if (seen === nth) controller.abort(signal);
      },
    },
  };
}

describe('an interrupt during the writes', () => {
  it('lets the operation in flight finish, starts no other, says how far it got (exit 130)', async () => {
    const { fake, desired, plan } = await acme();
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, { concurrency: 1, ...interruptAt(3) }),
    );
    expect(run.exitCode).toBe(130);
    expect(run.interrupted).toEqual({ signal: 'SIGINT', done: 3, total: 6 });
    expect(run.refusal).toBeUndefined();
    // The third one was in flight when the interrupt came: it finished, nothing else started.
    expect(fake.calls).toHaveLength(3);
    expect(run.operations.map((o) => o.outcome)).toEqual(['applied', 'applied', 'applied']);
    expect(renderApplyResultText(run, { plan }).split('\n')[0]).toBe(
      'Interrupted (SIGINT) — 3 of 6 operations done; run the same command again to resume.',
    );

    const { records } = await readJournal(state.dir, plan.digest);
    expect(records.filter((r) => r.type === 'outcome')).toHaveLength(3);
    expect(records.at(-1)).toMatchObject({ type: 'plan-end', exitCode: 130 });
    const summary = (await readAuditFile(auditPath(state.dir, NOW.toISOString()))).find(
      (r) => r.type === 'summary',
    );
    expect(summary).toMatchObject({
      result: 'partial',
      exitCode: 130,
      reason: 'interrupted by SIGINT: 3 of 6 operations done',
    });

    // The same plan again: the other three, each written once.
    const rerun = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(rerun.exitCode).toBe(0);
    expect(rerun.resumed).toBe(3);
    expect(fake.calls).toHaveLength(6);
    const written = fake.effective.map((c) => `${c.kind} ${c.email}`);
    expect(new Set(written).size).toBe(6);
    expect((await planFor(fake, desired)).businesses[0]?.changes).toEqual([]);
  });

  it('SIGTERM exits 143', async () => {
    const { fake, desired, plan } = await acme();
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, { concurrency: 1, ...interruptAt(2, 'SIGTERM') }),
    );
    expect(run.exitCode).toBe(143);
    expect(run.interrupted).toEqual({ signal: 'SIGTERM', done: 2, total: 6 });
  });

  it('with writes in parallel, each one started finishes and is reported', async () => {
    const { fake, desired, plan } = await acme();
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, { concurrency: 4, ...interruptAt(2) }),
    );
    expect(run.exitCode).toBe(130);
    // Lanes pick operations one at a time: the interrupt at the second start leaves the first
    // two started (and finished), the rest not.
    expect(fake.calls).toHaveLength(2);
    expect(run.interrupted?.done).toBe(2);
  });

  it('an interrupt during the last operation changes nothing: the run is complete (exit 0)', async () => {
    const { fake, desired, plan } = await acme();
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, { concurrency: 1, ...interruptAt(6) }),
    );
    expect(run.exitCode).toBe(0);
    expect(run.interrupted).toBeUndefined();
    expect(fake.calls).toHaveLength(6);
  });
});

describe('an interrupt before the first write', () => {
  it('before anything is read: nothing is read or written, no journal, exit 130', async () => {
    const { fake, desired, plan } = await acme();
    const reads = fake.reads;
    const controller = new AbortController();
    controller.abort('SIGINT');
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, { interrupt: controller.signal }),
    );
    expect(run.exitCode).toBe(130);
    expect(run.refusal).toEqual({
      code: 'INTERRUPTED',
      message: 'stopped by SIGINT before any write',
      details: [],
    });
    expect(renderApplyResultText(run)).toBe(
      'Interrupted: stopped by SIGINT before any write, so nothing was changed. Run the same command again to apply.\n',
    );
    expect(fake.reads).toBe(reads);
    expect(fake.calls).toEqual([]);
    expect((await readJournal(state.dir, plan.digest)).records).toEqual([]);
  });

  it('at the confirmation prompt: an interruption, not a refusal, and nothing written', async () => {
    const { fake, desired, plan } = await acme();
    const controller = new AbortController();
    // What Ctrl-C at the terminal prompt does: the signal, then an empty answer.
    const gate: ApprovalGate = {
      decide: async () => {
        controller.abort('SIGINT');
        return { approved: false, reason: 'the answer at the terminal prompt was not "yes"' };
      },
    };
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, { gate, interrupt: controller.signal }),
    );
    expect(run.exitCode).toBe(130);
    expect(run.refusal?.code).toBe('INTERRUPTED');
    expect(fake.calls).toEqual([]);
  });
});
