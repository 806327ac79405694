/**
 * The emulator's paid-seat limit (issue 17), on the state transitions the API routes use:
 * seats counted as FreshBooks counts them (active and pending rows with a role that is neither
 * Unassigned nor the owner), and a write that would take a seat refused when none is free.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaultSeed } from '../../../src/emulator/load-seed.js';
import {
  MemberOpError,
  changeMemberRole,
  inviteMember,
  removeMember,
} from '../../../src/emulator/members.js';
import { patchMember } from '../../../src/emulator/members-control.js';
import { paidSeatsInUse, seatsOf } from '../../../src/emulator/seats.js';
import { EmulatorState } from '../../../src/emulator/state.js';

const ACME = 240340;
const NOW = new Date('2026-03-01T12:00:00Z');
/**
 * The default seed's paid seats: alice, ben, carol, dana, kim, frank, grace, maya, bob, zoe,
 * pat (a role rolecall does not know) and the pending hana and sam. Not olivia (owner), ivan
 * (Unassigned), jules (deactivated) or the client.
 */
const IN_USE = 13;

function acme(seatLimit: number | null): EmulatorState {
  const seed = loadDefaultSeed();
  seed.businesses[0]!.seatLimit = seatLimit;
  return new EmulatorState(seed, NOW);
}

function business(state: EmulatorState) {
  const found = state.business(ACME);
  if (!found) throw new Error('no Acme');
  return found;
}

function uuid(state: EmulatorState, email: string): string {
  const member = state.memberByEmail(ACME, email);
  if (!member) throw new Error(email);
  return member.uuid;
}

/** The refusal's kind and field, or 'ok'. */
function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof MemberOpError) return `${error.kind} (${error.field})`;
    throw error;
  }
}

const FULL = 'seat_limit (capacity)';
const FULL_ON_CHANGE = 'seat_limit (business_role_name)';

describe('counting paid seats', () => {
  it('counts active and pending paid rows; not the owner, Unassigned, deactivated or clients', () => {
    const state = acme(null);
    expect(paidSeatsInUse(business(state))).toBe(IN_USE);
    expect(seatsOf(business(state))).toEqual({ limit: null, inUse: IN_USE, free: null });
    // A pending invitation holds its seat: cancelling it frees one.
    removeMember(state, ACME, uuid(state, 'sam@oldfirm.example'), NOW);
    expect(paidSeatsInUse(business(state))).toBe(IN_USE - 1);
    // So does deactivating an active member; a deactivated one holds none.
    removeMember(state, ACME, uuid(state, 'zoe@acme.example'), NOW);
    expect(paidSeatsInUse(business(state))).toBe(IN_USE - 2);
  });

  it('free is never below 0 when the business is over its limit', () => {
    expect(seatsOf(business(acme(10)))).toEqual({ limit: 10, inUse: IN_USE, free: 0 });
    expect(seatsOf(business(acme(15)))).toEqual({ limit: 15, inUse: IN_USE, free: 2 });
  });
});

