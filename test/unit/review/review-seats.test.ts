/**
 * Paid seats in the review pack (issue 17): who holds one, what it costs, the seats wasted by
 * stale invitations and expired grants, and the per-business totals, in every renderer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  REVIEW_CSV_COLUMNS,
  buildReviewPack,
  describeReviewSeats,
  parseReviewIssueBody,
  renderReviewCsv,
  renderReviewIssueBody,
  renderReviewJson,
  renderReviewMarkdown,
  summarizeReviewSeats,
  type ReviewRow,
  type ReviewSeats,
} from '../../../src/review/index.js';
import { DEFAULT_PAID_ROLES } from '../../../src/seats.js';
import type { BusinessPolicy, DesiredState, LiveMember, LiveState } from '../../../src/types.js';
import {
  NOW,
  desired,
  desiredState,
  live,
  liveBusiness,
  liveState,
  policy,
  provenance,
  rules,
} from './builders.js';

const DAY = 86_400_000;
const inDays = (days: number): string => new Date(NOW.getTime() + days * DAY).toISOString();
const USD_MONTH = { amount: 11, currency: 'USD', per: 'month' } as const;

/**
 * Acme: limit 10 at USD 11/month. Paid seats in use: alice (admin), bob (contractor, grant
 * expired 2 days ago), cara (employee, invited 30 days ago), dan (employee, invited 3 days ago)
 * and pat (a role rolecall does not know: paid). Not paid: the owner, uma (unassigned), old
 * (deactivated), eve (not in FreshBooks).
 */
function acme(): { desired: BusinessPolicy; live: LiveMember[] } {
  return {
    desired: policy(
      [
        desired('alice@acme.example', 'admin'),
        desired('bob@contractors.example', 'contractor', { expires: inDays(-2) }),
        desired('cara@acme.example', 'employee'),
        desired('dan@acme.example', 'employee'),
        desired('eve@acme.example', 'accountant'),
        desired('old@acme.example', 'employee'),
        desired('uma@acme.example', 'unassigned'),
      ],
      { seats: { limit: 10, price: { ...USD_MONTH }, paidRoles: [...DEFAULT_PAID_ROLES] } },
    ),
    live: [
      live('alice@acme.example', 'admin'),
      live('bob@contractors.example', 'contractor'),
      live('cara@acme.example', 'employee', 'invited', { createdAt: inDays(-30) }),
      live('dan@acme.example', 'employee', 'invited', { createdAt: inDays(-3) }),
      live('old@acme.example', 'employee', 'deactivated'),
      live('olivia@acme.example', 'owner'),
      live('pat@acme.example', 'time_tracking_admin'),
      live('uma@acme.example', 'unassigned'),
    ],
  };
}

/** Holdings: no limit, EUR 120 a year, only admins and managers paid. */
function holdings(): { desired: BusinessPolicy; live: LiveMember[] } {
  return {
    desired: policy(
      [desired('a@holdings.example', 'admin'), desired('b@holdings.example', 'employee')],
      {
        businessId: 2,
        name: 'Holdings',
        seats: {
          price: { amount: 120, currency: 'EUR', per: 'year' },
          paidRoles: ['admin', 'manager'],
        },
      },
    ),
    live: [live('a@holdings.example', 'admin'), live('b@holdings.example', 'employee')],
  };
}

function world(...businesses: Array<{ desired: BusinessPolicy; live: LiveMember[] }>): {
  desired: DesiredState;
  live: LiveState;
} {
  return {
    desired: desiredState(businesses.map((b) => b.desired)),
    live: liveState(
      businesses.map((b) =>
        liveBusiness(b.live, { businessId: b.desired.businessId, name: b.desired.name ?? '' }),
      ),
    ),
  };
}

function packOf(...businesses: Array<{ desired: BusinessPolicy; live: LiveMember[] }>) {
  const { desired: d, live: l } = world(...businesses);
  const rows = buildReviewPack({ desired: d, live: l, provenance: () => provenance(), now: NOW });
  return { rows, seats: summarizeReviewSeats({ desired: d, live: l, rows }) };
}

