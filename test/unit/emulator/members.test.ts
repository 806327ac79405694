import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MemberOpError,
  changeMemberRole,
  inviteMember,
  removeMember,
} from '../../../src/emulator/members.js';
import { acceptInvitation, addMember, patchMember } from '../../../src/emulator/members-control.js';
import { loadDefaultSeed } from '../../../src/emulator/load-seed.js';
import { EmulatorState, stableUuid } from '../../../src/emulator/state.js';

const ACME = 240340;
const NOW = new Date('2026-03-01T12:00:00Z');

function fresh(): EmulatorState {
  return new EmulatorState(loadDefaultSeed(), NOW);
}

function uuid(state: EmulatorState, email: string): string {
  const member = state.memberByEmail(ACME, email);
  if (!member) throw new Error(email);
  return member.uuid;
}

function kindOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof MemberOpError) return error.kind;
    throw error;
  }
}

describe('state transitions', () => {
  it.each([
    [
      'invite a new email',
      (s: EmulatorState) => inviteMember(s, ACME, 'eli@acme.example', 'accountant', NOW),
      'ok',
    ],
    [
      'invite an active member',
      (s: EmulatorState) => inviteMember(s, ACME, 'zoe@acme.example', 'accountant', NOW),
      'conflict',
    ],
    [
      'invite a pending one',
      (s: EmulatorState) => inviteMember(s, ACME, 'hana@acme.example', 'employee', NOW),
      'conflict',
    ],
    [
      'invite a client',
      (s: EmulatorState) => inviteMember(s, ACME, 'client@customer.example', 'employee', NOW),
      'conflict',
    ],
    [
      'invite as owner',
      (s: EmulatorState) => inviteMember(s, ACME, 'x@acme.example', 'owner', NOW),
      'invalid',
    ],
    [
      'invite into an unknown business',
      (s: EmulatorState) => inviteMember(s, 1, 'x@acme.example', 'admin', NOW),
      'not_found',
    ],
    [
      'change the owner',
      (s: EmulatorState) =>
        changeMemberRole(s, ACME, uuid(s, 'olivia@acme.example'), 'business_partner', NOW),
      'owner',
    ],
    [
      'change a client',
      (s: EmulatorState) =>
        changeMemberRole(s, ACME, uuid(s, 'client@customer.example'), 'business_employee', NOW),
      'invalid',
    ],
    [
      'change to a short name',
      (s: EmulatorState) => changeMemberRole(s, ACME, uuid(s, 'zoe@acme.example'), 'manager', NOW),
      'invalid',
    ],
    [
      'change an unknown role holder',
      (s: EmulatorState) =>
        changeMemberRole(s, ACME, uuid(s, 'pat@acme.example'), 'business_employee', NOW),
      'ok',
    ],
    [
      'remove the owner',
      (s: EmulatorState) => removeMember(s, ACME, uuid(s, 'olivia@acme.example'), NOW),
      'owner',
    ],
    [
      'remove an unknown uuid',
      (s: EmulatorState) => removeMember(s, ACME, 'nope', NOW),
      'not_found',
    ],
    [
      'accept an active member',
      (s: EmulatorState) => acceptInvitation(s, ACME, uuid(s, 'zoe@acme.example'), NOW),
      'conflict',
    ],
    [
      'add a second owner',
      (s: EmulatorState) => addMember(s, ACME, { email: 'x@acme.example', role: 'owner' }, NOW),
      'conflict',
    ],
    [
      'patch a second owner',
      (s: EmulatorState) =>
        patchMember(s, ACME, uuid(s, 'zoe@acme.example'), { role: 'owner' }, NOW),
      'conflict',
    ],
    [
      'patch onto a taken email',
      (s: EmulatorState) =>
        patchMember(s, ACME, uuid(s, 'zoe@acme.example'), { email: 'ben@acme.example' }, NOW),
      'conflict',
    ],
    [
      'deactivate the owner',
      (s: EmulatorState) =>
        patchMember(s, ACME, uuid(s, 'olivia@acme.example'), { state: 'deactivated' }, NOW),
      'invalid',
    ],
  ])('%s → %s', (_name, op, expected) => {
    expect(kindOf(() => op(fresh()))).toBe(expected);
  });

  it('remove: active → deactivated, pending → gone, deactivated → unchanged', () => {
    const s = fresh();
    expect(removeMember(s, ACME, uuid(s, 'zoe@acme.example'), NOW)).toBe('deactivated');
    expect(s.memberByEmail(ACME, 'zoe@acme.example')).toMatchObject({
      state: 'deactivated',
      identity_id: 5012,
    });
    const sam = uuid(s, 'sam@oldfirm.example');
    expect(removeMember(s, ACME, sam, NOW)).toBe('cancelled');
    expect(s.member(ACME, sam)).toBeUndefined();
    expect(removeMember(s, ACME, uuid(s, 'jules@acme.example'), NOW)).toBe('unchanged');
  });

  it('re-invite then accept restores the former identity', () => {
    const s = fresh();
    const jules = inviteMember(s, ACME, 'jules@acme.example', 'employee', NOW);
    expect(jules).toMatchObject({
      state: 'invited',
      identity_id: null,
      invitation_date_accepted: null,
      role: 'business_employee',
    });
    expect(acceptInvitation(s, ACME, jules.uuid, NOW)).toMatchObject({
      state: 'active',
      identity_id: 5010,
    });
  });

  it('accepting a brand-new invitation gives a fresh identity id', () => {
    const s = fresh();
    const eli = inviteMember(s, ACME, 'eli@acme.example', 'accountant', NOW);
    const accepted = acceptInvitation(s, ACME, eli.uuid, NOW);
    const others = s
      .business(ACME)!
      .members.filter((m) => m !== accepted)
      .map((m) => m.identity_id);
    expect(accepted.identity_id).not.toBeNull();
    expect(others).not.toContain(accepted.identity_id);
    expect(accepted.invitation_date_accepted).toBe('2026-03-01T12:00:00Z');
  });
});

