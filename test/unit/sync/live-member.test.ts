import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TeamMemberRecord } from '../../../src/ports.js';
import {
  businessFingerprint,
  liveBusinessOf,
  liveMemberOf,
  memberStateOf,
  normalizeEmail,
} from '../../../src/sync/live-member.js';

function record(overrides: Partial<TeamMemberRecord> = {}): TeamMemberRecord {
  return {
    uuid: 'u-1',
    businessId: 240340,
    email: 'carol@acme.example',
    firstName: 'Carol',
    middleName: null,
    lastName: 'Diaz',
    apiRole: 'business_manager',
    active: true,
    identityId: 5003,
    invitationDateAccepted: '2020-01-01T00:00:00Z',
    createdAt: '2020-01-01T00:00:00Z',
    updatedAt: '2020-01-02T00:00:00Z',
    ...overrides,
  };
}

describe('memberStateOf (the contract’s three states)', () => {
  it.each([
    [{ active: true, identityId: 1, invitationDateAccepted: '2020-01-01' }, 'active'],
    [{ active: true, identityId: null, invitationDateAccepted: null }, 'active'],
    [{ active: false, identityId: null, invitationDateAccepted: null }, 'invited'],
    [{ active: false, identityId: 1, invitationDateAccepted: '2020-01-01' }, 'deactivated'],
    [{ active: false, identityId: null, invitationDateAccepted: '2020-01-01' }, 'deactivated'],
    [{ active: false, identityId: 1, invitationDateAccepted: null }, 'deactivated'],
  ] as const)('%j → %s', (input, state) => {
    expect(memberStateOf(input)).toBe(state);
  });
});

describe('liveMemberOf', () => {
  it('normalises the email and maps the role, keeping the API name', () => {
    const member = liveMemberOf(record({ email: '  Carol@ACME.example ' }));
    expect(member).toMatchObject({
      email: 'carol@acme.example',
      apiRole: 'business_manager',
      role: 'manager',
      state: 'active',
      identityId: 5003,
      invitationAcceptedAt: '2020-01-01T00:00:00Z',
      firstName: 'Carol',
      lastName: 'Diaz',
    });
    expect(member.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('keeps an unknown role verbatim with role null', () => {
    const member = liveMemberOf(record({ apiRole: 'time_tracking_admin' }));
    expect(member.apiRole).toBe('time_tracking_admin');
    expect(member.role).toBeNull();
  });

  it.each([
    ['owner', 'owner'],
    ['business_partner', 'admin'],
    ['business_manager', 'manager'],
    ['business_employee', 'employee'],
    ['business_accountant', 'accountant'],
    ['contractor', 'contractor'],
    ['no_seat_employee', 'unassigned'],
  ])('%s → %s', (apiRole, role) => {
    expect(liveMemberOf(record({ apiRole })).role).toBe(role);
  });

  it('the fingerprint changes with every field that matters, and with nothing else', () => {
    const base = liveMemberOf(record());
    const changes: Array<Partial<TeamMemberRecord>> = [
      { uuid: 'u-2' },
      { email: 'other@acme.example' },
      { apiRole: 'business_employee' },
      { active: false },
      { identityId: 5004 },
      { invitationDateAccepted: null },
      { firstName: 'Caroline' },
      { lastName: null },
      { createdAt: null },
      { updatedAt: '2021-01-01T00:00:00Z' },
    ];
    for (const change of changes) {
      expect(liveMemberOf(record(change)).fingerprint, JSON.stringify(change)).not.toBe(
        base.fingerprint,
      );
    }
    // Case and whitespace of the email are not a change; neither is the middle name (not kept).
    expect(liveMemberOf(record({ email: ' CAROL@acme.example' })).fingerprint).toBe(
      base.fingerprint,
    );
    expect(liveMemberOf(record({ middleName: 'Q' })).fingerprint).toBe(base.fingerprint);
  });

  it('normalizeEmail is idempotent', () => {
    fc.assert(
      fc.property(
        fc.string(),
        (email) => normalizeEmail(normalizeEmail(email)) === normalizeEmail(email),
      ),
    );
  });
});

describe('liveBusinessOf', () => {
  const members = [
    liveMemberOf(record({ uuid: 'b', email: 'zoe@acme.example' })),
    liveMemberOf(record({ uuid: 'c', email: 'pat@acme.example', apiRole: 'time_tracking_admin' })),
    liveMemberOf(record({ uuid: 'a', email: 'zoe@acme.example' })),
    liveMemberOf(record({ uuid: 'd', email: 'al@acme.example', apiRole: 'mystery' })),
    liveMemberOf(record({ uuid: 'e', email: 'bo@acme.example', apiRole: 'mystery' })),
  ];

  it('sorts by email then uuid, lists unknown roles once, sorted', () => {
    const business = liveBusinessOf({ businessId: 1, name: 'B', accountId: null, members });
    expect(business.members.map((m) => `${m.email}/${m.uuid}`)).toEqual([
      'al@acme.example/d',
      'bo@acme.example/e',
      'pat@acme.example/c',
      'zoe@acme.example/a',
      'zoe@acme.example/b',
    ]);
    expect(business.unknownRoles).toEqual(['mystery', 'time_tracking_admin']);
  });

  it('the business fingerprint does not depend on input order, name or account id', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(members, { minLength: members.length }), (shuffled) => {
        const a = liveBusinessOf({ businessId: 1, name: 'A', accountId: 'x', members: shuffled });
        const b = liveBusinessOf({ businessId: 1, name: 'B', accountId: null, members });
        return a.fingerprint === b.fingerprint;
      }),
    );
  });

  it('the business fingerprint changes when a member changes, leaves or the id differs', () => {
    const base = liveBusinessOf({ businessId: 1, name: 'B', accountId: null, members });
    const changed = members.map((m, i) =>
      i === 0
        ? liveMemberOf(record({ uuid: 'b', email: 'zoe@acme.example', apiRole: 'owner' }))
        : m,
    );
    expect(
      liveBusinessOf({ businessId: 1, name: 'B', accountId: null, members: changed }).fingerprint,
    ).not.toBe(base.fingerprint);
    expect(
      liveBusinessOf({ businessId: 1, name: 'B', accountId: null, members: members.slice(1) })
        .fingerprint,
    ).not.toBe(base.fingerprint);
    expect(businessFingerprint(2, base.members)).not.toBe(base.fingerprint);
  });
});
