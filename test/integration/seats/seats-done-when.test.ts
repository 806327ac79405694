/**
 * Issue 17's "Done when", end to end through the built CLI against the emulator enforcing a
 * paid-seat limit: a policy with `seats: { limit: 10 }` and 11 paid members plans with the
 * seats guard failing (exit 1) and a clear message; with one downgrade to Unassigned in the same
 * change it plans, and apply orders the downgrade before the invitation and succeeds against an
 * emulator enforcing 10. And when FreshBooks refuses a write for lack of a seat anyway (a limit
 * the policy does not declare), apply reports that refusal with the fix and exits 3.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readAuditFile, auditPath } from '../../../src/apply/audit-log.js';
import {
  startEmulator,
  type EmulatorSeed,
  type RunningEmulator,
  type SeedMember,
} from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { workspace, writeLog, type Workspace } from '../apply/apply-harness.js';

const CLI = packagePath('dist', 'cli', 'main.js');
const built = existsSync(CLI);
const ACME = 240340;
const INVITE = 'POST /auth/api/v1/users/invitation';

/** Ten paid seats (alice … bob), the owner and one Unassigned member (ivan), which are free. */
const TEAM: ReadonlyArray<{ email: string; role: string }> = [
  { email: 'alice@acme.example', role: 'admin' },
  { email: 'ben@acme.example', role: 'admin' },
  { email: 'carol@acme.example', role: 'manager' },
  { email: 'dana@acme.example', role: 'accountant' },
  { email: 'frank@acme.example', role: 'employee' },
  { email: 'grace@acme.example', role: 'employee' },
  { email: 'hana@acme.example', role: 'employee' },
  { email: 'kim@acme.example', role: 'accountant' },
  { email: 'maya@acme.example', role: 'manager' },
  { email: 'bob@acme.example', role: 'contractor' },
  { email: 'ivan@acme.example', role: 'unassigned' },
];

function seed(seatLimit: number | null): EmulatorSeed {
  const members: SeedMember[] = [
    { email: 'olivia@acme.example', role: 'owner' },
    ...TEAM.map((m) => ({ email: m.email, role: m.role })),
  ];
  return {
    identities: [{ id: 5001, email: 'alice@acme.example', first_name: 'Alice' }],
    businesses: [{ id: ACME, name: 'Acme Books Inc.', account_id: 'Xk9Pq2', seatLimit, members }],
    clients: [
      {
        client_id: 'rolecall-sandbox',
        client_secret: 'sandbox-secret-0123456789abcdef',
        identity_id: 5001,
        refresh_tokens: ['sandbox-refresh-0123456789abcdef'],
      },
    ],
  };
}

/** The team as it is, with `changes` (email → role) and `lee` invited as an employee. */
function policy(changes: Record<string, string>, seats = '\nseats:\n  limit: 10\n'): string {
  const members = [...TEAM, { email: 'lee@acme.example', role: 'employee' }]
    .map((m) => `  - email: ${m.email}\n    role: ${changes[m.email] ?? m.role}\n`)
    .join('');
  return `business: ${ACME}\nname: Acme Books Inc.\nmode: authoritative\nrules:\n  protected: [olivia@acme.example]\n  minAdmins: 2\n${seats}members:\n${members}`;
}

let emulator: RunningEmulator;
let ws: Workspace;

beforeAll(async () => {
  emulator = await startEmulator({ seed: seed(10) });
});
afterAll(() => emulator.close());
afterEach(() => ws.close());

