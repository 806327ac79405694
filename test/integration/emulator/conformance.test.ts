/**
 * Conformance: the emulator's answers have the keys, nesting and value types of FreshBooks'
 * own published samples (test/fixtures/freshbooks/, origins in SOURCES.md there).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { shapeDifferences } from './shape-of.js';
import { ACME, TEAM, call, refresh, uuidOf, type Tokens } from './support.js';

function sample(name: string): unknown {
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/freshbooks/${name}`, import.meta.url), 'utf8'),
  );
}

let emu: RunningEmulator;
let tokens: Tokens;
let tokenBody: unknown;
beforeAll(async () => {
  emu = await startEmulator();
  const answer = await call(emu, 'POST', '/auth/oauth/token', {
    form: {
      grant_type: 'refresh_token',
      client_id: emu.credentials.clientId,
      client_secret: emu.credentials.clientSecret,
      refresh_token: emu.credentials.refreshToken,
    },
  });
  tokenBody = answer.body;
  tokens = answer.body as Tokens;
});
afterAll(() => emu.close());

describe('success bodies', () => {
  it('GET /auth/api/v1/users/me has the shape of users-me.response.json', async () => {
    const answer = await call(emu, 'GET', '/auth/api/v1/users/me', { token: tokens.access_token });
    const maps = [
      '$.response.permissions',
      '$.response.permissions.*',
      '$.response.subscription_statuses',
      '$.response.integrations',
    ];
    expect(shapeDifferences(sample('users-me.response.json'), answer.body, { maps })).toEqual([]);
    // Every membership's business also has the fields of the identity-model doc fragment that
    // users-me.response.json has too (the fragment adds `business.active`, which the SDK sample lacks).
    const fragment = sample('identity-model-business-membership.fragment.json') as {
      business: Record<string, unknown>;
    };
    const memberships = (
      answer.body as {
        response: { business_memberships: Array<{ business: Record<string, unknown> }> };
      }
    ).response.business_memberships;
    expect(memberships.length).toBeGreaterThan(1);
    for (const m of memberships) {
      for (const key of Object.keys(fragment.business).filter((k) => k !== 'active'))
        expect(m.business).toHaveProperty(key);
    }
  });

  it('GET …/team_members has the shape of team-members-list.response.json (meta beside response)', async () => {
    const answer = await call(emu, 'GET', `${TEAM(ACME)}?page=1&per_page=100`, {
      token: tokens.access_token,
    });
    expect(shapeDifferences(sample('team-members-list.response.json'), answer.body)).toEqual([]);
    // Every row, in every state, keeps the published key order too.
    const keys = Object.keys(
      (sample('team-member-single.response.json') as { response: object }).response,
    );
    for (const row of (answer.body as { response: object[] }).response)
      expect(Object.keys(row)).toEqual(keys);
  });

  it('GET …/team_members/{uuid} has the shape of team-member-single.response.json', async () => {
    const uuid = uuidOf(emu, ACME, 'ivan@acme.example');
    const answer = await call(emu, 'GET', `${TEAM(ACME)}/${uuid}`, { token: tokens.access_token });
    expect(shapeDifferences(sample('team-member-single.response.json'), answer.body)).toEqual([]);
  });

  it('POST /auth/oauth/token has the shape of oauth-token.response.json, plus direct_buy_tokens', () => {
    expect(
      shapeDifferences(sample('oauth-token.response.json'), tokenBody, {
        extra: ['$.direct_buy_tokens'],
      }),
    ).toEqual([]);
    expect((tokenBody as Record<string, unknown>)['direct_buy_tokens']).toEqual({});
  });
});

describe('error bodies', () => {
  it('401 is the published body exactly', async () => {
    const answer = await call(emu, 'GET', '/auth/api/v1/users/me', { token: 'unknown' });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(sample('auth-error-401.response.json'));
  });

  it('403 on the owner is the published errno 1003 body exactly', async () => {
    const owner = uuidOf(emu, ACME, 'olivia@acme.example');
    const answer = await call(emu, 'DELETE', `${TEAM(ACME)}/${owner}`, {
      token: tokens.access_token,
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(sample('staff-delete.response.json'));
  });

  it('404 for an unknown team member has the shape of accounting-error-404.response.json', async () => {
    const answer = await call(emu, 'GET', `${TEAM(ACME)}/00000000-0000-4000-8000-000000000000`, {
      token: tokens.access_token,
    });
    expect(answer.status).toBe(404);
    expect(shapeDifferences(sample('accounting-error-404.response.json'), answer.body)).toEqual([]);
  });

  it('400 invalid_grant has the auth error shape', async () => {
    const answer = await call(emu, 'POST', '/auth/oauth/token', {
      json: {
        grant_type: 'refresh_token',
        client_id: emu.credentials.clientId,
        client_secret: emu.credentials.clientSecret,
        refresh_token: emu.credentials.refreshToken, // spent in beforeAll
      },
    });
    expect(answer.status).toBe(400);
    expect(shapeDifferences(sample('auth-error-401.response.json'), answer.body)).toEqual([]);
    expect((answer.body as { error: string }).error).toBe('invalid_grant');
  });

  it('422 validation failure has the shape of the published POST validation error', async () => {
    const answer = await call(emu, 'POST', '/auth/api/v1/users/invitation', {
      token: tokens.access_token,
      json: {
        capacity: 'employee',
        to_email: 'zoe@acme.example',
        invitable_id: ACME,
        invitable_type: 'business',
      },
    });
    expect(answer.status).toBe(422);
    expect(
      shapeDifferences(sample('auth-error-invalid-resource.response.json'), answer.body),
    ).toEqual([]);
    expect((answer.body as { error_description: string }).error_description).toMatch(
      /^Validation failed: /,
    );
  });

  it('an injected 500 is the published body exactly', async () => {
    emu.control.queueFault('500');
    const answer = await call(emu, 'GET', '/auth/api/v1/users/me', { token: tokens.access_token });
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual(sample('server-error-500.response.json'));
  });

  it('a refreshed token pair is as usable as the first', async () => {
    const next = await refresh(emu, tokens.refresh_token);
    expect((await call(emu, 'GET', TEAM(ACME), { token: next.access_token })).status).toBe(200);
  });
});
