/**
 * The OAuth caller and its own team row are one person: a seed row with the email of an identity
 * (and no `identity_id`) carries that identity's id, so `users/me` and `team_members` agree about
 * who the caller is — as FreshBooks does, where the team row of a person who signed up is linked
 * to their login. An identity no row names stays separate (it reaches businesses through
 * `admin_of` only). Everything here goes over HTTP to the running emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmulator,
  type EmulatorSeed,
  type RunningEmulator,
  type TeamMemberJson,
} from '../../../src/emulator/index.js';
import { rolecall, workspace, type Workspace } from '../plan/plan-harness.js';
import { TEAM, call, refresh, type Tokens } from './support.js';

const LINKED = 610001;
const OTHER = 610002;
const CALLER = 700;
const LONER = 701;

/** Mixed case on purpose: emails are compared case-insensitively, as FreshBooks does. */
function linkSeed(): EmulatorSeed {
  return {
    identities: [
      { id: CALLER, email: 'Cat@Link.example', first_name: 'Cat', admin_of: [OTHER] },
      { id: LONER, email: 'loner@link.example', first_name: 'Lou', admin_of: [OTHER] },
    ],
    businesses: [
      {
        id: LINKED,
        name: 'Linked Co',
        account_id: 'Lk0001',
        members: [
          { email: 'owner@link.example', role: 'owner' },
          // No identity_id: the emulator links the row to identity 700 by its email.
          { email: 'cat@link.example', role: 'business_partner', first_name: 'Cat' },
          { email: 'dev@link.example', role: 'business_employee' },
        ],
      },
      {
        id: OTHER,
        name: 'Other Co',
        account_id: 'Ot0001',
        members: [{ email: 'boss@other.example', role: 'owner' }],
      },
    ],
    clients: [
      {
        client_id: 'link-client',
        client_secret: 'sandbox-secret-link-0123456789abcdef',
        identity_id: CALLER,
        refresh_tokens: ['sandbox-refresh-link-0123456789abcdef'],
      },
    ],
  };
}

interface UsersMe {
  id: number;
  email: string;
  groups: Array<{ identity_id: number; business_id: number; role: string }>;
  business_memberships: Array<{ role: string; business: { id: number } }>;
}

let emu: RunningEmulator;
let tokens: Tokens;
beforeAll(async () => {
  emu = await startEmulator({ seed: linkSeed() });
  tokens = await refresh(emu);
});
afterAll(() => emu.close());

async function usersMe(token: string): Promise<UsersMe> {
  const answer = await call(emu, 'GET', '/auth/api/v1/users/me', { token });
  expect(answer.status).toBe(200);
  return (answer.body as { response: UsersMe }).response;
}

async function team(businessId: number, token = tokens.access_token): Promise<TeamMemberJson[]> {
  const answer = await call(emu, 'GET', `${TEAM(businessId)}?per_page=100`, { token });
  expect(answer.status).toBe(200);
  return (answer.body as { response: TeamMemberJson[] }).response;
}

/** A token for another identity of the same client: the browser step, then the code exchange. */
async function tokenFor(identityId: number): Promise<string> {
  const minted = await call(emu, 'POST', '/_emulator/oauth/codes', {
    json: { client_id: 'link-client', identity_id: identityId },
  });
  const { code } = minted.body as { code: string };
  const answer = await call(emu, 'POST', '/auth/oauth/token', {
    form: {
      grant_type: 'authorization_code',
      client_id: 'link-client',
      client_secret: 'sandbox-secret-link-0123456789abcdef',
      code,
      redirect_uri: 'https://localhost/rolecall/callback',
    },
  });
  expect(answer.status).toBe(200);
  return (answer.body as Tokens).access_token;
}

