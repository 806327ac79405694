import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startEmulator,
  type RunningEmulator,
  type TeamMemberJson,
} from '../../../src/emulator/index.js';
import { ACME, TEAM, accessToken, call, testClock, uuidOf } from './support.js';

const INVITE = '/auth/api/v1/users/invitation';
const PERMISSION_DENIED = {
  response: {
    errors: [
      { errno: 1003, field: null, message: 'Permission Denied.', object: null, value: null },
    ],
  },
};

let emu: RunningEmulator;
let token: string;
const clock = testClock();

beforeEach(async () => {
  emu = await startEmulator({ now: clock.now });
  token = await accessToken(emu);
});
afterEach(() => emu.close());

function invite(email: string, capacity: string, businessId: number | string = ACME) {
  return call(emu, 'POST', INVITE, {
    token,
    json: { capacity, to_email: email, invitable_id: businessId, invitable_type: 'business' },
  });
}

function stateOf(member: TeamMemberJson | null) {
  if (!member) return 'absent';
  if (member.active) return 'active';
  return member.invitation_date_accepted === null && member.identity_id === null
    ? 'invited'
    : 'deactivated';
}

describe('invitation', () => {
  it('takes the published request body and creates a pending member', async () => {
    const published = JSON.parse(
      readFileSync('test/fixtures/freshbooks/invitation.request.json', 'utf8'),
    ) as Record<string, unknown>;
    published['invitable_id'] = ACME;
    published['to_email'] = 'eli@acme.example';
    const answer = await call(emu, 'POST', INVITE, { token, json: published });
    expect(answer.status).toBe(200);
    const member = (answer.body as { response: TeamMemberJson }).response;
    expect(member).toMatchObject({
      email: 'eli@acme.example',
      business_role_name: 'business_manager',
      active: false,
      identity_id: null,
      invitation_date_accepted: null,
      business_id: ACME,
    });
    expect(stateOf(emu.control.member(ACME, member.uuid))).toBe('invited');
    const listed = await call(emu, 'GET', `${TEAM(ACME)}/${member.uuid}`, { token });
    expect((listed.body as { response: TeamMemberJson }).response).toEqual(member);
  });

  it.each([
    ['admin', 'business_partner'],
    ['accountant', 'business_accountant'],
    ['unassigned', 'no_seat_employee'],
    ['contractor', 'contractor'],
    ['business_employee', 'business_employee'],
  ])('accepts capacity %s as %s', async (capacity, apiRole) => {
    const answer = await invite('new@acme.example', capacity);
    expect((answer.body as { response: TeamMemberJson }).response.business_role_name).toBe(apiRole);
  });

  it('accepts invitable_id as a numeric string (the Postman sample quotes it)', async () => {
    expect((await invite('eli@acme.example', 'manager', String(ACME))).status).toBe(200);
  });

  it('re-invites a deactivated member: same uuid, pending again, new role; accept restores it', async () => {
    const uuid = uuidOf(emu, ACME, 'jules@acme.example');
    const answer = await invite('Jules@ACME.example', 'unassigned');
    expect(answer.status).toBe(200);
    expect((answer.body as { response: TeamMemberJson }).response.uuid).toBe(uuid);
    expect(stateOf(emu.control.member(ACME, uuid))).toBe('invited');
    const accepted = emu.control.acceptInvitation(ACME, uuid);
    expect(stateOf(accepted)).toBe('active');
    expect(accepted.identity_id).toBe(5010);
  });

  it.each([
    ['an active member', 'zoe@acme.example', /already a member/],
    ['a pending invitation', 'hana@acme.example', /already been invited/],
    ['a client', 'client@customer.example', /client/],
  ])(
    'refuses to invite %s again (422 invalid_resource), never duplicating',
    async (_what, email, message) => {
      const before = emu.control.members(ACME).length;
      const answer = await invite(email, 'employee');
      expect(answer.status).toBe(422);
      expect((answer.body as { error: string }).error).toBe('invalid_resource');
      expect((answer.body as { error_description: string }).error_description).toMatch(message);
      expect(emu.control.members(ACME)).toHaveLength(before);
    },
  );

  it.each([
    [{ capacity: 'owner' }, 422],
    [{ capacity: 'client' }, 422],
    [{ capacity: 'wizard' }, 422],
    [{ to_email: 'not-an-email' }, 422],
    [{ invitable_type: 'project' }, 422],
    [{ invitable_id: 'abc' }, 422],
    [{ invitable_id: 999999 }, 403],
  ])('refuses %j with %i', async (override, status) => {
    const body = {
      capacity: 'employee',
      to_email: 'x@acme.example',
      invitable_id: ACME,
      invitable_type: 'business',
      ...override,
    };
    const answer = await call(emu, 'POST', INVITE, { token, json: body });
    expect(answer.status).toBe(status);
    expect(emu.control.member(ACME, 'x@acme.example')).toBeNull();
  });
});

