import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/index.js';
import { DEFAULT_PAID_ROLES } from '../../../src/seats.js';
import type { DesiredMember, LiveMember, SeatPolicy } from '../../../src/types.js';
import {
  TEST_NOW,
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const OWNER = liveMember('olivia@acme.example', 'owner');
const ALICE = liveMember('alice@acme.example', 'admin', { identityId: 5001 });
const EMPLOYEES = Array.from({ length: 8 }, (_, i) => `e${i}@acme.example`);

function planFor(
  seats: SeatPolicy | undefined,
  desired: DesiredMember[],
  live: LiveMember[],
  overrides: Array<{ guard: 'seats' }> = [],
) {
  const policy = desiredBusiness({ members: desired, overrides, ...(seats ? { seats } : {}) });
  const plan = buildPlan({
    desired: desiredState(policy),
    live: liveState({
      businesses: [liveBusiness({ members: live })],
      identity: { identityId: 5001, email: 'alice@acme.example' },
    }),
    now: TEST_NOW,
    toolVersion: '0.1.0',
  });
  const business = plan.businesses[0]!;
  return { business, guard: business.guards.find((guard) => guard.guard === 'seats')! };
}

const limit = (n: number): SeatPolicy => ({ limit: n, paidRoles: [...DEFAULT_PAID_ROLES] });
/** The owner, alice (admin) and eight employees: nine paid seats. */
const LIVE = [OWNER, ALICE, ...EMPLOYEES.map((email) => liveMember(email, 'employee'))];
const DESIRED = [
  desiredMember('alice@acme.example', 'admin'),
  ...EMPLOYEES.map((email) => desiredMember(email, 'employee')),
];

describe('guard: seats', () => {
  it('fails a plan that needs more paid seats than the limit, saying how many to free or buy', () => {
    const { business, guard } = planFor(
      limit(10),
      [
        ...DESIRED,
        desiredMember('new1@acme.example', 'manager'),
        desiredMember('new2@acme.example', 'accountant'),
      ],
      LIVE,
    );
    expect(business.seats).toMatchObject({ before: 9, after: 11, limit: 10 });
    expect(guard.ok).toBe(false);
    expect(guard.message).toBe(
      '11 paid seats after this plan (9 now), limit 10: free 1 seat (revoke someone or change them to unassigned in this plan) or buy 1 more and raise seats.limit to 11',
    );
    expect(business.applyable).toBe(false);
  });

  it('passes the same grants once the plan frees a seat by moving someone to unassigned', () => {
    const desired = DESIRED.map((member) =>
      member.email === 'e0@acme.example' ? desiredMember(member.email, 'unassigned') : member,
    );
    const { business, guard } = planFor(
      limit(10),
      [
        ...desired,
        desiredMember('new1@acme.example', 'manager'),
        desiredMember('new2@acme.example', 'accountant'),
      ],
      LIVE,
    );
    expect(business.seats).toMatchObject({ before: 9, after: 10 });
    expect(guard).toEqual({
      guard: 'seats',
      ok: true,
      message: '10 paid seats after this plan (9 now), limit 10',
    });
  });

  it('counts pending invitations, as FreshBooks does', () => {
    const live = [...LIVE, liveMember('pending@acme.example', 'contractor', { state: 'invited' })];
    const { guard } = planFor(
      limit(10),
      [
        ...DESIRED,
        desiredMember('pending@acme.example', 'contractor'),
        desiredMember('new1@acme.example', 'manager'),
      ],
      live,
    );
    expect(guard.ok).toBe(false);
    expect(guard.message).toContain('11 paid seats after this plan (10 now)');
  });

  it('does not hold an over-limit business hostage when the plan adds no seat', () => {
    const { guard } = planFor(limit(5), DESIRED, LIVE);
    expect(guard).toMatchObject({ ok: true });
    expect(guard.message).toBe(
      '9 paid seats after this plan (9 now), over the limit of 5 already; this plan adds no paid seat',
    );
  });

  it('passes without a limit, and reports the count', () => {
    const { guard } = planFor(
      undefined,
      [...DESIRED, desiredMember('n@acme.example', 'admin')],
      LIVE,
    );
    expect(guard).toEqual({
      guard: 'seats',
      ok: true,
      message: '10 paid seats after this plan (9 now); no limit declared (seats.limit)',
    });
  });

  it('is overridable like every guard', () => {
    const { business, guard } = planFor(
      limit(9),
      [...DESIRED, desiredMember('n@acme.example', 'admin')],
      LIVE,
      [{ guard: 'seats' }],
    );
    expect(guard.ok).toBe(false);
    expect(guard.override).toBeDefined();
    expect(business.applyable).toBe(true);
  });

  it('counts the owner only when paidRoles says so', () => {
    const withOwner: SeatPolicy = { limit: 9, paidRoles: ['owner', ...DEFAULT_PAID_ROLES] };
    expect(planFor(withOwner, DESIRED, LIVE).business.seats).toMatchObject({
      before: 10,
      after: 10,
    });
    expect(planFor(limit(9), DESIRED, LIVE).business.seats).toMatchObject({ before: 9, after: 9 });
  });
});
