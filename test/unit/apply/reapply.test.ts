/**
 * Running a plan again: when earlier runs finished all of it, the run says so — by which run
 * and when — and reads, asks and writes nothing; when they finished part of it, it says how
 * much before the checks and in the report, and does the rest.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan, type ApplyPlanOptions } from '../../../src/apply/apply-plan.js';
import { refusingGate } from '../../../src/apply/approval-gates.js';
import type { EarlierRuns } from '../../../src/apply/earlier-runs.js';
import { readJournal } from '../../../src/apply/journal.js';
import {
  renderApplyResultMarkdown,
  renderApplyResultText,
} from '../../../src/apply/render-apply-result.js';
import {
  ACME_DESIRED,
  acmeFake,
  desiredOf,
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

/** Runs until the `nth` operation starts, then dies there (like `kill -9`). */
async function crashAt(options: ApplyPlanOptions, nth: number): Promise<void> {
  const controller = new AbortController();
  let seen = 0;
  const hooks = {
    beforeOperation: () => {
      seen += 1;
      if (seen === nth) controller.abort(new Error('killed'));
    },
  };
  await expect(applyPlan({ ...options, signal: controller.signal, hooks })).rejects.toThrow(
    'killed',
  );
}

describe('a plan applied before', () => {
  it('says "Nothing to do" with the run and time; reads, asks and sends nothing (exit 0)', async () => {
    const { fake, desired, plan } = await acme();
    const first = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(first.exitCode).toBe(0);
    const journal = (await readJournal(state.dir, plan.digest)).records;
    const reads = fake.reads;
    const calls = fake.calls.length;

    // A gate that would refuse proves it is not asked: there is nothing to approve.
    const again = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, { gate: refusingGate('must not be asked') }),
    );
    expect(again.exitCode).toBe(0);
    expect(again.alreadyApplied).toBe(true);
    expect(again.runId).toBeNull();
    expect(again.earlier).toMatchObject({ done: 6, total: 6, runs: 1, lastRunId: first.runId });
    const text = renderApplyResultText(again, { plan });
    expect(text.split('\n')[0]).toBe(
      `Nothing to do: this plan was already applied (6 operations, run ${first.runId}, 2026-11-29 10:00 UTC).`,
    );
    expect(text).not.toMatch(/Apply complete/);
    expect(text).not.toMatch(/not sent again/);
    expect(renderApplyResultMarkdown(again)).toMatch(/^### rolecall apply — already applied\n/);
    expect(fake.reads).toBe(reads);
    expect(fake.calls).toHaveLength(calls);
    // No new run in the journal.
    expect((await readJournal(state.dir, plan.digest)).records).toEqual(journal);
  });

  it('names the last of several runs when more than one did the work', async () => {
    const { fake, desired, plan } = await acme();
    await crashAt(optionsFor(fake, desired, plan, state.dir, { concurrency: 1 }), 3);
    const second = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(second.exitCode).toBe(0);
    const third = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(third.alreadyApplied).toBe(true);
    expect(third.earlier).toMatchObject({ done: 6, runs: 2, lastRunId: second.runId });
    expect(renderApplyResultText(third).split('\n')[0]).toMatch(
      new RegExp(
        `^Nothing to do: this plan was already applied \\(6 operations, 2 runs, the last ${second.runId} at 2026-11-29 10:\\d\\d UTC\\)\\.$`,
      ),
    );
  });

  it('an open manual task is not "applied": the run goes on and checks it', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED, { provisioning: { revoke: 'manual' } }));
    const plan = await planFor(fake, desired);
    const first = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(first.exitCode).toBe(3);
    const again = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(again.alreadyApplied).toBeUndefined();
    expect(again.exitCode).toBe(3);
    expect(again.runId).not.toBeNull();
  });
});

describe('a plan partly applied before', () => {
  it('says how many were done, by which run, before the checks and in the report; does the rest', async () => {
    const { fake, desired, plan } = await acme();
    await crashAt(optionsFor(fake, desired, plan, state.dir, { concurrency: 1 }), 3);
    const journal = (await readJournal(state.dir, plan.digest)).records;
    const firstRun = journal.find((r) => r.type === 'plan-start')?.runId;
    expect(fake.calls).toHaveLength(2);

    const told: EarlierRuns[] = [];
    const events: string[] = [];
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, {
        onResume: (earlier) => (told.push(earlier), events.push('resume')),
        gate: {
          decide: async () => (events.push('gate'), { approved: true, reason: 'test' }),
        },
      }),
    );
    expect(told).toEqual([
      {
        done: 2,
        total: 6,
        runs: 1,
        lastRunId: firstRun,
        lastAt: expect.stringMatching(/^2026-11-29T10:/),
      },
    ]);
    expect(events).toEqual(['resume', 'gate']);
    expect(run.exitCode).toBe(0);
    expect(run.resumed).toBe(2);
    expect(fake.calls).toHaveLength(6);
    expect(new Set(fake.effective.map((c) => `${c.kind} ${c.email}`)).size).toBe(6);
    expect(renderApplyResultText(run, { plan })).toMatch(
      new RegExp(
        `\\n2 of 6 operation\\(s\\) were done by an earlier run of this plan \\(run ${firstRun}, 2026-11-29 10:\\d\\d UTC\\) and not sent again\\.\\n`,
      ),
    );
  });

  it('a first run is told nothing', async () => {
    const { fake, desired, plan } = await acme();
    const told: EarlierRuns[] = [];
    const run = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, { onResume: (e) => told.push(e) }),
    );
    expect(run.earlier).toBeUndefined();
    expect(told).toEqual([]);
    expect(renderApplyResultText(run)).not.toMatch(/earlier run/);
  });
});
