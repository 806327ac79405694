/**
 * Each thing the FreshBooks contract only *assumes*, switched to the other answer in the
 * emulator, and `rolecall apply` (the CLI, in-process, the real client over loopback)
 * degrading safely:
 * - a write route FreshBooks does not have → a manual task, never a crash;
 * - a 2xx that changed nothing → `unconfirmed`, exit 3, and the next apply converges;
 * - the other `capacity` encoding → one fallback, journaled, and the next run starts with it;
 * - pending invitations not listed → one invitation per invitee, however many applies;
 * - a token without the write scope → nothing sent, and the scope and `rolecall auth login`
 *   named — not a manual task.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readAllJournals } from '../../../src/apply/journal.js';
import { main } from '../../../src/cli/main.js';
import {
  loadDefaultSeed,
  startEmulator,
  type EmulatorSeed,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { openTokenStore } from '../../../src/freshbooks/open-token-store.js';
import { normaliseApiUrl } from '../../../src/freshbooks/token-target.js';
import { bufferIo } from '../../support/buffer-io.js';
import {
  ACME,
  planNow,
  workspace,
  writeLog,
  writePlanFile,
  type Workspace,
} from './apply-harness.js';

const NOW = new Date('2026-11-29T10:00:00.000Z');
const INVITE = 'POST /auth/api/v1/users/invitation';
const PUT = 'PUT /auth/api/v1/businesses/:id/team_members/:uuid';
const DELETE = 'DELETE /auth/api/v1/businesses/:id/team_members/:uuid';
const READ_ONLY = 'user:profile:read user:teams:read user:account:read';

/** The default seed, plus an OAuth client the user authorised without the write scope. */
function seed(): EmulatorSeed {
  const base = loadDefaultSeed();
  const sandbox = base.clients[0]!;
  base.clients.push({
    client_id: 'rolecall-readonly',
    client_secret: 'readonly-secret-0123456789abcdef',
    identity_id: sandbox.identity_id,
    scope: READ_ONLY,
    refresh_tokens: ['readonly-refresh-0123456789abcdef0123'],
  });
  return base;
}

let emulator: RunningEmulator;
let ws: Workspace;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, seed: seed() });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.control.loadState(seed());
  emulator.control.configure({
    faults: '',
    disabledWrites: [],
    listPendingInvitations: true,
    inviteCapacity: 'any',
  });
  emulator.control.clearQueuedFaults();
  emulator.control.resetRequests();
  ws = await workspace(emulator);
});
afterEach(() => ws.close());

async function apply(planFile: string, ...extra: string[]) {
  const io = bufferIo({ env: ws.env, cwd: ws.cwd });
  const code = await main(['apply', planFile, '--policies', ws.policiesDir, ...extra], io);
  return { code, out: io.out(), err: io.err() };
}

/** What `rolecall plan --out` then `rolecall apply --yes` do. */
async function planAndApply(...extra: string[]) {
  const { plan } = await planNow(ws, NOW);
  return { plan, ...(await apply(await writePlanFile(ws, plan), '--yes', ...extra)) };
}

const member = (email: string) => emulator.control.member(ACME, email);
const invitations = () => writeLog(emulator).filter((e) => e.route === INVITE);
const invitedEmails = () => invitations().map((e) => (e.body as { to_email: string }).to_email);

describe('a write route FreshBooks does not have', () => {
  it('becomes a manual task with what FreshBooks answered; the rest is applied (exit 3)', async () => {
    emulator.control.configure({ disabledWrites: ['changeRole'] });
    const result = await planAndApply();
    expect(result.code).toBe(3);
    expect(result.out).toContain(
      'Apply partly done: 4 applied, 0 already in place, 2 manual, 0 failed.',
    );
    expect(result.out).toMatch(
      /\[ \] grace@acme\.example — change role Manager → Employee — Acme Books Inc\. \(240340\)/,
    );
    expect(result.out).toMatch(/why: {3}FreshBooks answered 404 errno 1012 to PUT /);
    expect(result.err).not.toMatch(/rolecall: /);
  });
});

