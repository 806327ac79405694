import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PAID_ROLES,
  countSeats,
  describeSeats,
  formatMoney,
  isPaidRole,
  seatDeltaOf,
  summarizeSeats,
} from '../../../src/seats.js';
import type { Change, SeatPolicy } from '../../../src/types.js';
import { liveMember } from '../../support/builders.js';

const PAID = [...DEFAULT_PAID_ROLES];
const PRICED: SeatPolicy = {
  limit: 10,
  price: { amount: 11, currency: 'USD', per: 'month' },
  paidRoles: PAID,
};

function change(from: Change['from'], to: Change['to']): Pick<Change, 'from' | 'to'> {
  return { from, to };
}

describe('which members hold a paid seat', () => {
  it('every role but unassigned, not the owner, by default', () => {
    expect(PAID).toEqual(['admin', 'manager', 'accountant', 'employee', 'contractor']);
    expect(isPaidRole('owner', PAID)).toBe(false);
    expect(isPaidRole('unassigned', PAID)).toBe(false);
    expect(isPaidRole('contractor', PAID)).toBe(true);
  });

  it('judges an API name as its role, and an unknown role as paid (never under-count)', () => {
    expect(isPaidRole('no_seat_employee', PAID)).toBe(false);
    expect(isPaidRole('business_manager', PAID)).toBe(true);
    expect(isPaidRole('time_tracking_admin', PAID)).toBe(true);
  });

  it('counts active members and pending invitations, not deactivated ones', () => {
    const members = [
      liveMember('olivia@acme.example', 'owner'),
      liveMember('a@acme.example', 'admin'),
      liveMember('b@acme.example', 'manager', { state: 'invited' }),
      liveMember('c@acme.example', 'employee', { state: 'deactivated' }),
      liveMember('d@acme.example', 'unassigned'),
      liveMember('e@acme.example', 'time_tracking_admin'),
    ];
    expect(countSeats(members, PAID)).toBe(3);
    expect(countSeats(members, ['owner', ...PAID])).toBe(4);
  });
});

describe('what a change does to the seats', () => {
  it('a grant of a paid role takes one; of unassigned none', () => {
    expect(seatDeltaOf(change(null, { role: 'manager' }), PAID)).toBe(1);
    expect(seatDeltaOf(change(null, { role: 'unassigned' }), PAID)).toBe(0);
  });

  it('re-inviting a deactivated member takes one (deactivated holds none)', () => {
    const from = { role: 'employee', state: 'deactivated' as const };
    expect(seatDeltaOf(change(from, { role: 'employee' }), PAID)).toBe(1);
  });

  it('a revoke or a move to unassigned frees one; a paid-to-paid change is neutral', () => {
    const manager = { role: 'manager', state: 'active' as const };
    expect(seatDeltaOf(change(manager, null), PAID)).toBe(-1);
    expect(seatDeltaOf(change(manager, { role: 'unassigned' }), PAID)).toBe(-1);
    expect(seatDeltaOf(change(manager, { role: 'admin' }), PAID)).toBe(0);
    expect(
      seatDeltaOf(change({ role: 'unassigned', state: 'invited' }, { role: 'admin' }), PAID),
    ).toBe(1);
  });
});

describe('summarizeSeats and its line', () => {
  const members = [
    liveMember('olivia@acme.example', 'owner'),
    ...Array.from({ length: 8 }, (_, i) => liveMember(`m${i}@acme.example`, 'employee')),
  ];

  it('before, after, limit and the cost change, rounded to cents', () => {
    const summary = summarizeSeats(PRICED, members, [
      change(null, { role: 'manager' }),
      change(null, { role: 'accountant' }),
    ]);
    expect(summary).toEqual({
      before: 8,
      after: 10,
      limit: 10,
      paidRoles: PAID,
      price: { amount: 11, currency: 'USD', per: 'month' },
      cost: 110,
      costChange: 22,
    });
    expect(describeSeats(summary)).toBe(
      '+2 paid seats: 8 → 10 of 10, +USD 22/month (USD 110/month in all)',
    );
  });

  it('cents, a year, a decrease, and no floating-point residue', () => {
    const yearly: SeatPolicy = {
      price: { amount: 0.1, currency: 'EUR', per: 'year' },
      paidRoles: PAID,
    };
    const summary = summarizeSeats(yearly, members, [
      change({ role: 'employee', state: 'active' }, null),
      change({ role: 'employee', state: 'active' }, null),
      change({ role: 'employee', state: 'active' }, null),
    ]);
    expect(summary.costChange).toBe(-0.3);
    expect(summary.cost).toBe(0.5);
    expect(describeSeats(summary)).toBe(
      '−3 paid seats: 8 → 5, −EUR 0.30/year (EUR 0.50/year in all)',
    );
  });

  it('unchanged seats say so, with the standing cost', () => {
    const summary = summarizeSeats(PRICED, members, []);
    expect(describeSeats(summary)).toBe('8 of 10 paid seats in use, unchanged (USD 88/month)');
    expect(summary.costChange).toBe(0);
    expect(Object.is(summary.costChange, -0)).toBe(false);
  });

  it('formats money without cents when whole', () => {
    expect(formatMoney(22, 'USD')).toBe('USD 22');
    expect(formatMoney(-10.5, 'CAD')).toBe('CAD 10.50');
  });
});
