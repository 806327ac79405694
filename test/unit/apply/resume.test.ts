import { appendFile, readFile, writeFile, mkdir } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan, type ApplyPlanOptions } from '../../../src/apply/apply-plan.js';
import { confirmationGate } from '../../../src/apply/approval-gates.js';
import { bufferIo } from '../../support/buffer-io.js';
import {
  historyByOperation,
  Journal,
  journalPath,
  parseJournal,
  readJournal,
} from '../../../src/apply/journal.js';
import type { Operation } from '../../../src/apply/order-operations.js';
import {
  ACME_DESIRED,
  acmeFake,
  BUSINESS,
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

/** Runs an apply that "dies" (its signal aborted) at a hook; resolves once it has stopped. */
async function crashAt(
  options: ApplyPlanOptions,
  where: 'beforeOperation' | 'afterIntent',
  nth: number,
) {
  const controller = new AbortController();
  let seen = 0;
  const kill = (_op: Operation) => {
    seen += 1;
    if (seen === nth) controller.abort(new Error('killed'));
  };
  await expect(
    applyPlan({ ...options, signal: controller.signal, hooks: { [where]: kill } }),
  ).rejects.toThrow('killed');
}

describe('parseJournal', () => {
  it('ignores a torn last record and counts it', () => {
    const text =
      '{"type":"plan-start","runId":"r"}\n{"type":"intent","op":"1/a/grant"}\n{"type":"outc';
    const { records, skipped } = parseJournal(text);
    expect(records.map((r) => r.type)).toEqual(['plan-start', 'intent']);
    expect(skipped).toBe(1);
  });

  it('reads an intent without outcome as unfinished, and a later outcome as settled', () => {
    const base = { at: 't', runId: 'r', businessId: 1, email: 'a@x', action: 'grant' as const };
    const history = historyByOperation([
      { type: 'intent', op: '1/a@x/grant', attempt: 1, ...base },
      { type: 'intent', op: '1/b@x/grant', attempt: 1, ...base, email: 'b@x' },
      {
        type: 'outcome',
        op: '1/b@x/grant',
        from: null,
        to: { role: 'employee' },
        outcome: 'applied',
        auditId: 'x',
        ...base,
        email: 'b@x',
      },
    ]);
    expect(history.get('1/a@x/grant')).toEqual({ intended: true, unfinished: true });
    expect(history.get('1/b@x/grant')).toMatchObject({
      intended: true,
      unfinished: false,
      outcome: { outcome: 'applied' },
    });
  });
});

describe('Journal.open', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;

  it('starts the next record on a fresh line after a torn one', async () => {
    const path = journalPath(state.dir, digest);
    await mkdir(`${state.dir}/journal`, { recursive: true });
    await writeFile(path, '{"type":"plan-start","runId":"r1"}\n{"type":"inte');
    const journal = await Journal.open(state.dir, digest);
    expect(journal.skipped).toBe(1);
    await journal.append({
      type: 'plan-end',
      at: 't',
      runId: 'r2',
      exitCode: 0,
      counts: { applied: 0, already: 0, manual: 0, failed: 0, unconfirmed: 0 },
    });
    await journal.close();
    const { records, skipped } = parseJournal(await readFile(path, 'utf8'));
    expect(records.map((r) => r.type)).toEqual(['plan-start', 'plan-end']);
    expect(skipped).toBe(1);
  });

  it('refuses a second apply of the same plan while one runs, and takes over a dead one’s lock', async () => {
    const first = await Journal.open(state.dir, digest);
    await expect(Journal.open(state.dir, digest)).rejects.toThrow(
      /another apply of this plan is running/,
    );
    await first.close();
    // A lock left behind by a process that no longer exists (kill -9).
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    await writeFile(
      `${journalPath(state.dir, digest)}.lock`,
      JSON.stringify({ pid: dead, host: hostname(), at: 't' }),
    );
    const taken = await Journal.open(state.dir, digest);
    await taken.close();
  });

  it('rejects a malformed digest instead of building a path from it', async () => {
    await expect(Journal.open(state.dir, 'sha256:../../etc/passwd')).rejects.toThrow(/malformed/);
  });
});

