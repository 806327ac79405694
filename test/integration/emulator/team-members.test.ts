import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { ACME, HOLDINGS, TEAM, accessToken, call, teamSeed } from './support.js';

interface ListBody {
  response: Array<{ email: string; active: boolean; business_role_name: string; uuid: string }>;
  meta: { page: number; per_page: number; total: number };
}

describe('paging (published rules)', () => {
  const sizes = [0, 1, 100, 101, 250];
  const emus = new Map<number, { emu: RunningEmulator; token: string }>();

  beforeAll(async () => {
    for (const size of sizes) {
      const emu = await startEmulator({ seed: teamSeed(size) });
      emus.set(size, { emu, token: await accessToken(emu) });
    }
  });
  afterAll(async () => {
    await Promise.all([...emus.values()].map(({ emu }) => emu.close()));
  });

  async function list(size: number, query: string) {
    const { emu, token } = emus.get(size)!;
    return call(emu, 'GET', `${TEAM(1)}?${query}`, { token });
  }

  it.each(sizes)(
    'reads all %i members in ceil(N/100) pages of 100, then an empty page',
    async (size) => {
      const seen: string[] = [];
      let page = 1;
      let requests = 0;
      for (;;) {
        const answer = await list(size, `page=${page}&per_page=100`);
        requests += 1;
        const body = answer.body as ListBody;
        expect(answer.status).toBe(200);
        expect(body.meta).toEqual({ page, per_page: 100, total: size });
        seen.push(...body.response.map((m) => m.email));
        if (page * body.meta.per_page >= body.meta.total) break;
        page += 1;
      }
      expect(requests).toBe(Math.max(1, Math.ceil(size / 100)));
      expect(seen).toHaveLength(size);
      expect(new Set(seen).size).toBe(size);
      const past = (await list(size, `page=${page + 1}&per_page=100`)).body as ListBody;
      expect(past.response).toEqual([]);
      expect(past.meta.total).toBe(size);
    },
  );

  it('caps per_page at 100 silently', async () => {
    const body = (await list(250, 'page=1&per_page=500')).body as ListBody;
    expect(body.response).toHaveLength(100);
    expect(body.meta).toEqual({ page: 1, per_page: 100, total: 250 });
  });

  it('treats page=0 as page 1', async () => {
    const zero = (await list(101, 'page=0&per_page=100')).body as ListBody;
    const one = (await list(101, 'page=1&per_page=100')).body as ListBody;
    expect(zero.meta.page).toBe(1);
    expect(zero.response).toEqual(one.response);
  });

  it('pages with small sizes in a stable order', async () => {
    const a = (await list(250, 'page=3&per_page=7')).body as ListBody;
    const all = (await list(250, 'page=1&per_page=100')).body as ListBody;
    expect(a.response.map((m) => m.email)).toEqual(all.response.slice(14, 21).map((m) => m.email));
    expect((await list(250, 'page=2')).body).toMatchObject({
      meta: { page: 2, per_page: 15, total: 250 },
    });
  });

  it.each(['abc', '1.5', '-1', ''])(
    'rejects page=%j with 400 in the accounting error shape',
    async (page) => {
      const answer = await list(100, `page=${encodeURIComponent(page)}&per_page=100`);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        response: {
          errors: [
            {
              errno: 1001,
              field: 'page',
              message: 'page must be a number',
              object: 'team_member',
              value: page,
            },
          ],
        },
      });
    },
  );

  it('rejects a non-integer per_page the same way', async () => {
    const answer = await list(100, 'per_page=many');
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('per_page must be a number');
  });

  it('filters active=true (and active=false) with a matching total', async () => {
    const all = (await list(100, 'per_page=100')).body as ListBody;
    const active = (await list(100, 'per_page=100&active=true')).body as ListBody;
    const inactive = (await list(100, 'per_page=100&active=false')).body as ListBody;
    expect(active.response.every((m) => m.active)).toBe(true);
    expect(inactive.response.every((m) => !m.active)).toBe(true);
    expect(active.meta.total).toBe(80);
    expect(active.meta.total + inactive.meta.total).toBe(all.meta.total);
    expect((await list(100, 'active=maybe')).status).toBe(400);
  });
});