describe('invariants under any sequence of operations (property)', () => {
  const emails = [
    'eli@acme.example',
    'zoe@acme.example',
    'hana@acme.example',
    'jules@acme.example',
    'olivia@acme.example',
    'new@x.example',
  ];
  const roles = ['admin', 'business_manager', 'no_seat_employee', 'owner', 'client', 'contractor'];
  const states = ['active', 'invited', 'deactivated'];
  const op = fc.record({
    kind: fc.constantFrom('invite', 'change', 'remove', 'accept', 'patch', 'add'),
    email: fc.constantFrom(...emails),
    role: fc.constantFrom(...roles),
    state: fc.constantFrom(...states),
  });

  it('one row per email, one active owner, and states read as the contract says', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const s = fresh();
        for (const o of ops) {
          const target = s.memberByEmail(ACME, o.email)?.uuid ?? 'missing';
          kindOf(() => {
            switch (o.kind) {
              case 'invite':
                return inviteMember(s, ACME, o.email, o.role, NOW);
              case 'change':
                return changeMemberRole(s, ACME, target, o.role, NOW);
              case 'remove':
                return removeMember(s, ACME, target, NOW);
              case 'accept':
                return acceptInvitation(s, ACME, target, NOW);
              case 'patch':
                return patchMember(s, ACME, target, { state: o.state }, NOW);
              default:
                return addMember(s, ACME, { email: o.email, role: o.role, state: o.state }, NOW);
            }
          });
        }
        const rows = s.business(ACME)!.members;
        expect(new Set(rows.map((m) => m.email)).size).toBe(rows.length);
        expect(new Set(rows.map((m) => m.uuid)).size).toBe(rows.length);
        const owners = rows.filter((m) => m.role === 'owner');
        expect(owners.map((m) => [m.email, m.state])).toEqual([['olivia@acme.example', 'active']]);
        for (const m of rows) {
          if (m.state === 'invited')
            expect([m.identity_id, m.invitation_date_accepted]).toEqual([null, null]);
          if (m.state === 'deactivated') expect(m.invitation_date_accepted).not.toBeNull();
          if (m.state === 'active')
            expect(m.identity_id === null && m.role !== 'no_seat_employee').toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('EmulatorState', () => {
  it('derives stable uuids and ids, so the same seed gives the same state', () => {
    const seed = loadDefaultSeed();
    for (const member of seed.businesses[0]!.members!) delete member.uuid;
    const a = new EmulatorState(seed, NOW).toSeed(() => []);
    const b = new EmulatorState(seed, NOW).toSeed(() => []);
    expect(a).toEqual(b);
    expect(a.businesses[0]!.members![0]!.uuid).toBe(
      stableUuid(`member:${ACME}:olivia@acme.example`),
    );
    expect(stableUuid('x')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('round-trips through its dump', () => {
    const state = fresh();
    inviteMember(state, ACME, 'eli@acme.example', 'manager', NOW);
    const dump = state.toSeed(() => ['refresh-token-0123456789']);
    expect(new EmulatorState(dump, NOW).toSeed(() => ['refresh-token-0123456789'])).toEqual(dump);
  });

  it('gives admin_of access as a business_partner membership with its own id', () => {
    const state = new EmulatorState(
      {
        identities: [{ id: 9, email: 'a@x.example', admin_of: [1] }],
        businesses: [{ id: 1, name: 'Empty', account_id: 'E1' }],
        clients: [{ client_id: 'c', client_secret: 's', identity_id: 9 }],
      },
      NOW,
    );
    const [membership] = state.memberships(9);
    expect(membership).toMatchObject({ role: 'business_partner', business: { id: 1 } });
    expect(membership!.membershipId).not.toBe(1);
    expect(state.memberships(9)[0]!.membershipId).toBe(membership!.membershipId);
    expect(state.roleIn(9, 2)).toBeNull();
  });

  it('fills member defaults: active rows get an identity and an accepted date, pending rows none', () => {
    const state = new EmulatorState(
      {
        identities: [{ id: 9, email: 'a@x.example' }],
        businesses: [
          {
            id: 1,
            name: 'B',
            account_id: 'B1',
            members: [
              { email: 'one@x.example', role: 'manager', created_at: '2024-01-02T03:04:05Z' },
              { email: 'two@x.example', role: 'Accountant', state: 'invited' },
            ],
          },
        ],
        clients: [{ client_id: 'c', client_secret: 's', identity_id: 9 }],
      },
      NOW,
    );
    expect(state.memberByEmail(1, 'one@x.example')).toMatchObject({
      role: 'business_manager',
      identity_id: 1001,
      invitation_date_accepted: '2024-01-02T03:04:05Z',
      updated_at: '2024-01-02T03:04:05Z',
    });
    expect(state.memberByEmail(1, 'two@x.example')).toMatchObject({
      role: 'business_accountant',
      identity_id: null,
      invitation_date_accepted: null,
      created_at: '2026-03-01T12:00:00Z',
    });
  });

  it('links a row to the identity with its email: seed defaults, accept, add and an email change', () => {
    const state = new EmulatorState(
      {
        identities: [
          { id: 9, email: 'Me@X.example' },
          { id: 8, email: 'later@x.example' },
        ],
        businesses: [
          {
            id: 1,
            name: 'B',
            account_id: 'B1',
            members: [
              { email: 'me@x.example', role: 'admin' },
              { email: 'later@x.example', role: 'employee', state: 'invited' },
              { email: 'gone@x.example', role: 'employee', state: 'deactivated' },
              { email: 'other@x.example', role: 'manager' },
            ],
          },
          { id: 2, name: 'C', account_id: 'C1' },
        ],
        clients: [{ client_id: 'c', client_secret: 's', identity_id: 9 }],
      },
      NOW,
    );
    expect(state.memberByEmail(1, 'me@x.example')?.identity_id).toBe(9);
    expect(state.memberships(9).map((m) => [m.business.id, m.role])).toEqual([
      [1, 'business_partner'],
    ]);
    // Neither the pending row nor the people without an identity take an identity's id.
    expect(state.memberByEmail(1, 'later@x.example')?.identity_id).toBeNull();
    const strangers = ['gone@x.example', 'other@x.example'].map(
      (e) => state.memberByEmail(1, e)?.identity_id,
    );
    for (const id of strangers) expect([8, 9, null, undefined]).not.toContain(id);
    expect(state.memberships(8)).toEqual([]);

    const later = state.memberByEmail(1, 'later@x.example')!;
    expect(acceptInvitation(state, 1, later.uuid, NOW).identity_id).toBe(8);
    expect(state.roleIn(8, 1)).toBe('business_employee');

    expect(addMember(state, 2, { email: 'ME@x.example', role: 'manager' }, NOW).identity_id).toBe(
      9,
    );
    expect(state.roleIn(9, 2)).toBe('business_manager');

    const other = state.memberByEmail(1, 'other@x.example')!;
    expect(patchMember(state, 1, other.uuid, { email: 'gone2@x.example' }, NOW).identity_id).toBe(
      strangers[1],
    );
    const renamed = addMember(state, 2, { email: 'x@x.example', role: 'employee' }, NOW);
    expect(renamed.identity_id).not.toBe(8);
    expect(patchMember(state, 2, renamed.uuid, { email: 'later@x.example' }, NOW).identity_id).toBe(
      8,
    );
  });
});