describe('resume after a crash', () => {
  const setup = async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    return { fake, desired, plan };
  };

  it('skips operations a previous run finished and sends nothing for them again', async () => {
    const { fake, desired, plan } = await setup();
    // Killed as the second phase starts: the two seat releases (revokes) are done.
    await crashAt(optionsFor(fake, desired, plan, state.dir), 'beforeOperation', 3);
    const before = fake.calls.length;
    expect(before).toBe(2);
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(0);
    expect(run.resumed).toBe(2);
    expect(fake.calls.length - before).toBe(4);
    expect(fake.effective).toHaveLength(6);
    expect((await planFor(fake, desired)).businesses[0]?.changes).toEqual([]);
  });

  it('re-checks an intent without outcome: the write never went out → it is sent once', async () => {
    const { fake, desired, plan } = await setup();
    // The third intent: eli's invitation, after the two seat releases.
    await crashAt(optionsFor(fake, desired, plan, state.dir, { concurrency: 1 }), 'afterIntent', 3);
    expect(fake.calls.map((c) => c.email)).toEqual(['sam@oldfirm.example', 'zoe@acme.example']);
    const history = historyByOperation((await readJournal(state.dir, plan.digest)).records);
    expect(history.get(`${BUSINESS}/eli@acme.example/grant`)).toEqual({
      intended: true,
      unfinished: true,
    });

    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(0);
    expect(fake.effective.filter((c) => c.email === 'eli@acme.example')).toHaveLength(1);
    // An intent existed, so the outcome is `applied` (rolecall's write), not `already`.
    expect(run.operations.find((o) => o.email === 'eli@acme.example')?.outcome).toBe('applied');
  });

  it('re-checks an intent without outcome: the write took effect → no second invitation', async () => {
    const { fake, desired, plan } = await setup();
    const controller = new AbortController();
    // Die right after FreshBooks acted on the invitation, before its outcome was recorded.
    fake.onEffect = (call) => {
      if (call.email === 'eli@acme.example') controller.abort(new Error('killed'));
    };
    await expect(
      applyPlan({
        ...optionsFor(fake, desired, plan, state.dir, { concurrency: 1 }),
        signal: controller.signal,
      }),
    ).rejects.toThrow('killed');
    fake.onEffect = () => undefined;
    expect(fake.effective.map((c) => c.email)).toEqual([
      'sam@oldfirm.example',
      'zoe@acme.example',
      'eli@acme.example',
    ]);

    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(0);
    expect(fake.calls.filter((c) => c.email === 'eli@acme.example')).toHaveLength(1);
    expect(run.operations.find((o) => o.email === 'eli@acme.example')).toMatchObject({
      outcome: 'applied',
      detail: 'confirmed by re-reading the member',
    });
  });

  it('resumes a journal whose finished operations are not a prefix of today’s order (the grants-first order before seat releases)', async () => {
    const { fake, desired, plan } = await setup();
    // An earlier run got through the old first phase only: grants and upgrades. The journal
    // knows operations by key, never by phase, so the order it was written in does not matter.
    const first = await applyPlan(
      optionsFor(fake, desired, plan, state.dir, {
        only: (c) => c.action === 'grant' || c.email === 'maya@acme.example',
      }),
    );
    expect(first.operations.map((o) => o.email)).toEqual([
      'eli@acme.example',
      'jules@acme.example',
      'maya@acme.example',
    ]);
    const sent = fake.calls.length;

    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir, { concurrency: 1 }));
    expect(run.exitCode).toBe(0);
    expect(run.resumed).toBe(3);
    expect(run.operations.map((o) => `${o.email}${o.resumed ? ' (earlier)' : ''}`)).toEqual([
      'sam@oldfirm.example',
      'zoe@acme.example',
      'eli@acme.example (earlier)',
      'jules@acme.example (earlier)',
      'maya@acme.example (earlier)',
      'grace@acme.example',
    ]);
    expect(fake.calls.slice(sent).map((c) => c.email)).toEqual([
      'sam@oldfirm.example',
      'zoe@acme.example',
      'grace@acme.example',
    ]);
    expect((await planFor(fake, desired)).businesses[0]?.changes).toEqual([]);
  });

  it('asks a rerun only about the operations left, and says how many an earlier run did', async () => {
    const fake = acmeFake();
    const desired = desiredOf(policyOf(ACME_DESIRED));
    const plan = await planFor(fake, desired);
    const total = plan.businesses[0]!.changes.length;
    await crashAt(
      optionsFor(fake, desired, plan, state.dir, { concurrency: 1 }),
      'beforeOperation',
      3,
    );
    const questions: string[] = [];
    const io = {
      ...bufferIo(),
      prompt: async (question: string) => {
        questions.push(question);
        return 'yes';
      },
    };
    const gate = confirmationGate(io, {
      yes: false,
      ask: (changes) => `Apply these ${changes} change(s) to FreshBooks now?`,
    });
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir, { gate }));
    expect(run.exitCode).toBe(0);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain(`2 of ${total} already applied by an earlier run of this plan.`);
    expect(questions[0]).toContain(`Apply these ${total - 2} change(s) to FreshBooks now?`);
  });

  it('tolerates a journal whose last record was cut short by the crash', async () => {
    const { fake, desired, plan } = await setup();
    await crashAt(
      optionsFor(fake, desired, plan, state.dir, { concurrency: 1 }),
      'beforeOperation',
      3,
    );
    await appendFile(journalPath(state.dir, plan.digest), '{"type":"outcome","op":"2403');
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.exitCode).toBe(0);
    expect(run.warnings.join(' ')).toMatch(/1 unreadable line/);
    expect(fake.effective).toHaveLength(6);
  });

  it('a run killed at any operation boundary or intent, then rerun, ends like one clean run', async () => {
    // The default maxRevokes (25%): a revoke whose write landed but whose outcome the crash lost
    // (sam's cancelled invitation) must not count again against the team it already shrank
    // (2 revokes of 7 > 25% would refuse the rerun); preflight judges it done, as live shows.
    const setup = async () => {
      const fake = acmeFake();
      const desired = desiredOf(policyOf(ACME_DESIRED));
      const plan = await planFor(fake, desired);
      return { fake, desired, plan };
    };
    const clean = await setup();
    await applyPlan(optionsFor(clean.fake, clean.desired, clean.plan, state.dir));
    const cleanLive = JSON.stringify(
      clean.fake
        .members(BUSINESS)
        .map((m) => [m.email, m.apiRole, m.active])
        .sort(),
    );
    for (const where of ['beforeOperation', 'afterIntent'] as const) {
      for (let nth = 1; nth <= 6; nth += 1) {
        const dir = await tempStateDir();
        try {
          const { fake, desired, plan } = await setup();
          await crashAt(optionsFor(fake, desired, plan, dir.dir), where, nth);
          const run = await applyPlan(optionsFor(fake, desired, plan, dir.dir));
          expect(run.exitCode, `${where} #${nth}`).toBe(0);
          const live = JSON.stringify(
            fake
              .members(BUSINESS)
              .map((m) => [m.email, m.apiRole, m.active])
              .sort(),
          );
          expect(live, `${where} #${nth}`).toBe(cleanLive);
          const invites = fake.effective.filter((c) => c.kind === 'invite').map((c) => c.email);
          expect(new Set(invites).size, `${where} #${nth}`).toBe(invites.length);
        } finally {
          await dir.cleanup();
        }
      }
    }
  });
});