describe('the OAuth identity and the team row with its email are one person', () => {
  it('users/me and team_members give the caller the same identity id', async () => {
    const me = await usersMe(tokens.access_token);
    expect(me).toMatchObject({ id: CALLER, email: 'cat@link.example' });
    const row = (await team(LINKED)).find((m) => m.email === 'cat@link.example');
    expect(row).toMatchObject({ identity_id: CALLER, active: true });
    // The caller reaches Linked Co through its own row, with the row's role; Other Co only
    // through admin_of. Without the link the caller would not reach Linked Co at all.
    expect(me.business_memberships.map((m) => [m.business.id, m.role])).toEqual([
      [LINKED, 'business_partner'],
      [OTHER, 'business_partner'],
    ]);
    expect(me.groups.map((g) => [g.business_id, g.identity_id])).toEqual([
      [LINKED, CALLER],
      [OTHER, CALLER],
    ]);
  });

  it('rows of people who are no identity get their own ids, never the caller’s', async () => {
    const ids = (await team(LINKED)).map((m) => [m.email, m.identity_id]);
    const others = ids.filter(([email]) => email !== 'cat@link.example').map(([, id]) => id);
    expect(others).toHaveLength(2);
    for (const id of others) expect([CALLER, LONER, null]).not.toContain(id);
    expect(new Set(others).size).toBe(2);
  });

  it('an identity no row names stays separate: admin_of only, and no row carries its id', async () => {
    const token = await tokenFor(LONER);
    const me = await usersMe(token);
    expect(me.id).toBe(LONER);
    expect(me.business_memberships.map((m) => [m.business.id, m.role])).toEqual([
      [OTHER, 'business_partner'],
    ]);
    const everyone = [...(await team(LINKED)), ...(await team(OTHER))];
    expect(everyone.filter((m) => m.identity_id === LONER)).toEqual([]);
    // Not a member of Linked Co, and no admin_of there: the published 403.
    expect((await call(emu, 'GET', TEAM(LINKED), { token })).status).toBe(403);
  });

  it('an invitation to an identity’s email, once accepted, is that identity’s row', async () => {
    const invited = await call(emu, 'POST', '/auth/api/v1/users/invitation', {
      token: tokens.access_token,
      json: {
        capacity: 'employee',
        to_email: 'Loner@link.example',
        invitable_id: LINKED,
        invitable_type: 'business',
      },
    });
    expect(invited.status).toBeLessThan(300);
    const pending = (await team(LINKED)).find((m) => m.email === 'loner@link.example');
    expect(pending).toMatchObject({ active: false, identity_id: null });
    const accepted = await call(
      emu,
      'POST',
      `/_emulator/businesses/${LINKED}/members/${pending?.uuid ?? ''}/accept`,
    );
    expect(accepted.body).toMatchObject({ identity_id: LONER, active: true });
    const me = await usersMe(await tokenFor(LONER));
    expect(me.business_memberships.map((m) => [m.business.id, m.role])).toEqual([
      [LINKED, 'business_employee'],
      [OTHER, 'business_partner'],
    ]);
  });

  it('the state dump carries the link, and loading it back keeps it', async () => {
    const dump = (await call(emu, 'GET', '/_emulator/state')).body as EmulatorSeed;
    const rows = dump.businesses.flatMap((b) => b.members ?? []);
    expect(rows.find((m) => m.email === 'cat@link.example')?.identity_id).toBe(CALLER);
    const loaded = await call(emu, 'PUT', '/_emulator/state', { json: dump });
    expect(loaded.status).toBe(200);
    expect(loaded.body).toEqual(dump);
  });

  it('refuses a seed whose row names another identity than the one with its email', async () => {
    const seed = linkSeed();
    const row = seed.businesses[0]?.members?.[1];
    if (row) row.identity_id = 4242;
    const twice = linkSeed();
    twice.identities.push({ id: 702, email: 'CAT@link.example' });
    for (const [bad, message] of [
      [
        seed,
        'businesses[0].members[1].identity_id: 4242 is not identity 700, which signs in as cat@link.example',
      ],
      [twice, 'identities[2].email: cat@link.example is already the email of identity 700'],
    ] as const) {
      const answer = await call(emu, 'PUT', '/_emulator/state', { json: bad });
      expect(answer.status).toBe(400);
      expect((answer.body as { error_description: string }).error_description).toContain(message);
    }
    // The refused loads changed nothing.
    expect((await team(LINKED)).map((m) => m.email)).toContain('loner@link.example');
  });
});

describe('rolecall sees one consistent person', () => {
  let ws: Workspace;
  beforeAll(async () => {
    emu.control.loadState(linkSeed());
    ws = await workspace(emu);
    ws.env['FRESHBOOKS_CLIENT_ID'] = 'link-client';
    ws.env['FRESHBOOKS_CLIENT_SECRET'] = 'sandbox-secret-link-0123456789abcdef';
    ws.env['FRESHBOOKS_REFRESH_TOKEN'] = 'sandbox-refresh-link-0123456789abcdef';
  });
  afterAll(() => ws.close());

  it('auth status names the caller and its role from its own team row', async () => {
    const status = await rolecall(ws, ['auth', 'status']);
    expect(status.code).toBe(0);
    expect(status.out).toContain(`identity: cat@link.example (id ${CALLER})\n`);
    expect(status.out).toContain(
      `businesses:\n  ${LINKED}  Linked Co (account Lk0001), role admin\n  ${OTHER}  Other Co (account Ot0001), role admin\n`,
    );
    expect(status.out).not.toContain('sandbox-secret');
  });
});