function rowOf(rows: readonly ReviewRow[], email: string): ReviewRow {
  const row = rows.find((r) => r.email === email);
  if (row === undefined) throw new Error(`no row for ${email}`);
  return row;
}

describe('buildReviewPack: paid seats per person', () => {
  const { rows } = packOf(acme());

  it.each([
    ['alice@acme.example', true],
    ['bob@contractors.example', true],
    ['cara@acme.example', true],
    ['dan@acme.example', true],
    ['pat@acme.example', true],
    ['olivia@acme.example', false],
    ['uma@acme.example', false],
    ['old@acme.example', false],
    ['eve@acme.example', false],
  ])('%s holds a paid seat: %s', (email, paid) => {
    const row = rowOf(rows, email);
    expect(row.paidSeat).toBe(paid);
    expect(row.seatCost).toEqual(paid ? USD_MONTH : null);
  });

  it('flags the invitation pending past rules.pendingInvitationDays, not the recent one', () => {
    expect(rowOf(rows, 'cara@acme.example').flags).toEqual(['never-accepted', 'pending-seat']);
    expect(rowOf(rows, 'dan@acme.example').flags).toEqual(['never-accepted']);
  });

  it('flags the expired grant that still holds its seat', () => {
    expect(rowOf(rows, 'bob@contractors.example').flags).toEqual(['expired', 'expired-seat']);
  });

  it('judges the age against the policy’s own threshold, strictly after it', () => {
    const at = (days: number, createdAt: string) =>
      buildReviewPack({
        desired: desiredState([
          policy([desired('x@acme.example', 'employee')], {
            rules: rules({ pendingInvitationDays: days }),
          }),
        ]),
        live: liveState([
          liveBusiness([live('x@acme.example', 'employee', 'invited', { createdAt })]),
        ]),
        provenance: () => undefined,
        now: NOW,
      })[0]?.flags;
    expect(at(30, inDays(-30))).toEqual(['never-accepted']);
    expect(at(30, new Date(NOW.getTime() - 30 * DAY - 1).toISOString())).toEqual([
      'never-accepted',
      'pending-seat',
    ]);
    expect(at(0, inDays(0))).toEqual(['never-accepted']);
  });

  it('no seat wasted where none is held: a free role, a removed membership, an undated invitation', () => {
    const rowsOf = (members: BusinessPolicy['members'], liveMembers: LiveMember[]) =>
      buildReviewPack({
        desired: desiredState([policy(members)]),
        live: liveState([liveBusiness(liveMembers)]),
        provenance: () => undefined,
        now: NOW,
      });
    const expired = { expires: inDays(-5) };
    expect(
      rowsOf(
        [desired('x@acme.example', 'unassigned', expired)],
        [live('x@acme.example', 'unassigned')],
      )[0],
    ).toMatchObject({ paidSeat: false, flags: ['expired'] });
    expect(
      rowsOf(
        [desired('x@acme.example', 'employee', expired)],
        [live('x@acme.example', 'employee', 'deactivated')],
      )[0],
    ).toMatchObject({ paidSeat: false, flags: ['missing', 'expired'] });
    expect(
      rowsOf([], [live('x@acme.example', 'unassigned', 'invited', { createdAt: inDays(-90) })])[0],
    ).toMatchObject({ paidSeat: false, flags: ['unmanaged', 'never-accepted'] });
    expect(
      rowsOf([], [live('x@acme.example', 'employee', 'invited', { createdAt: null })])[0],
    ).toMatchObject({ paidSeat: true, flags: ['unmanaged', 'never-accepted'] });
  });

  it('follows seats.paidRoles: the owner counts when the policy says so, employees do not', () => {
    const { rows: own } = packOf({
      desired: policy([desired('e@acme.example', 'employee', { expires: inDays(-1) })], {
        seats: { paidRoles: ['owner', 'admin'] },
      }),
      live: [live('olivia@acme.example', 'owner'), live('e@acme.example', 'employee')],
    });
    expect(rowOf(own, 'olivia@acme.example').paidSeat).toBe(true);
    expect(rowOf(own, 'e@acme.example')).toMatchObject({ paidSeat: false, flags: ['expired'] });
  });
});