describe('the default seed', () => {
  let emu: RunningEmulator;
  let token: string;
  beforeAll(async () => {
    emu = await startEmulator();
    token = await accessToken(emu);
  });
  afterAll(() => emu.close());

  it('lists every row FreshBooks would, clients and unknown roles included', async () => {
    const body = (await call(emu, 'GET', `${TEAM(ACME)}?per_page=100`, { token })).body as ListBody;
    const roles = Object.fromEntries(body.response.map((m) => [m.email, m.business_role_name]));
    expect(roles['client@customer.example']).toBe('client');
    expect(roles['pat@acme.example']).toBe('time_tracking_admin');
    expect(roles['olivia@acme.example']).toBe('owner');
    expect(body.meta.total).toBe(17);
  });

  it('serves a single member, 404 (errno 1012) for an unknown uuid', async () => {
    const uuid = emu.control.member(ACME, 'grace@acme.example')!.uuid;
    const one = await call(emu, 'GET', `${TEAM(ACME)}/${uuid}`, { token });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      response: { uuid, email: 'grace@acme.example', business_role_name: 'business_manager' },
    });
    const missing = await call(emu, 'GET', `${TEAM(ACME)}/no-such-uuid`, { token });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      response: {
        errors: [
          {
            errno: 1012,
            field: 'uuid',
            message: 'Team member not found.',
            object: 'team_member',
            value: 'no-such-uuid',
          },
        ],
      },
    });
  });

  it('lets the token reach both of alice’s businesses, and no other', async () => {
    expect((await call(emu, 'GET', TEAM(HOLDINGS), { token })).status).toBe(200);
    const other = await call(emu, 'GET', TEAM(999999), { token });
    expect(other.status).toBe(403);
    expect(other.body).toEqual({
      response: {
        errors: [
          { errno: 1003, field: null, message: 'Permission Denied.', object: null, value: null },
        ],
      },
    });
  });

  it('answers users/me with a membership per business; membership id is not the business id', async () => {
    const me = await call(emu, 'GET', '/auth/api/v1/users/me', { token });
    const body = me.body as {
      response: {
        id: number;
        email: string;
        business_memberships: Array<{
          id: number;
          role: string;
          business: { id: number; account_id: string; name: string };
        }>;
      };
    };
    expect(body.response).toMatchObject({ id: 5001, email: 'alice@acme.example' });
    const memberships = body.response.business_memberships;
    expect(memberships.map((m) => [m.business.id, m.business.account_id, m.role])).toEqual([
      [ACME, 'Xk9Pq2', 'business_partner'],
      [HOLDINGS, 'Hd7Lm3', 'business_partner'],
    ]);
    for (const m of memberships) expect(m.id).not.toBe(m.business.id);
  });

  it('carries x-request-id on every answer, unique per request', async () => {
    const a = await call(emu, 'GET', TEAM(ACME), { token });
    const b = await call(emu, 'GET', '/no/such/route', { token });
    const c = await call(emu, 'GET', '/_emulator/config');
    const ids = [a, b, c].map((x) => x.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(3);
    expect(b.status).toBe(404);
  });
});

describe('access to a business', () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it('refuses a deactivated caller and a client-role caller (403 errno 1003)', async () => {
    emu = await startEmulator();
    const token = await accessToken(emu);
    const alice = emu.control.member(ACME, 'alice@acme.example')!;
    emu.control.updateMember(ACME, alice.uuid, { role: 'client' });
    expect((await call(emu, 'GET', TEAM(ACME), { token })).status).toBe(403);
    emu.control.updateMember(ACME, alice.uuid, { role: 'employee' });
    expect((await call(emu, 'GET', TEAM(ACME), { token })).status).toBe(200);
    emu.control.updateMember(ACME, alice.uuid, { state: 'deactivated' });
    expect((await call(emu, 'GET', TEAM(ACME), { token })).status).toBe(403);
  });

  it('needs the user:teams:read scope', async () => {
    const seed = teamSeed(3);
    seed.clients[0]!.scope = 'user:profile:read';
    emu = await startEmulator({ seed });
    const token = await accessToken(emu);
    expect((await call(emu, 'GET', TEAM(1), { token })).status).toBe(403);
    expect((await call(emu, 'GET', '/auth/api/v1/users/me', { token })).status).toBe(200);
  });
});