/** The built CLI in the workspace; resolves with its exit code and output. */
function rolecall(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ws.cwd,
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...ws.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const policyFile = () => join(ws.policiesDir, 'acme-books.yaml');

describe.skipIf(!built)('paid seats on the sandbox (the built CLI)', () => {
  describe('with the emulator enforcing 10 paid seats', () => {
    beforeEach(async () => {
      emulator.control.loadState(seed(10));
      ws = await workspace(emulator, policy({}));
    });

    it('refuses 11 paid members at plan time; with one downgrade to unassigned it plans, applies the downgrade before the invitation, and ends with an empty plan', async () => {
      // 11 paid members in the policy, seats.limit 10: the guard fails, and says what to do.
      const refused = await rolecall('plan', '--policies', ws.policiesDir);
      expect(refused.code, refused.err).toBe(1);
      expect(refused.out).toContain('+1 paid seat: 10 → 11 of 10');
      expect(refused.out).toContain(
        '11 paid seats after this plan (10 now), limit 10: free 1 seat (revoke someone or change them to unassigned in this plan) or buy 1 more and raise seats.limit to 11',
      );
      expect(emulator.control.requests().log.filter((e) => e.applied !== undefined)).toEqual([]);

      // The same change with grace moved to Unassigned: 10 of 10, applyable.
      await writeFile(policyFile(), policy({ 'grace@acme.example': 'unassigned' }));
      const planned = await rolecall(
        'plan',
        '--policies',
        ws.policiesDir,
        '--out',
        'plan.json',
        '--detailed-exitcode',
      );
      expect(planned.code, planned.out + planned.err).toBe(2); // changes, and applyable
      expect(planned.out).toContain('10 of 10 paid seats in use, unchanged');
      const plan = JSON.parse(await readFile(join(ws.cwd, 'plan.json'), 'utf8')) as {
        businesses: { applyable: boolean; seats: { before: number; after: number } }[];
      };
      expect(plan.businesses[0]).toMatchObject({
        applyable: true,
        seats: { before: 10, after: 10, limit: 10 },
      });

      emulator.control.resetRequests();
      const applied = await rolecall('apply', 'plan.json', '--yes', '--policies', ws.policiesDir);
      expect(applied.code, applied.out + applied.err).toBe(0);
      expect(applied.out).toContain(
        'Apply complete: 2 applied, 0 already in place, 0 manual, 0 failed.',
      );

      // On the wire: the downgrade (PUT) took effect before the invitation (POST) was sent.
      const grace = emulator.control.member(ACME, 'grace@acme.example');
      const writes = writeLog(emulator).map((e) => ({
        path: e.path,
        status: e.status,
        applied: e.applied,
        body: e.body,
      }));
      expect(writes).toEqual([
        {
          path: `/auth/api/v1/businesses/${ACME}/team_members/${grace?.uuid}`,
          status: 200,
          applied: true,
          body: { team_member: { business_role_name: 'no_seat_employee' } },
        },
        {
          path: '/auth/api/v1/users/invitation',
          status: 200,
          applied: true,
          body: expect.objectContaining({ to_email: 'lee@acme.example', capacity: 'employee' }),
        },
      ]);
      expect(emulator.control.seats(ACME)).toEqual({ limit: 10, inUse: 10, free: 0 });

      const again = await rolecall('plan', '--policies', ws.policiesDir, '--detailed-exitcode');
      expect(again.code, again.out + again.err).toBe(0); // no changes left
    });
  });

  describe('when FreshBooks has fewer seats than the policy knows of', () => {
    beforeEach(async () => {
      emulator.control.loadState(seed(null));
      // No seats: block, so no guard: the plan invites lee and moves carol to employee.
      ws = await workspace(emulator, policy({ 'carol@acme.example': 'employee' }, '\n'));
    });

    it('reports the invitation FreshBooks refuses for lack of a seat as that, with the fix, exits 3, and reports applied only what was', async () => {
      const planned = await rolecall('plan', '--policies', ws.policiesDir, '--out', 'plan.json');
      expect(planned.code, planned.out + planned.err).toBe(0);
      // The subscription is full by the time the plan is applied.
      emulator.control.setSeatLimit(ACME, 10);
      emulator.control.resetRequests();

      const run = await rolecall('apply', 'plan.json', '--yes', '--policies', ws.policiesDir);

      expect(run.code, run.out + run.err).toBe(3);
      expect(run.out).toContain(
        'Apply partly done: 1 applied, 0 already in place, 0 manual, 1 failed.',
      );
      const line = run.out.split('\n').find((l) => l.includes('lee@acme.example'));
      expect(line).toMatch(/^\s+failed\s+grant\s+lee@acme\.example/);
      expect(line).toContain(
        'FreshBooks refused the invitation (422 errno 1040): no paid seat is free in Acme Books Inc. (240340). Free one (revoke someone or change them to unassigned) or buy more seats in FreshBooks and declare the new count as seats.limit in policies/acme-books.yaml, then run apply again.',
      );
      expect(run.out).toMatch(/applied\s+change\s+carol@acme\.example/);

      // One invitation, refused: not retried, not re-sent with the other capacity encoding.
      const invites = writeLog(emulator).filter((e) => e.route === INVITE);
      expect(invites.map((e) => [e.status, e.applied])).toEqual([[422, false]]);
      expect(emulator.control.member(ACME, 'lee@acme.example')).toBeNull();
      // The audit log says the same as the report.
      const audit = await readAuditFile(auditPath(ws.stateDir, new Date().toISOString()));
      const outcomes = audit.flatMap((r) =>
        r.type === 'operation' ? [`${r.email} ${r.outcome}`] : [],
      );
      expect(outcomes.sort()).toEqual(['carol@acme.example applied', 'lee@acme.example failed']);
    });
  });
});