describe('summarizeReviewSeats', () => {
  it('counts seats in use, the limit, the unused seats, the cost and the waste per business', () => {
    const { seats } = packOf(acme(), holdings());
    expect(seats).toEqual([
      {
        businessId: 240340,
        businessName: 'Acme Books Inc.',
        used: 5,
        limit: 10,
        unused: 5,
        paidRoles: [...DEFAULT_PAID_ROLES],
        price: USD_MONTH,
        cost: 55,
        wasted: { seats: 2, pendingInvitations: 1, expiredGrants: 1, cost: 22 },
      },
      {
        businessId: 2,
        businessName: 'Holdings',
        used: 1,
        limit: null,
        unused: null,
        paidRoles: ['admin', 'manager'],
        price: { amount: 120, currency: 'EUR', per: 'year' },
        cost: 120,
        wasted: { seats: 0, pendingInvitations: 0, expiredGrants: 0, cost: 0 },
      },
    ]);
  });

  it('without a seats: block: the default paid roles, no limit, no cost', () => {
    const { seats } = packOf({
      desired: policy([desired('a@acme.example', 'admin')]),
      live: [live('a@acme.example', 'admin'), live('olivia@acme.example', 'owner')],
    });
    expect(seats[0]).toMatchObject({ used: 1, limit: null, unused: null, price: null, cost: null });
    expect(seats[0]?.wasted.cost).toBeNull();
  });

  it('one person both stale and expired wastes one seat, counted under both reasons', () => {
    const { seats } = packOf({
      desired: policy([desired('x@acme.example', 'manager', { expires: inDays(-1) })], {
        seats: {
          limit: 1,
          price: { amount: 10.5, currency: 'CAD', per: 'month' },
          paidRoles: [...DEFAULT_PAID_ROLES],
        },
      }),
      live: [live('x@acme.example', 'manager', 'invited', { createdAt: inDays(-40) })],
    });
    expect(seats[0]?.wasted).toEqual({
      seats: 1,
      pendingInvitations: 1,
      expiredGrants: 1,
      cost: 10.5,
    });
    expect(seats[0]?.unused).toBe(0);
  });

  it('agrees with the rows: seats in use are the rows holding one', () => {
    const roles = [
      'owner',
      'admin',
      'manager',
      'accountant',
      'employee',
      'contractor',
      'unassigned',
      'time_tracking_admin',
    ];
    const member = fc.record({
      role: fc.constantFrom(...roles),
      state: fc.constantFrom('active', 'invited', 'deactivated') as fc.Arbitrary<
        LiveMember['state']
      >,
      inPolicy: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(member, { maxLength: 12 }), (people) => {
        const liveMembers = people.map((p, i) => live(`u${i}@acme.example`, p.role, p.state));
        const members = people.flatMap((p, i) =>
          p.inPolicy && p.role !== 'owner' && p.role !== 'time_tracking_admin'
            ? [desired(`u${i}@acme.example`, p.role as 'admin')]
            : [],
        );
        const { rows, seats } = packOf({ desired: policy(members), live: liveMembers });
        expect(seats[0]?.used).toBe(rows.filter((row) => row.paidSeat).length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('describeReviewSeats', () => {
  const base: ReviewSeats = {
    businessId: 1,
    businessName: 'x',
    used: 8,
    limit: 10,
    unused: 2,
    paidRoles: [...DEFAULT_PAID_ROLES],
    price: { ...USD_MONTH },
    cost: 88,
    wasted: { seats: 0, pendingInvitations: 0, expiredGrants: 0, cost: 0 },
  };

  it.each<[string, Partial<ReviewSeats>, string]>([
    ['in use, unused, cost', {}, '**8** of 10 paid seats in use (2 unused) · USD 88/month'],
    [
      'at the limit',
      { used: 10, unused: 0, cost: 110 },
      '**10** of 10 paid seats in use (none unused) · USD 110/month',
    ],
    [
      'over the limit',
      { used: 12, unused: -2, cost: 132 },
      '**12** of 10 paid seats in use (**2 over the limit**) · USD 132/month',
    ],
    [
      'no limit, no price',
      { used: 1, limit: null, unused: null, price: null, cost: null },
      '**1** paid seat in use',
    ],
    [
      'a yearly price stays yearly',
      { price: { amount: 132, currency: 'EUR', per: 'year' }, cost: 1056 },
      '**8** of 10 paid seats in use (2 unused) · EUR 1056/year',
    ],
    [
      'waste, priced',
      { wasted: { seats: 3, pendingInvitations: 2, expiredGrants: 1, cost: 33 } },
      '**8** of 10 paid seats in use (2 unused) · USD 88/month · seat waste: **3 seats** (2 invitations pending too long, 1 expired grant), USD 33/month',
    ],
    [
      'waste, unpriced',
      {
        price: null,
        cost: null,
        wasted: { seats: 1, pendingInvitations: 0, expiredGrants: 1, cost: null },
      },
      '**8** of 10 paid seats in use (2 unused) · seat waste: **1 seat** (1 expired grant)',
    ],
  ])('%s', (_name, change, expected) => {
    expect(describeReviewSeats({ ...base, ...change })).toBe(expected);
  });
});

describe('the renderers carry the seats', () => {
  const { rows, seats } = packOf(acme(), holdings());

  it('CSV: paid_seat, seat_cost, seat_currency, seat_period, seat_limit on every row, last', () => {
    expect(REVIEW_CSV_COLUMNS.slice(-5)).toEqual([
      'paid_seat',
      'seat_cost',
      'seat_currency',
      'seat_period',
      'seat_limit',
    ]);
    const lines = renderReviewCsv(rows, { seats }).trimEnd().split('\r\n');
    expect(lines).toHaveLength(rows.length + 1);
    const tail = (email: string) =>
      lines
        .find((line) => line.includes(`,${email},`))
        ?.split(',')
        .slice(-5);
    expect(tail('bob@contractors.example')).toEqual(['yes', '11', 'USD', 'month', '10']);
    expect(tail('uma@acme.example')).toEqual(['no', '', '', '', '10']);
    expect(tail('eve@acme.example')).toEqual(['no', '', '', '', '10']);
    expect(tail('a@holdings.example')).toEqual(['yes', '120', 'EUR', 'year', '']);
    expect(tail('b@holdings.example')).toEqual(['no', '', '', '', '']);
    const cara = lines.find((line) => line.includes(',cara@acme.example,')) ?? '';
    expect(cara).toContain(',never-accepted;pending-seat,');
    // Without the seats, the limit column is empty but present: the header never changes.
    const bare = renderReviewCsv(rows).split('\r\n');
    expect(bare[0]).toBe(lines[0]);
    expect(bare.find((line) => line.includes(',bob@contractors.example,'))).toMatch(
      /,yes,11,USD,month,$/,
    );
  });

  it('JSON: a seats object per business, paidSeat and seatCost per row', () => {
    const parsed = JSON.parse(
      renderReviewJson(rows, { generatedAt: NOW.toISOString(), seats }),
    ) as {
      businesses: Array<{
        businessId: number;
        businessName: string;
        seats: Record<string, unknown>;
      }>;
      rows: ReviewRow[];
      summary: { flags: Record<string, number> };
      flags: Record<string, string>;
    };
    expect(parsed.businesses.map((b) => [b.businessId, b.businessName])).toEqual([
      [240340, 'Acme Books Inc.'],
      [2, 'Holdings'],
    ]);
    expect(parsed.businesses[0]?.seats).toEqual({
      used: 5,
      limit: 10,
      unused: 5,
      paidRoles: [...DEFAULT_PAID_ROLES],
      price: USD_MONTH,
      cost: 55,
      wasted: { seats: 2, pendingInvitations: 1, expiredGrants: 1, cost: 22 },
    });
    expect(rowOf(parsed.rows, 'cara@acme.example')).toMatchObject({
      paidSeat: true,
      seatCost: USD_MONTH,
    });
    expect(parsed.summary.flags).toMatchObject({ 'pending-seat': 1, 'expired-seat': 1 });
    expect(parsed.flags['pending-seat']).toContain('rules.pendingInvitationDays');
    // Without seats (an older caller), no businesses key; the rows still carry theirs.
    expect(JSON.parse(renderReviewJson(rows))).not.toHaveProperty('businesses');
  });

  it('markdown: a seat line per business, the waste’s cost on the flagged rows', () => {
    const md = renderReviewMarkdown(rows, { seats });
    expect(md).toContain(
      '💺 **5** of 10 paid seats in use (5 unused) · USD 55/month · seat waste: **2 seats** (1 invitation pending too long, 1 expired grant), USD 22/month',
    );
    expect(md).toContain('💺 **1** paid seat in use · EUR 120/year');
    const cara = md.split('\n').find((line) => line.includes('`cara@acme.example`')) ?? '';
    expect(cara).toMatch(/\| never-accepted, pending-seat \(USD 11\/month\) \|$/);
    const bob = md.split('\n').find((line) => line.includes('`bob@contractors.example`')) ?? '';
    expect(bob).toMatch(/\| expired, expired-seat \(USD 11\/month\) \|$/);
    // The seat line sits between the business's summary and its table.
    const acmeSection = md.slice(md.indexOf('## Acme Books Inc.'), md.indexOf('<details>'));
    expect(acmeSection.indexOf('people ·')).toBeGreaterThan(0);
    expect(acmeSection.indexOf('💺')).toBeGreaterThan(acmeSection.indexOf('people ·'));
    expect(acmeSection.indexOf('💺')).toBeLessThan(acmeSection.indexOf('| Email |'));
    expect(md).toContain('- **pending-seat**:');
    expect(renderReviewMarkdown(rows)).not.toContain('💺');
  });

  it('review issue: the seat line, the cost on each flagged line, and the boxes still read back', () => {
    const acmeRows = rows.filter((row) => row.businessId === 240340);
    const acmeSeats = seats[0];
    if (acmeSeats === undefined) throw new Error('no seats');
    const body = renderReviewIssueBody(acmeRows, { due: '2026-05-31', seats: acmeSeats });
    expect(body).toContain(`💺 ${describeReviewSeats(acmeSeats)}`);
    const cara = body
      .split('\n')
      .find((line) => line.includes('<!-- member:cara@acme.example -->'));
    expect(cara).toContain('pending-seat (USD 11/month)');
    const bob = body
      .split('\n')
      .find((line) => line.includes('<!-- member:bob@contractors.example -->'));
    expect(bob).toContain('expired, expired-seat (USD 11/month)');
    const pat = body.split('\n').find((line) => line.includes('`pat@acme.example`')) ?? '';
    expect(pat).toContain('| active |');
    expect(parseReviewIssueBody(body).keep.sort()).toEqual(
      acmeRows
        .filter((row) => row.reviewKey !== null)
        .map((row) => row.email)
        .sort(),
    );
    expect(() =>
      renderReviewIssueBody(acmeRows, { due: '2026-05-31', seats: seats[1] as ReviewSeats }),
    ).toThrow(/another business/);
    expect(renderReviewIssueBody(acmeRows, { due: '2026-05-31' })).not.toContain('💺');
  });
});
