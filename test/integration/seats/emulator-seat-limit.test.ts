/**
 * The emulator's paid-seat limit over real loopback HTTP (issue 17): set from the seed or the
 * control route, and an invitation or role change beyond it answered the way the contract
 * notes assume — `422` in the accounting error shape with a message about team member limits —
 * with nothing created or changed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
  type TeamMemberJson,
} from '../../../src/emulator/index.js';
import { ACME, TEAM, accessToken, call, uuidOf } from '../emulator/support.js';

const INVITE = '/auth/api/v1/users/invitation';
/** The default seed's paid seats (see test/unit/emulator/seat-limit.test.ts). */
const IN_USE = 13;
const SEAT_REFUSAL = {
  response: {
    errors: [
      {
        errno: 1040,
        field: 'capacity',
        message:
          'You have reached the limit of paid team members for this business. Upgrade your plan or remove a team member.',
        object: 'team_member',
        value: null,
      },
    ],
  },
};

let emu: RunningEmulator;
let token: string;

async function start(seatLimit?: number): Promise<void> {
  const seed = loadDefaultSeed();
  if (seatLimit !== undefined) seed.businesses[0]!.seatLimit = seatLimit;
  emu = await startEmulator({ seed });
  token = await accessToken(emu);
}
afterEach(() => emu.close());

function invite(email: string, capacity: string) {
  return call(emu, 'POST', INVITE, {
    token,
    json: { capacity, to_email: email, invitable_id: ACME, invitable_type: 'business' },
  });
}

function changeRole(email: string, role: string) {
  return call(emu, 'PUT', `${TEAM(ACME)}/${uuidOf(emu, ACME, email)}`, {
    token,
    json: { team_member: { business_role_name: role } },
  });
}

const seats = () => call(emu, 'GET', `/_emulator/businesses/${ACME}/seats`);
const setLimit = (body: unknown) =>
  call(emu, 'PUT', `/_emulator/businesses/${ACME}/seats`, { json: body });

describe('a seat limit from the seed', () => {
  beforeEach(() => start(IN_USE));

  it('refuses an over-limit invitation with 422 in either encoding; nothing is created', async () => {
    for (const capacity of ['accountant', 'business_accountant']) {
      const answer = await invite('eli@acme.example', capacity);
      expect(answer.status, capacity).toBe(422);
      expect(answer.body).toEqual(SEAT_REFUSAL);
    }
    expect(emu.control.member(ACME, 'eli@acme.example')).toBeNull();
    const listed = await call(emu, 'GET', `${TEAM(ACME)}?per_page=100`, { token });
    const emails = (listed.body as { response: TeamMemberJson[] }).response.map((m) => m.email);
    expect(emails).not.toContain('eli@acme.example');
    // The request log says the write did not take effect.
    const writes = emu.control.requests().log.filter((e) => e.route === `POST ${INVITE}`);
    expect(writes.map((e) => [e.status, e.applied])).toEqual([
      [422, false],
      [422, false],
    ]);
  });

  it('refuses a change from Unassigned to a paid role (field business_role_name); paid → paid and → Unassigned work', async () => {
    const refused = await changeRole('ivan@acme.example', 'business_employee');
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({
      response: {
        errors: [{ ...SEAT_REFUSAL.response.errors[0], field: 'business_role_name' }],
      },
    });
    expect(emu.control.member(ACME, 'ivan@acme.example')?.business_role_name).toBe(
      'no_seat_employee',
    );
    expect((await changeRole('grace@acme.example', 'business_employee')).status).toBe(200);
    expect((await changeRole('maya@acme.example', 'no_seat_employee')).status).toBe(200);
    // The seat maya freed is ivan's now.
    expect((await changeRole('ivan@acme.example', 'business_employee')).status).toBe(200);
  });

  it('frees a seat with a removal, and then invites', async () => {
    expect((await invite('eli@acme.example', 'accountant')).status).toBe(422);
    const removed = await call(
      emu,
      'DELETE',
      `${TEAM(ACME)}/${uuidOf(emu, ACME, 'zoe@acme.example')}`,
      {
        token,
      },
    );
    expect(removed.status).toBe(204);
    expect((await invite('eli@acme.example', 'accountant')).status).toBe(200);
    expect((await seats()).body).toEqual({ limit: IN_USE, inUse: IN_USE, free: 0 });
  });

  it('counts pending invitations: a cancelled one frees its seat, a new one takes one', async () => {
    const sam = uuidOf(emu, ACME, 'sam@oldfirm.example');
    expect((await call(emu, 'DELETE', `${TEAM(ACME)}/${sam}`, { token })).status).toBe(204);
    expect((await seats()).body).toEqual({ limit: IN_USE, inUse: IN_USE - 1, free: 1 });
    expect((await invite('eli@acme.example', 'accountant')).status).toBe(200);
    expect(emu.control.member(ACME, 'eli@acme.example')).toMatchObject({ active: false });
    expect((await invite('lee@acme.example', 'employee')).status).toBe(422);
  });

  it('re-invites a deactivated member as Unassigned, not with a paid role', async () => {
    expect((await invite('jules@acme.example', 'employee')).status).toBe(422);
    expect(emu.control.member(ACME, 'jules@acme.example')).toMatchObject({
      active: false,
      business_role_name: 'no_seat_employee',
    });
    expect((await invite('jules@acme.example', 'unassigned')).status).toBe(200);
  });

  it('keeps the limit through a dump and a load of the state', async () => {
    const dump = (await call(emu, 'GET', '/_emulator/state')).body as {
      businesses: { seatLimit?: number }[];
    };
    expect(dump.businesses.map((b) => b.seatLimit)).toEqual([IN_USE, undefined]);
    expect((await call(emu, 'PUT', '/_emulator/state', { json: dump })).status).toBe(200);
    expect((await invite('eli@acme.example', 'accountant')).status).toBe(422);
  });
});

