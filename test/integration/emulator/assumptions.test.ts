/**
 * The contract's open questions as emulator knobs, so rolecall can be tested against each
 * answer (freshbooks-api.md, "What the published material leaves open"): a write answered
 * 2xx that changed nothing (the `ack` fault), pending invitations that `team_members` does
 * not show (`listPendingInvitations: false`), and an invitation endpoint that takes only one
 * `capacity` encoding (`inviteCapacity`). Real HTTP over loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { ACME, TEAM, accessToken, call, uuidOf } from './support.js';

const INVITE = '/auth/api/v1/users/invitation';
const INVITE_ROUTE = 'POST /auth/api/v1/users/invitation';
const PUT_ROUTE = 'PUT /auth/api/v1/businesses/:id/team_members/:uuid';
const DELETE_ROUTE = 'DELETE /auth/api/v1/businesses/:id/team_members/:uuid';

const running: RunningEmulator[] = [];
async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startEmulator(options);
  running.push(emu);
  return emu;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
});

function invite(emu: RunningEmulator, token: string, email: string, capacity: string) {
  return call(emu, 'POST', INVITE, {
    token,
    json: { capacity, to_email: email, invitable_id: ACME, invitable_type: 'business' },
  });
}

describe('the ack fault: 2xx, the usual body, no effect', () => {
  it('answers an invitation, a role change and a removal as a success and changes nothing', async () => {
    const emu = await start();
    const token = await accessToken(emu);
    const before = emu.control.members(ACME);
    const grace = uuidOf(emu, ACME, 'grace@acme.example');
    const zoe = uuidOf(emu, ACME, 'zoe@acme.example');
    emu.control.queueFault('ack', INVITE_ROUTE);
    emu.control.queueFault('ack', PUT_ROUTE);
    emu.control.queueFault('ack', DELETE_ROUTE);

    const invited = await invite(emu, token, 'eli@acme.example', 'employee');
    const changed = await call(emu, 'PUT', `${TEAM(ACME)}/${grace}`, {
      token,
      json: { team_member: { business_role_name: 'business_employee' } },
    });
    const removed = await call(emu, 'DELETE', `${TEAM(ACME)}/${zoe}`, { token });

    // Exactly what a success looks like: a pending member, the new role, 204.
    expect(invited.status).toBe(200);
    expect(invited.body).toMatchObject({
      response: { email: 'eli@acme.example', business_role_name: 'business_employee' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ response: { business_role_name: 'business_employee' } });
    expect(removed.status).toBe(204);
    // …and yet nothing happened: only reading back can tell.
    expect(emu.control.members(ACME)).toEqual(before);
    const uuid = (invited.body as { response: { uuid: string } }).response.uuid;
    expect((await call(emu, 'GET', `${TEAM(ACME)}/${uuid}`, { token })).status).toBe(404);
    const log = emu.control.requests().log.slice(-4, -1);
    expect(log.map((e) => [e.route, e.status, e.fault, e.applied])).toEqual([
      [INVITE_ROUTE, 200, 'ack', false],
      [PUT_ROUTE, 200, 'ack', false],
      [DELETE_ROUTE, 204, 'ack', false],
    ]);
  });

  it('leaves a refusal a refusal, and reads alone, at any rate', async () => {
    const emu = await start({ faults: 'ack=1' });
    const token = await accessToken(emu);
    const olivia = uuidOf(emu, ACME, 'olivia@acme.example');
    const owner = await call(emu, 'DELETE', `${TEAM(ACME)}/${olivia}`, { token });
    expect(owner.status).toBe(403);
    const list = await call(emu, 'GET', `${TEAM(ACME)}?page=1&per_page=100`, { token });
    expect(list.status).toBe(200);
    const log = emu.control.requests().log.slice(-2);
    expect(log.map((e) => e.fault)).toEqual([undefined, undefined]);
  });
});

describe('listPendingInvitations: false — FreshBooks that does not list pending invitations', () => {
  it('hides pending rows from the list and the single read until they are accepted', async () => {
    const emu = await start({ listPendingInvitations: false });
    const token = await accessToken(emu);
    const invited = await invite(emu, token, 'eli@acme.example', 'employee');
    expect(invited.status).toBe(200);
    const uuid = (invited.body as { response: { uuid: string } }).response.uuid;
    // It exists (the control sees it; a second invitation is refused as a duplicate)…
    expect(emu.control.member(ACME, uuid)?.active).toBe(false);
    expect((await invite(emu, token, 'eli@acme.example', 'employee')).status).toBe(422);
    // …but the API shows no pending invitation at all, the seed's included.
    const list = await call(emu, 'GET', `${TEAM(ACME)}?page=1&per_page=100`, { token });
    const rows = (list.body as { response: Array<{ email: string; active: boolean }> }).response;
    const pendingInControl = emu.control
      .members(ACME)
      .filter((m) => !m.active && m.invitation_date_accepted === null);
    expect(pendingInControl.length).toBeGreaterThan(1);
    for (const pending of pendingInControl)
      expect(rows.map((r) => r.email)).not.toContain(pending.email);
    expect((list.body as { meta: { total: number } }).meta.total).toBe(rows.length);
    expect((await call(emu, 'GET', `${TEAM(ACME)}/${uuid}`, { token })).status).toBe(404);

    emu.control.acceptInvitation(ACME, uuid);
    const accepted = await call(emu, 'GET', `${TEAM(ACME)}/${uuid}`, { token });
    expect(accepted.body).toMatchObject({ response: { email: 'eli@acme.example', active: true } });
  });
});

describe('inviteCapacity — one capacity encoding only', () => {
  it.each([
    ['short', 'manager', 'business_manager'],
    ['api', 'business_manager', 'manager'],
  ] as const)('%s: takes %j, refuses %j with 422 invalid_resource', async (accepted, good, bad) => {
    const emu = await start({ inviteCapacity: accepted });
    const token = await accessToken(emu);
    const refused = await invite(emu, token, 'eli@acme.example', bad);
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({
      error: 'invalid_resource',
      error_description: `Validation failed: Capacity "${bad}" is not a valid role`,
    });
    expect(emu.control.member(ACME, 'eli@acme.example')).toBeNull();
    const taken = await invite(emu, token, 'eli@acme.example', good);
    expect(taken.status).toBe(200);
    expect(emu.control.member(ACME, 'eli@acme.example')?.business_role_name).toBe(
      'business_manager',
    );
  });

  it('any (the default) takes both', async () => {
    const emu = await start();
    const token = await accessToken(emu);
    expect((await invite(emu, token, 'eli@acme.example', 'manager')).status).toBe(200);
    expect((await invite(emu, token, 'new@acme.example', 'business_manager')).status).toBe(200);
  });
});