describe('change role', () => {
  const put = (uuid: string, role: unknown) =>
    call(emu, 'PUT', `${TEAM(ACME)}/${uuid}`, {
      token,
      json: { team_member: { business_role_name: role } },
    });

  it('changes the role and answers 200 {"response": TeamMember}', async () => {
    const uuid = uuidOf(emu, ACME, 'grace@acme.example');
    clock.advance(60_000);
    const answer = await put(uuid, 'business_employee');
    expect(answer.status).toBe(200);
    const member = (answer.body as { response: TeamMemberJson }).response;
    expect(member).toMatchObject({ uuid, business_role_name: 'business_employee', active: true });
    expect(member.updated_at).toBe(clock.now().toISOString().replace('.000', ''));
    expect(emu.control.member(ACME, uuid)?.business_role_name).toBe('business_employee');
  });

  it('protects the owner with the published 403 body', async () => {
    const answer = await put(uuidOf(emu, ACME, 'olivia@acme.example'), 'business_employee');
    expect([answer.status, answer.body]).toEqual([403, PERMISSION_DENIED]);
    expect(emu.control.member(ACME, 'olivia@acme.example')?.business_role_name).toBe('owner');
  });

  it.each(['owner', 'manager', 'client', 42])('refuses the role %j (422)', async (role) => {
    const answer = await put(uuidOf(emu, ACME, 'frank@acme.example'), role);
    expect(answer.status).toBe(422);
    expect(emu.control.member(ACME, 'frank@acme.example')?.business_role_name).toBe(
      'business_employee',
    );
  });

  it('answers 404 for an unknown uuid and 400 for a body without team_member', async () => {
    expect((await put('no-such-uuid', 'business_employee')).status).toBe(404);
    const bad = await call(emu, 'PUT', `${TEAM(ACME)}/${uuidOf(emu, ACME, 'frank@acme.example')}`, {
      token,
      json: { business_role_name: 'business_manager' },
    });
    expect(bad.status).toBe(400);
  });
});

describe('remove', () => {
  const del = (uuid: string) => call(emu, 'DELETE', `${TEAM(ACME)}/${uuid}`, { token });

  it('deactivates an active member: 204, then listed inactive with an accepted invitation', async () => {
    const uuid = uuidOf(emu, ACME, 'zoe@acme.example');
    const answer = await del(uuid);
    expect([answer.status, answer.text]).toEqual([204, '']);
    const member = (await call(emu, 'GET', `${TEAM(ACME)}/${uuid}`, { token })).body as {
      response: TeamMemberJson;
    };
    expect(member.response.active).toBe(false);
    expect(member.response.invitation_date_accepted).not.toBeNull();
    expect(stateOf(member.response)).toBe('deactivated');
    // A second removal changes nothing and still answers 204 (a retry is harmless).
    expect((await del(uuid)).status).toBe(204);
    expect(emu.control.requests().log.at(-1)).toMatchObject({ status: 204, applied: false });
  });

  it('deactivates an active member who never had an accepted date so it reads as removed, not pending', async () => {
    const uuid = uuidOf(emu, ACME, 'ivan@acme.example');
    expect((await del(uuid)).status).toBe(204);
    expect(stateOf(emu.control.member(ACME, uuid))).toBe('deactivated');
  });

  it('cancels a pending invitation: it disappears from the list', async () => {
    const uuid = uuidOf(emu, ACME, 'sam@oldfirm.example');
    expect((await del(uuid)).status).toBe(204);
    expect(emu.control.member(ACME, uuid)).toBeNull();
    expect((await call(emu, 'GET', `${TEAM(ACME)}/${uuid}`, { token })).status).toBe(404);
    expect((await del(uuid)).status).toBe(404);
  });

  it('protects the owner', async () => {
    const answer = await del(uuidOf(emu, ACME, 'olivia@acme.example'));
    expect([answer.status, answer.body]).toEqual([403, PERMISSION_DENIED]);
  });
});