describe('a write answered 2xx that changed nothing', () => {
  it('is unconfirmed (exit 3), says what FreshBooks shows, and the same plan again converges', async () => {
    emulator.control.queueFault('ack', PUT);
    emulator.control.queueFault('ack', DELETE);
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    emulator.control.resetRequests();

    const first = await apply(file, '--yes');
    expect(first.code).toBe(3);
    expect(first.out).toContain(
      'Apply partly done: 4 applied, 0 already in place, 0 manual, 0 failed, 2 unconfirmed. 4 confirmed by FreshBooks (read back after the write). 2 not confirmed',
    );
    expect(first.out).toMatch(
      /unconfirmed change +\S+ +\S+ → \S+ +FreshBooks accepted the role change \(2xx\) but shows \S+ as \w+ \(active\): not applied; the next apply checks it again/,
    );
    expect(first.out).toMatch(
      /unconfirmed revoke +\S+ +.*FreshBooks accepted the removal \(2xx\) but shows \S+ as \w+ \((active|invited)\)/,
    );
    // Nothing reported applied that did not take effect.
    const acked = writeLog(emulator).filter((e) => e.fault === 'ack');
    expect(acked).toHaveLength(2);
    expect(acked.every((e) => e.status >= 200 && e.status < 300 && e.applied === false)).toBe(true);

    const second = await apply(file, '--yes');
    expect(second.code).toBe(0);
    expect(second.out).toContain('Apply complete: 6 applied');
    expect((await planNow(ws, NOW)).plan.businesses[0]?.changes).toEqual([]);
    // Each write took effect exactly once.
    const effective = writeLog(emulator, true).map(
      (e) => `${e.path} ${(e.body as { to_email?: string } | undefined)?.to_email ?? ''}`,
    );
    expect(effective).toHaveLength(6);
    expect(new Set(effective).size).toBe(effective.length);
  });
});

describe('the other capacity encoding', () => {
  it('falls back once when the published one is refused, journals what worked, and starts with it next time', async () => {
    emulator.control.configure({ inviteCapacity: 'api' });
    const first = await planAndApply('--concurrency', '1');
    expect(first.code).toBe(0);
    // The first invitation tried the sample's short name, was refused, and fell back; the
    // second started with what worked.
    expect(invitations().map((e) => [(e.body as { capacity: string }).capacity, e.status])).toEqual(
      [
        ['accountant', 422],
        ['business_accountant', 200],
        ['no_seat_employee', 200],
      ],
    );
    expect(member('eli@acme.example')?.business_role_name).toBe('business_accountant');
    const records = await readAllJournals(ws.stateDir);
    expect(
      records.flatMap((r) => (r.type === 'invitation' ? [[r.email, r.capacity, r.encoding]] : [])),
    ).toEqual([
      ['eli@acme.example', 'business_accountant', 'api'],
      ['jules@acme.example', 'no_seat_employee', 'api'],
    ]);

    // A later plan, a new process: the first request is the one that works.
    emulator.control.updateMember(ACME, member('eli@acme.example')!.uuid, { state: 'deactivated' });
    emulator.control.resetRequests();
    const later = await planAndApply();
    expect(later.code).toBe(0);
    expect(invitations().map((e) => (e.body as { capacity: string }).capacity)).toEqual([
      'business_accountant',
    ]);
  });
});

describe('pending invitations FreshBooks does not list', () => {
  it('two consecutive applies send exactly one invitation per invitee; --resend-invitations sends again, and says so', async () => {
    emulator.control.configure({ listPendingInvitations: false });
    emulator.control.resetRequests();
    const first = await planAndApply();
    expect(first.code).toBe(3);
    expect(first.out).toMatch(
      /unconfirmed grant +eli@acme\.example .*lists no team member eli@acme\.example: not confirmed; FreshBooks may not list pending invitations, so it is not sent again for 30 days/,
    );
    const sent = invitations().filter((e) => e.status === 200);
    expect(sent.map((e) => (e.body as { to_email: string }).to_email).sort()).toEqual([
      'eli@acme.example',
      'jules@acme.example',
    ]);
    expect(member('eli@acme.example')?.active).toBe(false); // pending: it did go out

    // The next plan still grants them (FreshBooks shows neither): nothing is sent to them.
    const second = await planAndApply();
    expect(second.code).toBe(3);
    expect(second.out).toMatch(/unconfirmed grant +eli@acme\.example .*not sent again: /);
    for (const email of ['eli@acme.example', 'jules@acme.example']) {
      expect(
        invitedEmails().filter((e) => e === email),
        email,
      ).toHaveLength(1);
    }
    // hana's invitation predates rolecall: FreshBooks refuses a second one as a duplicate,
    // and never under both encodings.
    expect(second.out).toMatch(/failed +grant +hana@acme\.example .*already been invited/);
    expect(invitations().filter((e) => e.status === 200)).toHaveLength(2);

    // Someone removes eli in FreshBooks (listed again, as deactivated): still within the
    // window, so only when explicitly asked is the invitation sent again — and said so.
    emulator.control.updateMember(ACME, member('eli@acme.example')!.uuid, { state: 'deactivated' });
    const third = await planAndApply();
    expect(third.out).toMatch(/unconfirmed grant +eli@acme\.example .*not sent again: /);
    expect(invitedEmails().filter((e) => e === 'eli@acme.example')).toHaveLength(1);
    const fourth = await planAndApply('--resend-invitations');
    expect(fourth.out).toMatch(
      /grant +eli@acme\.example .*re-sent \(--resend-invitations\); the invitation sent /,
    );
    expect(invitedEmails().filter((e) => e === 'eli@acme.example')).toHaveLength(2);

    // Once accepted, they are members: nothing more to do.
    for (const email of ['eli@acme.example', 'jules@acme.example', 'hana@acme.example']) {
      emulator.control.acceptInvitation(ACME, member(email)!.uuid);
    }
    const last = await planAndApply();
    expect(last.out).not.toMatch(/grant/);
  });
});

