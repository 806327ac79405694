/**
 * `rolecall drift` against the real emulator: FreshBooks is changed behind rolecall's back
 * through the emulator's control API, and the drift report must name each change, classified.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { DriftItem, DriftReport } from '../../../src/drift/index.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { bufferIo } from '../../support/buffer-io.js';
import {
  ACME,
  EMULATOR_NOW,
  cleanSeed,
  drift,
  memberOf,
  withMembers,
  workspace,
  writePolicy,
  writeJournal,
  type Workspace,
} from './drift-harness.js';

const NOW = '2026-11-29T10:00:00Z';
const DAY = 86_400_000;
const afterInvite = (days: number) => new Date(EMULATOR_NOW.getTime() + days * DAY).toISOString();

let emulator: RunningEmulator;
let ws: Workspace | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, now: () => EMULATOR_NOW });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.control.loadState(cleanSeed());
});
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

function items(out: string): DriftItem[] {
  const report = JSON.parse(out) as DriftReport;
  return report.businesses.flatMap((b) => b.items);
}
const summary = (list: DriftItem[]) => list.map((i) => `${i.class} ${i.severity} ${i.email}`);

const NINA = `  - email: nina@acme.example
    role: employee
    reason: New hire, invited by hand`;
const OSCAR = `  - email: oscar@acme.example
    role: employee
    reason: Accounts payable (new)`;

/** An outcome record as `rolecall apply` journals it. */
function outcome(fields: Record<string, unknown>) {
  return {
    type: 'outcome',
    runId: 'run-1',
    businessId: ACME,
    from: null,
    to: null,
    auditId: 'audit-1',
    op: `${ACME}/${String(fields['email'])}/${String(fields['action'])}`,
    ...fields,
  };
}