describe('the control route /_emulator/businesses/{id}/seats', () => {
  beforeEach(() => start());

  it('shows no limit by default, and the default seed invites as before', async () => {
    expect((await seats()).body).toEqual({ limit: null, inUse: IN_USE, free: null });
    expect((await invite('eli@acme.example', 'accountant')).status).toBe(200);
  });

  it('sets a limit, refuses beyond it, and clears it', async () => {
    const set = await setLimit({ limit: IN_USE });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ limit: IN_USE, inUse: IN_USE, free: 0 });
    expect((await invite('eli@acme.example', 'accountant')).status).toBe(422);
    // Lowered below the seats in use: nobody is removed, and nothing paid is taken.
    expect((await setLimit({ limit: 5 })).body).toEqual({ limit: 5, inUse: IN_USE, free: 0 });
    expect((await changeRole('grace@acme.example', 'business_partner')).status).toBe(200);
    expect((await invite('eli@acme.example', 'unassigned')).status).toBe(200);
    const cleared = await setLimit({ limit: null });
    expect(cleared.body).toEqual({ limit: null, inUse: IN_USE, free: null });
    expect((await invite('lee@acme.example', 'accountant')).status).toBe(200);
  });

  it('is listed with the other control routes', async () => {
    const index = (await call(emu, 'GET', '/_emulator/')).body as { routes: string[] };
    expect(index.routes).toEqual(
      expect.arrayContaining([
        'GET /_emulator/businesses/{id}/seats',
        'PUT /_emulator/businesses/{id}/seats',
      ]),
    );
  });

  it.each([
    [{ limit: -1 }, 400, 'limit must be a whole number ≥ 0, or null for no limit; got -1'],
    [{ limit: 2.5 }, 400, 'got 2.5'],
    [{ limit: '10' }, 400, 'got "10"'],
    [{}, 400, 'the body must be {"limit": N} or {"limit": null}'],
  ])('refuses %j with %i and says why, changing nothing', async (body, status, message) => {
    const answer = await setLimit(body);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
    expect((answer.body as { error_description: string }).error_description).toContain(message);
    expect((await seats()).body).toEqual({ limit: null, inUse: IN_USE, free: null });
  });

  it('answers 404 for a business the emulator does not have', async () => {
    const answer = await call(emu, 'PUT', '/_emulator/businesses/999/seats', {
      json: { limit: 3 },
    });
    expect(answer.status).toBe(404);
  });

  it('answers loopback callers only, like every control route (Origin and content type)', async () => {
    const foreign = await call(emu, 'PUT', `/_emulator/businesses/${ACME}/seats`, {
      json: { limit: 0 },
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const form = await call(emu, 'PUT', `/_emulator/businesses/${ACME}/seats`, {
      form: { limit: '0' },
    });
    expect(form.status).toBe(415);
    expect((await seats()).body).toEqual({ limit: null, inUse: IN_USE, free: null });
  });

  it('the in-process control does the same', () => {
    expect(emu.control.setSeatLimit(ACME, 14)).toEqual({ limit: 14, inUse: IN_USE, free: 1 });
    expect(emu.control.seats(ACME)).toEqual({ limit: 14, inUse: IN_USE, free: 1 });
    expect(() => emu.control.setSeatLimit(ACME, -2)).toThrow(/whole number/);
    expect(() => emu.control.seats(999)).toThrow(/no business 999/);
  });
});
