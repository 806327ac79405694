import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../../src/apply/journal.js';
import { checkManualTasks } from '../../../src/apply/records.js';
import { auditPath, readAuditFile } from '../../../src/apply/audit-log.js';
import { main } from '../../../src/cli/main.js';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { bufferIo } from '../../support/buffer-io.js';
import {
  ACME,
  planNow,
  syncNow,
  workspace,
  writeLog,
  writePlanFile,
  type Workspace,
} from './apply-harness.js';

const NOW = new Date('2026-11-29T10:00:00.000Z');
let emulator: RunningEmulator;
let ws: Workspace;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.configure({ faults: '', disabledWrites: [] });
  ws = await workspace(emulator);
});
afterEach(() => ws.close());

async function apply(planFile: string, ...extra: string[]) {
  const io = bufferIo({ env: ws.env, cwd: ws.cwd });
  const code = await main(['apply', planFile, '--policies', ws.policiesDir, ...extra], io);
  return { code, out: io.out(), err: io.err() };
}

const member = (email: string) => emulator.control.member(ACME, email);

describe('rolecall apply against the emulator', () => {
  it('applies the demo plan: exit 0, a second plan is empty, no re-invitation, the owner untouched', async () => {
    const owner = member('olivia@acme.example');
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    emulator.control.resetRequests();

    const result = await apply(file, '--yes');
    expect(result.err).not.toMatch(/rolecall:/);
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      'Apply complete: 6 applied, 0 already in place, 0 manual, 0 failed.',
    );
    expect(result.out).toMatch(/Audit log: \.rolecall\/audit\/\d{4}-\d\d-\d\d\.jsonl/);

    const invites = writeLog(emulator).filter(
      (e) => e.route === 'POST /auth/api/v1/users/invitation',
    );
    expect(invites.map((e) => (e.body as { to_email: string }).to_email).sort()).toEqual([
      'eli@acme.example',
      'jules@acme.example',
    ]);
    expect(member('olivia@acme.example')).toEqual(owner);
    expect(member('pat@acme.example')?.business_role_name).toBe('time_tracking_admin');
    const { plan: again } = await planNow(ws, NOW);
    expect(again.businesses[0]?.changes).toEqual([]);

    const audit = await readAuditFile(auditPath(ws.stateDir, new Date().toISOString()));
    const ops = audit.filter((r) => r.type === 'operation');
    expect(ops).toHaveLength(6);
    const requestIds = new Set(emulator.control.requests().log.map((e) => e.requestId));
    for (const op of ops) {
      if (op.type !== 'operation') continue;
      expect(op.requestId === null || requestIds.has(op.requestId), op.email).toBe(true);
    }
    expect(JSON.stringify(audit)).not.toContain(emulator.credentials.clientSecret);
  });

  it('refuses a stale plan: exit 1, says what changed and to re-plan, writes nothing', async () => {
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    const grace = member('grace@acme.example');
    emulator.control.updateMember(ACME, grace?.uuid ?? '', { role: 'business_employee' });
    emulator.control.resetRequests();

    const result = await apply(file, '--yes');
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      'Refused: the plan is stale: FreshBooks changed since it was made; re-plan.',
    );
    // The policy's role names, as in the plan and the rest of the report; never the API's.
    expect(result.out).toContain('grace@acme.example: role manager → employee since the plan');
    expect(result.out).not.toMatch(/business_(manager|employee)/);
    expect(writeLog(emulator)).toEqual([]);
  });

  it('refuses a tampered plan file before talking to FreshBooks', async () => {
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"role": "employee"', '"role": "admin"'));
    emulator.control.resetRequests();

    const result = await apply(file, '--yes');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/digest mismatch; re-plan/);
    expect(emulator.control.requests().total).toBe(0);
  });

  it('refuses when a guard fails against live state at apply time', async () => {
    // A third admin the plan keeps, and a plan that downgrades ben; minAdmins 3.
    emulator.control.addMember(ACME, {
      email: 'carl@acme.example',
      role: 'admin',
      state: 'active',
    });
    const yaml = (await readFile(`${ws.policiesDir}/acme-books.yaml`, 'utf8'))
      .replace('minAdmins: 2', 'minAdmins: 3')
      .replace(
        '  - email: ben@acme.example\n    role: admin',
        '  - email: ben@acme.example\n    role: manager',
      )
      .replace(
        '  # Managers\n',
        '  - email: carl@acme.example\n    role: admin\n    reason: Deputy controller\n\n  # Managers\n',
      );
    await writeFile(`${ws.policiesDir}/acme-books.yaml`, yaml);
    const { plan } = await planNow(ws, NOW);
    expect(plan.businesses[0]?.applyable).toBe(true);
    const file = await writePlanFile(ws, plan);
    // carl loses his seat behind rolecall's back: the plan would now leave 2 admins.
    emulator.control.updateMember(ACME, member('carl@acme.example')?.uuid ?? '', {
      state: 'deactivated',
    });
    emulator.control.resetRequests();

    const result = await apply(file, '--yes');
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      'Refused: a safety guard fails against live FreshBooks now; re-plan.',
    );
    expect(result.out).toMatch(
      /minAdmins: 2 active admins \(owner included\) after this plan, minimum 3; taken away: ben@acme.example/,
    );
    expect(writeLog(emulator)).toEqual([]);
  });

  it('a write route switched off becomes manual tasks (exit 3); once done by hand, a rerun exits 0', async () => {
    emulator.control.configure({ disabledWrites: ['remove'] });
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);

    const first = await apply(file, '--yes');
    expect(first.code).toBe(3);
    expect(first.out).toContain(
      'Apply partly done: 4 applied, 0 already in place, 2 manual, 0 failed.',
    );
    expect(first.out).toContain('Manual tasks (2)');
    expect(first.out).toContain(
      '[ ] zoe@acme.example — remove from the team (Employee) — Acme Books Inc. (240340)',
    );
    expect(first.out).toContain(
      'where: Settings → Team Members → sam@oldfirm.example → Cancel Invitation',
    );
    expect(first.out).toMatch(
      /why: {3}FreshBooks answered 404 errno 1012 to DELETE \/auth\/api\/v1\/businesses\/240340\/team_members\/[^:]+: the API does not offer this write to rolecall\n/,
    );

    const { records } = await readJournal(ws.stateDir, plan.digest);
    const before = checkManualTasks(records, await syncNow(ws, [ACME], NOW));
    expect(before.pending.map((t) => t.email)).toEqual(['sam@oldfirm.example', 'zoe@acme.example']);

    // Someone does the two tasks in FreshBooks.
    emulator.control.updateMember(ACME, member('zoe@acme.example')?.uuid ?? '', {
      state: 'deactivated',
    });
    emulator.control.updateMember(ACME, member('sam@oldfirm.example')?.uuid ?? '', {
      state: 'deactivated',
    });
    const after = checkManualTasks(records, await syncNow(ws, [ACME], NOW));
    expect(after.done.map((t) => t.email)).toEqual(['sam@oldfirm.example', 'zoe@acme.example']);

    emulator.control.resetRequests();
    const second = await apply(file, '--yes');
    expect(second.code).toBe(0);
    expect(second.out).toContain(
      'Apply complete: 4 applied, 2 already in place, 0 manual, 0 failed.',
    );
    const firstRun = (await readJournal(ws.stateDir, plan.digest)).records.find(
      (r) => r.type === 'plan-start',
    )?.runId;
    expect(second.out).toMatch(
      new RegExp(
        `4 of 6 operation\\(s\\) were done by an earlier run of this plan \\(run ${firstRun}, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\) and not sent again\\.`,
      ),
    );
    expect(second.err).toContain(
      `Resuming: 4 of 6 operation(s) were done by an earlier run of this plan (run ${firstRun}, `,
    );
    expect(writeLog(emulator)).toEqual([]);
  });

  it('applying an applied plan again: nothing to do, by which run and when; nothing read or written', async () => {
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    const first = await apply(file, '--yes');
    expect(first.code).toBe(0);
    const runId = (await readJournal(ws.stateDir, plan.digest)).records.find(
      (r) => r.type === 'plan-start',
    )?.runId;
    expect(runId).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{8}$/);
    emulator.control.resetRequests();

    // Without --yes and without a terminal: nothing to approve, so no refusal either.
    const again = await apply(file);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(
      new RegExp(
        `^Nothing to do: this plan was already applied \\(6 operations, run ${runId}, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\)\\.\\n`,
      ),
    );
    expect(again.out).not.toContain('Apply complete');
    expect(again.err).toBe('');
    expect(emulator.control.requests().total).toBe(0);
  });

  it('without --yes and without a terminal it refuses (exit 1) and says how to proceed', async () => {
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    emulator.control.resetRequests();
    const result = await apply(file);
    expect(result.code).toBe(1);
    expect(result.out).toContain('pass --yes to apply without a prompt');
    expect(writeLog(emulator)).toEqual([]);
  });

  it('at a terminal, only "yes" applies', async () => {
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    for (const [answer, code] of [
      ['y', 1],
      ['yes', 0],
    ] as const) {
      const io = bufferIo({ env: ws.env, cwd: ws.cwd });
      const questions: string[] = [];
      io.prompt = async (q) => (questions.push(q), answer);
      const result = await main(['apply', file, '--policies', ws.policiesDir], io);
      expect(result, answer).toBe(code);
      expect(questions[0]).toContain('Apply these 6 change(s) to FreshBooks now?');
      expect(io.out()).toContain('eli@acme.example');
    }
  });

  it('usage errors are exit 1 with a clear message', async () => {
    const io = bufferIo({ env: ws.env, cwd: ws.cwd });
    expect(await main(['apply'], io)).toBe(1);
    expect(io.err()).toContain('apply needs the plan file');
    const io2 = bufferIo({ env: ws.env, cwd: ws.cwd });
    expect(await main(['apply', 'nope.json', '--yes'], io2)).toBe(1);
    expect(io2.err()).toContain('cannot read the plan file nope.json (ENOENT)');
  });
});