describe('a token without the write scope', () => {
  const target = () => ({ apiUrl: normaliseApiUrl(emulator.url), clientId: 'rolecall-readonly' });

  function readOnly() {
    ws.env['FRESHBOOKS_CLIENT_ID'] = 'rolecall-readonly';
    ws.env['FRESHBOOKS_CLIENT_SECRET'] = 'readonly-secret-0123456789abcdef';
    ws.env['FRESHBOOKS_REFRESH_TOKEN'] = 'readonly-refresh-0123456789abcdef0123';
  }

  it('sends no write; each change names the missing scope and `rolecall auth login` (not a manual task)', async () => {
    readOnly();
    const { plan } = await planNow(ws, NOW); // reads work
    const file = await writePlanFile(ws, plan);
    // The apply refreshes its token (none stored): the token answer names the scopes.
    const store = await openTokenStore(undefined, { env: ws.env, cwd: ws.cwd, target: target() });
    const stored = await store.load();
    await store.save({ refreshToken: stored!.refreshToken, updatedAt: stored!.updatedAt });
    emulator.control.resetRequests();
    const result = await apply(file, '--yes');
    expect(result.code).toBe(3);
    expect(writeLog(emulator)).toEqual([]);
    expect(result.out).toContain(
      'Apply partly done: 0 applied, 0 already in place, 0 manual, 6 failed.',
    );
    expect(result.out).toMatch(
      /failed +grant +eli@acme\.example .*POST \/auth\/api\/v1\/users\/invitation not sent: the FreshBooks authorisation lacks the scope user:teams:write \(granted: user:profile:read user:teams:read user:account:read\).*run `rolecall auth login`/,
    );
    expect(result.out).not.toContain('Manual tasks');
  });

  it('with scopes unknown (a stored access token, no token answer yet): the first 403 makes them known with one refresh', async () => {
    readOnly();
    const { plan } = await planNow(ws, NOW);
    const file = await writePlanFile(ws, plan);
    // A still-valid access token in the store: this run reuses it and learns no scopes.
    const store = await openTokenStore(undefined, { env: ws.env, cwd: ws.cwd, target: target() });
    const stored = await store.load();
    expect(stored?.accessToken).toBeDefined();
    delete ws.env['FRESHBOOKS_REFRESH_TOKEN'];
    emulator.control.resetRequests();

    const result = await apply(file, '--yes');
    expect(result.code).toBe(3);
    // The writes in flight together reached FreshBooks (403), one refresh learnt the scopes
    // for all of them, and nothing else was sent.
    const refused = writeLog(emulator).map((e) => e.status);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(4); // --concurrency's default
    expect(refused.every((status) => status === 403)).toBe(true);
    const tokenCalls = emulator.control
      .requests()
      .log.filter((e) => e.route === 'POST /auth/oauth/token');
    expect(tokenCalls).toHaveLength(1);
    expect(result.out.match(/lacks the scope user:teams:write/g)).toHaveLength(6);
    expect(result.out).not.toContain('Manual tasks');
  });
});