describe('with every paid seat taken', () => {
  it('refuses an invitation with a paid role, in either encoding, and creates nothing', () => {
    const state = acme(IN_USE);
    const rows = business(state).members.length;
    for (const capacity of ['accountant', 'business_accountant', 'admin', 'contractor']) {
      expect(
        outcome(() => inviteMember(state, ACME, 'eli@acme.example', capacity, NOW)),
        capacity,
      ).toBe(FULL);
    }
    expect(business(state).members).toHaveLength(rows);
    expect(state.memberByEmail(ACME, 'eli@acme.example')).toBeUndefined();
  });

  it('still invites as Unassigned (no seat), and says who is already there before seats', () => {
    const state = acme(IN_USE);
    expect(outcome(() => inviteMember(state, ACME, 'eli@acme.example', 'unassigned', NOW))).toBe(
      'ok',
    );
    // An email already on the team is the conflict it always was, not a seat refusal.
    expect(outcome(() => inviteMember(state, ACME, 'zoe@acme.example', 'manager', NOW))).toBe(
      'conflict (to_email)',
    );
  });

  it('refuses to re-invite a deactivated member with a paid role, and leaves them as they were', () => {
    const state = acme(IN_USE);
    const before = structuredClone(state.memberByEmail(ACME, 'jules@acme.example'));
    expect(outcome(() => inviteMember(state, ACME, 'jules@acme.example', 'employee', NOW))).toBe(
      FULL,
    );
    expect(state.memberByEmail(ACME, 'jules@acme.example')).toEqual(before);
    expect(outcome(() => inviteMember(state, ACME, 'jules@acme.example', 'unassigned', NOW))).toBe(
      'ok',
    );
  });

  it('refuses a change from Unassigned to a paid role, and nothing else', () => {
    const state = acme(IN_USE);
    const ivan = uuid(state, 'ivan@acme.example');
    expect(outcome(() => changeMemberRole(state, ACME, ivan, 'business_employee', NOW))).toBe(
      FULL_ON_CHANGE,
    );
    expect(state.member(ACME, ivan)?.role).toBe('no_seat_employee');
    // paid → paid, and away from a role rolecall does not know (counted as paid): no new seat.
    const grace = uuid(state, 'grace@acme.example');
    expect(outcome(() => changeMemberRole(state, ACME, grace, 'business_partner', NOW))).toBe('ok');
    const pat = uuid(state, 'pat@acme.example');
    expect(outcome(() => changeMemberRole(state, ACME, pat, 'business_employee', NOW))).toBe('ok');
    // A pending invitation's role changes within its own seat.
    const hana = uuid(state, 'hana@acme.example');
    expect(outcome(() => changeMemberRole(state, ACME, hana, 'contractor', NOW))).toBe('ok');
    // A deactivated member uses no seat, whatever the role says.
    const jules = uuid(state, 'jules@acme.example');
    expect(outcome(() => changeMemberRole(state, ACME, jules, 'business_manager', NOW))).toBe('ok');
    expect(paidSeatsInUse(business(state))).toBe(IN_USE);
  });

  it('frees a seat with a change to Unassigned or a removal; then an invitation takes it', () => {
    const state = acme(IN_USE);
    const grace = uuid(state, 'grace@acme.example');
    expect(outcome(() => changeMemberRole(state, ACME, grace, 'no_seat_employee', NOW))).toBe('ok');
    expect(outcome(() => inviteMember(state, ACME, 'eli@acme.example', 'accountant', NOW))).toBe(
      'ok',
    );
    // Full again: the next one waits for a removal.
    expect(outcome(() => inviteMember(state, ACME, 'lee@acme.example', 'employee', NOW))).toBe(
      FULL,
    );
    expect(removeMember(state, ACME, uuid(state, 'zoe@acme.example'), NOW)).toBe('deactivated');
    expect(outcome(() => inviteMember(state, ACME, 'lee@acme.example', 'employee', NOW))).toBe(
      'ok',
    );
    expect(seatsOf(business(state))).toEqual({ limit: IN_USE, inUse: IN_USE, free: 0 });
  });

  it('counts the invitations it just sent: one free seat takes exactly one invitation', () => {
    const state = acme(IN_USE + 1);
    expect(outcome(() => inviteMember(state, ACME, 'eli@acme.example', 'accountant', NOW))).toBe(
      'ok',
    );
    expect(outcome(() => inviteMember(state, ACME, 'lee@acme.example', 'employee', NOW))).toBe(
      FULL,
    );
  });
});

describe('over the limit (a limit lowered below the seats in use)', () => {
  it('refuses new paid seats until enough are freed, and never refuses freeing one', () => {
    const state = acme(IN_USE - 2);
    const invite = () => inviteMember(state, ACME, 'eli@acme.example', 'accountant', NOW);
    expect(outcome(invite)).toBe(FULL);
    for (const email of ['zoe@acme.example', 'frank@acme.example']) {
      expect(removeMember(state, ACME, uuid(state, email), NOW)).toBe('deactivated');
      expect(outcome(invite)).toBe(FULL); // at the limit is not below it
    }
    const kim = uuid(state, 'kim@cpa-partners.example');
    expect(outcome(() => changeMemberRole(state, ACME, kim, 'no_seat_employee', NOW))).toBe('ok');
    expect(outcome(invite)).toBe('ok');
  });
});

describe('without a limit (the default seed)', () => {
  it('takes every invitation and role change, as before seats were modelled', () => {
    const state = new EmulatorState(loadDefaultSeed(), NOW);
    expect(business(state).seatLimit).toBeNull();
    for (let i = 0; i < 30; i += 1)
      inviteMember(state, ACME, `n${i}@acme.example`, 'employee', NOW);
    changeMemberRole(state, ACME, uuid(state, 'ivan@acme.example'), 'business_partner', NOW);
    expect(paidSeatsInUse(business(state))).toBe(IN_USE + 31);
  });
});

describe('the control (behind FreshBooks’ back)', () => {
  it('is not held to the limit: a test can put a business over it', () => {
    const state = acme(IN_USE);
    patchMember(state, ACME, uuid(state, 'ivan@acme.example'), { role: 'employee' }, NOW);
    expect(seatsOf(business(state))).toEqual({ limit: IN_USE, inUse: IN_USE + 1, free: 0 });
  });
});

describe('the seed', () => {
  it('dumps the limit when one is set, and nothing when none is (the default dump is unchanged)', () => {
    const limited = acme(20).toSeed(() => []);
    expect(limited.businesses[0]?.seatLimit).toBe(20);
    expect(new EmulatorState(limited, NOW).business(ACME)?.seatLimit).toBe(20);
    const unlimited = acme(null).toSeed(() => []);
    expect(unlimited.businesses[0]).not.toHaveProperty('seatLimit');
    const zero = acme(0).toSeed(() => []);
    expect(zero.businesses[0]?.seatLimit).toBe(0);
  });
});
