import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  UnexpectedResponseError,
  identityFromWire,
  pageMetaFromWire,
  teamMemberFromWire,
} from '../../../src/freshbooks/map-wire.js';

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/freshbooks/${name}`, import.meta.url), 'utf8'),
  ) as { response: unknown; meta?: unknown };

describe('users/me scopes (no published sample names them)', () => {
  it('none in the published sample: the record has none, and scopes stay unknown', () => {
    const identity = identityFromWire(fixture('users-me.response.json').response, 'GET /me');
    expect(identity.scopes).toBeUndefined();
  });

  it.each([
    [{ scope: 'user:profile:read  user:teams:read' }, ['user:profile:read', 'user:teams:read']],
    [
      { scopes: ['user:teams:read', ' user:teams:write '] },
      ['user:teams:read', 'user:teams:write'],
    ],
    [{ scopes: ['user:teams:read', 7] }, undefined],
    [{ scope: 42 }, undefined],
  ])('reads %j', (extra, scopes) => {
    const identity = identityFromWire({ id: 1, email: 'a@b.example', ...extra }, 'GET /me');
    expect(identity.scopes).toEqual(scopes);
  });
});

describe('wire → records, against the published samples', () => {
  it('maps users/me: business.id is the business id, not the membership id', () => {
    const identity = identityFromWire(fixture('users-me.response.json').response, 'GET /me');
    expect(identity).toMatchObject({
      identityId: 2192788,
      email: 'johnnyappleseed@test.com',
      firstName: 'Johnny',
      lastName: 'Appleseed',
    });
    expect(identity.businesses).toEqual([
      {
        businessId: 2122866,
        businessUuid: '046e4001-0002-616d-710a-a451d4421b13',
        name: 'Fruity Loops',
        accountId: 'xZNQ1X',
        role: 'owner',
      },
      {
        businessId: 2603988,
        businessUuid: '04710001-0002-ff38-0de2-a77e0c34a9a1',
        name: 'Other business',
        accountId: '3xQ74o',
        role: 'owner',
      },
    ]);
  });

  it('maps a team member list entry verbatim (email and role untouched)', () => {
    const list = fixture('team-members-list.response.json');
    const [raw] = list.response as unknown[];
    expect(teamMemberFromWire(raw, 1, 'GET /tm')).toEqual({
      uuid: 'dd6392d0-0639-40bd-9502-7d80c44de9f3',
      businessId: 6806492,
      email: 'test@freshenv.com',
      firstName: 'John',
      middleName: null,
      lastName: 'Doe',
      apiRole: 'business_employee',
      active: false,
      identityId: null,
      invitationDateAccepted: null,
      createdAt: '2023-01-24T17:17:56Z',
      updatedAt: '2023-03-01T09:45:42Z',
    });
    expect(pageMetaFromWire(list.meta, 'GET /tm')).toEqual({ page: 1, perPage: 5, total: 1 });
  });

  it('maps a single team member (no_seat_employee)', () => {
    const member = teamMemberFromWire(
      fixture('team-member-single.response.json').response,
      6806492,
      'GET /tm/1',
    );
    expect(member).toMatchObject({ apiRole: 'no_seat_employee', active: true, identityId: null });
  });

  it('falls back to the requested business id when business_id is absent', () => {
    const member = teamMemberFromWire(
      { uuid: 'u', email: 'A@B.example', business_role_name: 'x', active: true },
      77,
      'r',
    );
    expect(member.businessId).toBe(77);
    expect(member.email).toBe('A@B.example');
  });

  it.each([
    [null, 'not an object'],
    [{ email: 'a@b', business_role_name: 'x', active: true }, 'uuid'],
    [{ uuid: 'u', business_role_name: 'x', active: true }, 'email'],
    [{ uuid: 'u', email: 'a@b', active: true }, 'business_role_name'],
    [{ uuid: 'u', email: 'a@b', business_role_name: 'x', active: 'yes' }, 'active'],
  ])('refuses a malformed member %j (names %s)', (raw, word) => {
    expect(() => teamMemberFromWire(raw, 1, 'GET /tm')).toThrow(UnexpectedResponseError);
    expect(() => teamMemberFromWire(raw, 1, 'GET /tm')).toThrow(word);
  });

  it.each([[undefined], [{ page: 1, per_page: 0, total: 3 }], [{ page: 1, total: 3 }]])(
    'refuses page meta %j',
    (meta) => {
      expect(() => pageMetaFromWire(meta, 'GET /tm')).toThrow(UnexpectedResponseError);
    },
  );
});
