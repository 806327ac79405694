import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type EmulatorSeed,
  type RequestStats,
  type RunningEmulator,
  type TeamMemberJson,
} from '../../../src/emulator/index.js';
import { ACME, TEAM, accessToken, call, teamSeed } from './support.js';

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

describe('/_emulator/ over HTTP (no OAuth)', () => {
  it('lists its routes', async () => {
    const index = await call(emu, 'GET', '/_emulator/');
    expect(index.status).toBe(200);
    expect((index.body as { routes: string[] }).routes).toContain(
      'PATCH /_emulator/businesses/{id}/members/{uuid}',
    );
  });

  it('dumps the state in the seed format, and loads one back', async () => {
    const dump = (await call(emu, 'GET', '/_emulator/state')).body as EmulatorSeed;
    expect(dump.businesses.map((b) => b.id)).toEqual([ACME, 240341]);
    expect(dump.clients[0]?.refresh_tokens).toEqual([emu.credentials.refreshToken]);
    const loaded = await call(emu, 'PUT', '/_emulator/state', { json: teamSeed(3, 77) });
    expect(loaded.status).toBe(200);
    expect((loaded.body as EmulatorSeed).businesses.map((b) => b.id)).toEqual([77]);
    const refreshed = await call(emu, 'POST', '/auth/oauth/token', {
      form: {
        grant_type: 'refresh_token',
        client_id: 'bench-client',
        client_secret: 'bench-secret-0123456789abcdef',
        refresh_token: 'bench-refresh-0123456789abcdef',
      },
    });
    const token = (refreshed.body as { access_token: string }).access_token;
    expect(
      ((await call(emu, 'GET', TEAM(77), { token })).body as { meta: { total: number } }).meta
        .total,
    ).toBe(3);
  });

  it('round-trips: loading a dump gives the same dump', async () => {
    const token = await accessToken(emu);
    await call(emu, 'POST', '/auth/api/v1/users/invitation', {
      token,
      json: {
        capacity: 'employee',
        to_email: 'eli@acme.example',
        invitable_id: ACME,
        invitable_type: 'business',
      },
    });
    const dump = emu.control.dumpState();
    emu.control.loadState(dump);
    expect(emu.control.dumpState()).toEqual(dump);
    // Tokens issued before the load still work: the client and identity are unchanged.
    expect((await call(emu, 'GET', TEAM(ACME), { token })).status).toBe(200);
  });

  it('refuses an invalid state with every problem listed, and keeps the old state', async () => {
    const bad = {
      identities: [],
      businesses: [{ id: 'x', name: '', account_id: 'A' }],
      clients: [],
    };
    const answer = await call(emu, 'PUT', '/_emulator/state', { json: bad });
    expect(answer.status).toBe(400);
    const description = (answer.body as { error_description: string }).error_description;
    expect(description).toContain('businesses[0].id: must be a positive integer');
    expect(description).toContain('businesses[0].name: must be a non-empty string');
    expect(description).toContain('clients: needs at least one OAuth client');
    expect(emu.control.members(ACME).length).toBe(17);
  });

  it('adds, changes and accepts members behind rolecall’s back', async () => {
    const added = await call(emu, 'POST', `/_emulator/businesses/${ACME}/members`, {
      json: {
        email: 'Newbie@Acme.example',
        role: 'accountant',
        state: 'invited',
        first_name: 'New',
      },
    });
    expect(added.status).toBe(201);
    const member = added.body as TeamMemberJson;
    expect(member).toMatchObject({
      email: 'newbie@acme.example',
      business_role_name: 'business_accountant',
      active: false,
    });
    const patched = await call(
      emu,
      'PATCH',
      `/_emulator/businesses/${ACME}/members/${member.uuid}`,
      {
        json: { role: 'time_tracking_admin' },
      },
    );
    expect((patched.body as TeamMemberJson).business_role_name).toBe('time_tracking_admin');
    const accepted = await call(
      emu,
      'POST',
      `/_emulator/businesses/${ACME}/members/${member.uuid}/accept`,
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ active: true, identity_id: expect.any(Number) });
    expect((accepted.body as TeamMemberJson).invitation_date_accepted).toMatch(/Z$/);
    const again = await call(
      emu,
      'POST',
      `/_emulator/businesses/${ACME}/members/${member.uuid}/accept`,
    );
    expect(again.status).toBe(409);
    const listed = await call(emu, 'GET', `/_emulator/businesses/${ACME}/members`);
    expect((listed.body as TeamMemberJson[]).some((m) => m.uuid === member.uuid)).toBe(true);
  });

  it.each([
    [{ email: 'zoe@acme.example', role: 'employee' }, 409],
    [{ email: 'nope', role: 'employee' }, 400],
    [{ email: 'x@acme.example', role: 'owner' }, 409],
    [{ email: 'x@acme.example', role: 'employee', state: 'gone' }, 400],
  ])('refuses to add %j (%i)', async (body, status) => {
    const answer = await call(emu, 'POST', `/_emulator/businesses/${ACME}/members`, { json: body });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({
      error: expect.any(String),
      error_description: expect.any(String),
    });
  });

  it('answers 404 for unknown businesses, members and control routes', async () => {
    expect(
      (
        await call(emu, 'POST', '/_emulator/businesses/1/members', {
          json: { email: 'a@b.example', role: 'employee' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(emu, 'PATCH', `/_emulator/businesses/${ACME}/members/nope`, {
          json: { role: 'admin' },
        })
      ).status,
    ).toBe(404);
    expect((await call(emu, 'GET', '/_emulator/nothing')).status).toBe(404);
  });

  it('counts requests per route and status, and resets the counters', async () => {
    const token = await accessToken(emu);
    await call(emu, 'GET', `${TEAM(ACME)}?page=1&per_page=100`, { token });
    await call(emu, 'GET', `${TEAM(ACME)}?page=abc`, { token });
    await call(emu, 'GET', TEAM(ACME));
    const stats = (await call(emu, 'GET', '/_emulator/requests')).body as RequestStats;
    expect(stats.total).toBe(4);
    expect(stats.byRoute).toEqual({
      'POST /auth/oauth/token': { '200': 1 },
      'GET /auth/api/v1/businesses/:id/team_members': { '200': 1, '400': 1, '401': 1 },
    });
    expect(stats.log.map((e) => e.seq)).toEqual(
      [...stats.log.map((e) => e.seq)].sort((a, b) => a - b),
    );
    expect(stats.log[0]).toMatchObject({
      method: 'POST',
      body: { grant_type: 'refresh_token' },
      clientId: 'rolecall-sandbox',
    });
    expect(stats.log[1]).toMatchObject({ path: `${TEAM(ACME)}?page=1&per_page=100`, status: 200 });
    // Secrets never reach the log.
    const text = JSON.stringify(stats);
    for (const secret of [token, emu.credentials.clientSecret, emu.credentials.refreshToken])
      expect(text).not.toContain(secret);
    expect((await call(emu, 'DELETE', '/_emulator/requests')).status).toBe(204);
    expect(emu.control.requests()).toEqual({ total: 0, byRoute: {}, log: [] });
  });

  it('changes the config at run time and refuses bad values', async () => {
    const changed = await call(emu, 'PUT', '/_emulator/config', {
      json: {
        rate: 5,
        latencyMs: 0,
        faults: '500=0.5',
        faultSeed: 9,
        disabledWrites: ['remove'],
        accessTokenMaxRequests: 10,
      },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      rate: 5,
      faults: { '500': 0.5 },
      faultSeed: 9,
      disabledWrites: ['remove'],
      accessTokenMaxRequests: 10,
    });
    expect((await call(emu, 'GET', '/_emulator/config')).body).toEqual(changed.body);
    for (const bad of [
      { rate: -1 },
      { faults: '500=2' },
      { disabledWrites: ['nuke'] },
      { colour: 'red' },
    ]) {
      const answer = await call(emu, 'PUT', '/_emulator/config', { json: bad });
      expect(answer.status).toBe(400);
    }
    expect(emu.control.config().rate).toBe(5);
  });

  it('queues faults for a route over HTTP', async () => {
    const token = await accessToken(emu);
    const queued = await call(emu, 'POST', '/_emulator/faults', {
      json: { faults: [{ fault: '503', route: 'GET /auth/api/v1/users/me' }, { fault: '429' }] },
    });
    expect([queued.status, queued.body]).toEqual([200, { queued: 2 }]);
    expect((await call(emu, 'GET', TEAM(ACME), { token })).status).toBe(429);
    expect((await call(emu, 'GET', TEAM(ACME), { token })).status).toBe(200);
    expect((await call(emu, 'GET', '/auth/api/v1/users/me', { token })).status).toBe(503);
    expect(
      (await call(emu, 'POST', '/_emulator/faults', { json: { fault: 'meteor' } })).status,
    ).toBe(400);
    await call(emu, 'POST', '/_emulator/faults', { json: { fault: '500' } });
    expect((await call(emu, 'DELETE', '/_emulator/faults')).status).toBe(204);
    expect((await call(emu, 'GET', TEAM(ACME), { token })).status).toBe(200);
  });

  it('refuses malformed JSON bodies', async () => {
    const res = await fetch(`${emu.url}/_emulator/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(res.status).toBe(400);
  });
});

describe('the default seed matches the example business (COMMON.md)', () => {
  const expected: Array<[string, string, 'active' | 'invited' | 'deactivated']> = [
    ['olivia@acme.example', 'owner', 'active'],
    ['alice@acme.example', 'business_partner', 'active'],
    ['ben@acme.example', 'business_partner', 'active'],
    ['carol@acme.example', 'business_manager', 'active'],
    ['dana@acme.example', 'business_accountant', 'active'],
    ['kim@cpa-partners.example', 'business_accountant', 'active'],
    ['frank@acme.example', 'business_employee', 'active'],
    ['grace@acme.example', 'business_manager', 'active'],
    ['maya@acme.example', 'business_employee', 'active'],
    ['hana@acme.example', 'business_employee', 'invited'],
    ['ivan@acme.example', 'no_seat_employee', 'active'],
    ['jules@acme.example', 'no_seat_employee', 'deactivated'],
    ['bob@contractors.example', 'contractor', 'active'],
    ['zoe@acme.example', 'business_employee', 'active'],
    ['sam@oldfirm.example', 'business_accountant', 'invited'],
    ['pat@acme.example', 'time_tracking_admin', 'active'],
    ['client@customer.example', 'client', 'active'],
  ];

  it('has every row with its role and state, and no eli', () => {
    const rows = emu.control
      .members(ACME)
      .map((m) => [
        m.email,
        m.business_role_name,
        m.active
          ? 'active'
          : m.invitation_date_accepted === null && m.identity_id === null
            ? 'invited'
            : 'deactivated',
      ]);
    expect(rows).toEqual(expected);
  });

  it('has the sandbox client with obviously-sandbox secrets, acting as alice (5001)', () => {
    const seed = loadDefaultSeed();
    expect(seed.businesses.map((b) => [b.id, b.name, b.account_id])).toEqual([
      [ACME, 'Acme Books Inc.', 'Xk9Pq2'],
      [240341, 'Acme Holdings LLC', 'Hd7Lm3'],
    ]);
    expect(emu.credentials.clientId).toBe('rolecall-sandbox');
    expect(emu.credentials.clientSecret).toMatch(/^sandbox-secret-.{24,}/);
    expect(emu.credentials.refreshToken).toMatch(/^sandbox-refresh-.{24,}/);
    expect(seed.clients[0]?.identity_id).toBe(5001);
  });
});