describe('rolecall drift against the emulator', () => {
  it('no drift when FreshBooks matches the policy: exit 0, even with --detailed-exitcode', async () => {
    ws = await workspace(emulator);
    const result = await drift(ws, NOW, ['--detailed-exitcode']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('No drift: FreshBooks matches the policy.');
    expect(result.out.trimEnd().split('\n').at(-1)).toBe('No drift in 1 business.');
  });

  it('classifies every out-of-band change; exit 2 with --detailed-exitcode', async () => {
    ws = await workspace(emulator, withMembers(NINA, OSCAR));
    const control = emulator.control;
    // Granted by hand: an admin, and a role rolecall does not know.
    control.addMember(ACME, { email: 'mallory@acme.example', role: 'admin' });
    control.addMember(ACME, { email: 'quinn@acme.example', role: 'time_tracking_admin' });
    // Removed by hand.
    control.updateMember(ACME, memberOf(emulator, 'frank@acme.example').uuid, {
      state: 'deactivated',
    });
    // Roles changed by hand, one up, one down.
    control.updateMember(ACME, memberOf(emulator, 'ivan@acme.example').uuid, { role: 'admin' });
    control.updateMember(ACME, memberOf(emulator, 'carol@acme.example').uuid, {
      role: 'employee',
    });
    // Invited by hand on EMULATOR_NOW, never accepted: 28 days at NOW.
    control.addMember(ACME, { email: 'nina@acme.example', role: 'employee', state: 'invited' });
    // walt is someone rolecall asked a human to remove; the journal says so.
    const walt = control.addMember(ACME, { email: 'walt@acme.example', role: 'employee' });
    await writeJournal(ws, 'a'.repeat(64), [
      outcome({
        at: '2026-11-20T08:00:00.000Z',
        email: 'walt@acme.example',
        action: 'revoke',
        from: { role: 'employee', state: 'active' },
        outcome: 'manual',
        detail: 'provisioning: manual (revoke)',
        task: {
          op: `${ACME}/walt@acme.example/revoke`,
          businessId: ACME,
          email: 'walt@acme.example',
          action: 'revoke',
          from: { role: 'employee', state: 'active' },
          to: null,
          uuid: walt.uuid,
          why: 'provisioning: manual (revoke)',
        },
      }),
      // oscar was granted by rolecall, and is gone now: removed by hand since.
      outcome({
        at: '2026-11-02T08:00:00.000Z',
        email: 'oscar@acme.example',
        action: 'grant',
        to: { role: 'employee' },
        outcome: 'applied',
      }),
    ]);

    const json = await drift(ws, NOW, ['--format', 'json', '--detailed-exitcode']);
    expect(json.err).toBe('');
    expect(json.code).toBe(2);
    const list = items(json.out);
    expect(summary(list)).toEqual([
      'unmanaged high mallory@acme.example',
      'unmanaged high quinn@acme.example',
      'role-mismatch high ivan@acme.example',
      'role-mismatch low carol@acme.example',
      'missing low frank@acme.example',
      'missing low oscar@acme.example',
      'pending-invitation low nina@acme.example',
      'manual-task high walt@acme.example',
    ]);
    const by = (email: string) => list.find((i) => i.email === email);
    expect(by('mallory@acme.example')).toMatchObject({
      key: '240340:unmanaged:mallory@acme.example',
      live: { role: 'admin', state: 'active' },
      desired: null,
    });
    expect(by('quinn@acme.example')?.message).toMatch(/never removes a role it does not know/);
    expect(by('frank@acme.example')?.message).toBe(
      'in the policy as employee, deactivated in FreshBooks: removed by hand',
    );
    expect(by('oscar@acme.example')?.message).toMatch(/the apply of 2026-11-02 had it in place/);
    const policyLines = (await readFile(join(ws.cwd, 'policies', 'acme-books.yaml'), 'utf8')).split(
      '\n',
    );
    expect(by('ivan@acme.example')).toMatchObject({
      live: { role: 'admin' },
      desired: { role: 'unassigned', reason: 'Time tracking only' },
      source: {
        file: 'policies/acme-books.yaml',
        line: policyLines.indexOf('  - email: ivan@acme.example') + 1,
      },
    });
    expect(by('nina@acme.example')).toMatchObject({
      since: '2026-11-01T09:00:00Z',
      message: expect.stringMatching(/^invited as employee on 2026-11-01, still not accepted/),
    });
    expect(by('walt@acme.example')).toMatchObject({
      since: '2026-11-20T08:00:00.000Z',
      message: expect.stringMatching(/remove from the team \(Employee\)/),
    });

    const text = await drift(ws, NOW);
    expect(text.code).toBe(0); // drift without --detailed-exitcode is not an error
    expect(text.out).toContain(
      'Drift: 2 unmanaged access, 2 role mismatch, 2 missing access, 1 invitation pending too long, 1 manual task still pending',
    );
    expect(text.out.trimEnd().split('\n').at(-1)).toBe('Drift: 8 items in 1 of 1 business.');
  });

  it('a grant expiring in 3 days is a reminder (exit 0); past its expiry, still active, it is drift (exit 2)', async () => {
    ws = await workspace(emulator);
    const soon = await drift(ws, '2027-03-29T00:00:00Z', ['--detailed-exitcode']);
    expect(soon.code).toBe(0);
    expect(soon.out).toContain('Expiring soon (reminders, not drift) (1)');
    expect(soon.out).toContain(
      'contractor grant valid through 2027-03-31; rolecall revokes it then, unless a pull request extends it',
    );
    expect(soon.out.trimEnd().split('\n').at(-1)).toBe(
      'No drift in 1 business. Reminders: 1 expiring soon.',
    );

    const late = await drift(ws, '2027-04-02T00:00:00Z', [
      '--detailed-exitcode',
      '--format',
      'json',
    ]);
    expect(late.code).toBe(2);
    expect(summary(items(late.out))).toEqual(['expired-active high bob@contractors.example']);
    expect(items(late.out)[0]?.message).toBe(
      'grant expired 2027-03-31, still active as contractor in FreshBooks',
    );
    // The policy loader warns about the expired entry, as for every command.
    expect(late.err).toMatch(/EXPIRED/);
  });

  it('an invitation is drift only once it has been pending for more than N days', async () => {
    ws = await workspace(emulator, withMembers(NINA));
    emulator.control.addMember(ACME, {
      email: 'nina@acme.example',
      role: 'employee',
      state: 'invited',
    });
    const early = await drift(ws, afterInvite(13), ['--detailed-exitcode']);
    expect(early.code).toBe(0);
    const late = await drift(ws, afterInvite(15), ['--detailed-exitcode', '--format', 'json']);
    expect(late.code).toBe(2);
    expect(summary(items(late.out))).toEqual(['pending-invitation low nina@acme.example']);

    // The window is the policy's: 30 days → not yet.
    await writePolicy(ws.cwd, (yaml) =>
      withMembers(NINA)(yaml).replace(
        '  requireReason: true',
        '  requireReason: true\n  pendingInvitationDays: 30',
      ),
    );
    expect((await drift(ws, afterInvite(15), ['--detailed-exitcode'])).code).toBe(0);
  });

  it('manual tasks: a done task and one the policy no longer wants are not reported', async () => {
    ws = await workspace(emulator, withMembers(OSCAR));
    await writeJournal(ws, 'b'.repeat(64), [
      // zoe is not in FreshBooks any more: someone did it.
      outcome({
        at: '2026-11-10T08:00:00.000Z',
        email: 'zoe@acme.example',
        action: 'revoke',
        from: { role: 'employee', state: 'active' },
        outcome: 'manual',
        detail: 'provisioning: manual',
      }),
      // oscar was to be invited as a manager; the policy now says employee.
      outcome({
        at: '2026-11-10T08:00:00.000Z',
        email: 'oscar@acme.example',
        action: 'grant',
        to: { role: 'manager' },
        outcome: 'manual',
        detail: 'provisioning: manual',
      }),
      '{"type":"outcome","at":"2026-11-1', // a torn last line
    ]);
    const result = await drift(ws, NOW, ['--format', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as DriftReport;
    expect(summary(items(result.out))).toEqual(['missing low oscar@acme.example']);
    expect(report.businesses[0]?.obsoleteManualTasks).toBe(1);
    const text = await drift(ws, NOW);
    expect(text.out).toContain(
      '1 manual task(s) in the journal no longer wanted by the policy (ignored)',
    );
  });

  it('--live FILE: offline, from a snapshot, without FreshBooks credentials', async () => {
    ws = await workspace(emulator);
    const io = bufferIo({ env: ws.env, cwd: ws.cwd });
    expect(await main(['sync', '--out', 'live.json', '--rate', '1000'], io)).toBe(0);
    emulator.control.addMember(ACME, { email: 'mallory@acme.example', role: 'admin' });
    emulator.control.resetRequests();
    const offline = bufferIo({ env: { ROLECALL_NOW: NOW }, cwd: ws.cwd });
    const code = await main(['drift', '--live', 'live.json', '--detailed-exitcode'], offline);
    expect(offline.err()).toBe('');
    expect(code).toBe(0); // the snapshot predates mallory
    expect(emulator.control.requests().total).toBe(0);
    expect((await drift(ws, NOW, ['--detailed-exitcode'])).code).toBe(2);
  });

  it('errors exit 1 with a clear message and no stack', async () => {
    ws = await workspace(emulator);
    const unknown = await drift(ws, NOW, ['--business', '999']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe(
      'rolecall: business 999 is not named by any policy; the policies name 240340\n',
    );
    const format = await drift(ws, NOW, ['--format', 'yaml']);
    expect(format).toMatchObject({ code: 1, out: '' });
    expect(format.err).toContain('--format must be text, markdown or json');
    await writeFile(join(ws.cwd, 'policies', 'broken.yaml'), 'business: 1\nmembers: [\n');
    const invalid = await drift(ws, NOW);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/nothing was planned/);
    expect(invalid.err).not.toMatch(/\n\s+at /);

    const help = bufferIo();
    expect(await main(['drift', '--help'], help)).toBe(0);
    for (const flag of ['--github', '--business', '--token-store', '--detailed-exitcode', '--live'])
      expect(help.out()).toContain(flag);
  });
});