describe('who may write', () => {
  it('refuses a caller who is not owner or admin (403 errno 1003) and leaves the state alone', async () => {
    emu.control.updateMember(ACME, uuidOf(emu, ACME, 'alice@acme.example'), { role: 'manager' });
    const zoe = uuidOf(emu, ACME, 'zoe@acme.example');
    const answers = [
      await invite('eli@acme.example', 'accountant'),
      await call(emu, 'PUT', `${TEAM(ACME)}/${zoe}`, {
        token,
        json: { team_member: { business_role_name: 'contractor' } },
      }),
      await call(emu, 'DELETE', `${TEAM(ACME)}/${zoe}`, { token }),
    ];
    for (const answer of answers)
      expect([answer.status, answer.body]).toEqual([403, PERMISSION_DENIED]);
    expect(emu.control.member(ACME, 'eli@acme.example')).toBeNull();
    expect(stateOf(emu.control.member(ACME, zoe))).toBe('active');
    // Reads are still allowed to a manager.
    expect((await call(emu, 'GET', TEAM(ACME), { token })).status).toBe(200);
  });

  it('answers 401 to writes without a valid token', async () => {
    const answer = await call(
      emu,
      'DELETE',
      `${TEAM(ACME)}/${uuidOf(emu, ACME, 'zoe@acme.example')}`,
    );
    expect(answer.status).toBe(401);
  });
});

describe('disabledWrites', () => {
  it.each([
    ['invite', 'POST', (): string => INVITE],
    ['changeRole', 'PUT', (): string => `${TEAM(ACME)}/${uuidOf(emu, ACME, 'zoe@acme.example')}`],
    ['remove', 'DELETE', (): string => `${TEAM(ACME)}/${uuidOf(emu, ACME, 'zoe@acme.example')}`],
  ] as const)(
    'switches %s off: 404, nothing changes, the other writes still work',
    async (op, method, path) => {
      emu.control.configure({ disabledWrites: [op] });
      const before = JSON.stringify(emu.control.members(ACME));
      const body = {
        capacity: 'employee',
        to_email: 'eli@acme.example',
        invitable_id: ACME,
        invitable_type: 'business',
        team_member: { business_role_name: 'contractor' },
      };
      const answer = await call(emu, method, path(), { token, json: body });
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({
        response: {
          errors: [{ errno: 1012, field: null, message: 'Not found.', object: null, value: null }],
        },
      });
      expect(JSON.stringify(emu.control.members(ACME))).toBe(before);
      if (op !== 'invite') expect((await invite('eli@acme.example', 'employee')).status).toBe(200);
    },
  );

  it('is an option at start', async () => {
    const other = await startEmulator({ disabledWrites: ['invite', 'remove'] });
    try {
      const t = await accessToken(other);
      const answer = await call(other, 'POST', INVITE, {
        token: t,
        json: {
          capacity: 'employee',
          to_email: 'eli@acme.example',
          invitable_id: ACME,
          invitable_type: 'business',
        },
      });
      expect(answer.status).toBe(404);
    } finally {
      await other.close();
    }
  });
});

describe('the request log records writes', () => {
  it('keeps the body of writes, never the Authorization header', async () => {
    await invite('eli@acme.example', 'accountant');
    const entry = emu.control.requests().log.at(-1)!;
    expect(entry).toMatchObject({
      method: 'POST',
      route: 'POST /auth/api/v1/users/invitation',
      status: 200,
      clientId: 'rolecall-sandbox',
      applied: true,
      body: { capacity: 'accountant', to_email: 'eli@acme.example' },
    });
    expect(JSON.stringify(emu.control.requests())).not.toContain(token);
    expect(JSON.stringify(emu.control.requests())).not.toContain(emu.credentials.clientSecret);
  });
});
