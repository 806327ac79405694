import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import {
  PHASE_NAMES,
  addsAdmin,
  orderOperations,
  paidRolesOf,
  phaseOf,
  removesAdmin,
} from '../../../src/apply/order-operations.js';
import type { TeamMemberRecord } from '../../../src/ports.js';
import {
  POLICY_ROLES,
  apiRoleOf,
  policyRoleOf,
  type KnownRole,
  type PolicyRole,
} from '../../../src/roles.js';
import { DEFAULT_PAID_ROLES, freesSeat } from '../../../src/seats.js';
import type { Change } from '../../../src/types.js';
import type { FakeMember } from './fake-freshbooks.js';
import {
  acmeFake,
  BUSINESS,
  desiredOf,
  optionsFor,
  planFor,
  policyOf,
  tempStateDir,
} from './scenario.js';

const change = (over: Partial<Change>): Change => ({
  businessId: 1,
  email: 'x@acme.example',
  action: 'change',
  from: { role: 'employee', state: 'active' },
  to: { role: 'manager' },
  reason: 'r',
  provisioning: 'api',
  ...over,
});

const PAID = DEFAULT_PAID_ROLES;
/** Contractors billed as free: a policy's `seats.paidRoles` that leaves them out. */
const CONTRACTORS_FREE = ['admin', 'manager', 'accountant', 'employee'];

describe('phaseOf', () => {
  it.each([
    ['grant', 2, change({ action: 'grant', from: null, to: { role: 'admin' } }), PAID],
    [
      'grant as unassigned (grants never release a seat)',
      2,
      change({ action: 'grant', from: null, to: { role: 'unassigned' } }),
      PAID,
    ],
    [
      're-invite',
      2,
      change({
        action: 'grant',
        from: { role: 'employee', state: 'deactivated' },
        to: { role: 'employee' },
      }),
      PAID,
    ],
    ['upgrade (direction given)', 2, change({ direction: 'upgrade' }), PAID],
    [
      'upgrade (derived from ranks)',
      2,
      change({ from: { role: 'employee', state: 'active' }, to: { role: 'admin' } }),
      PAID,
    ],
    [
      'upgrade from unassigned (takes a seat)',
      2,
      change({ from: { role: 'unassigned', state: 'active' }, to: { role: 'manager' } }),
      PAID,
    ],
    [
      'downgrade (direction given)',
      3,
      change({
        direction: 'downgrade',
        from: { role: 'manager', state: 'active' },
        to: { role: 'employee' },
      }),
      PAID,
    ],
    [
      'downgrade (derived)',
      3,
      change({ from: { role: 'admin', state: 'active' }, to: { role: 'contractor' } }),
      PAID,
    ],
    [
      'downgrade to a role the policy does not bill (a seat release)',
      1,
      change({ from: { role: 'manager', state: 'active' }, to: { role: 'contractor' } }),
      CONTRACTORS_FREE,
    ],
    [
      'downgrade to unassigned (a seat release)',
      1,
      change({
        direction: 'downgrade',
        from: { role: 'employee', state: 'active' },
        to: { role: 'unassigned' },
      }),
      PAID,
    ],
    [
      'a pending invitation downgraded to unassigned (its seat is held too)',
      1,
      change({ from: { role: 'accountant', state: 'invited' }, to: { role: 'unassigned' } }),
      PAID,
    ],
    [
      'an admin to unassigned (frees a seat, but admin removals stay last)',
      3,
      change({ from: { role: 'admin', state: 'active' }, to: { role: 'unassigned' } }),
      PAID,
    ],
    [
      'away from an unknown role (counted as paid) to unassigned',
      1,
      change({
        from: { role: 'time_tracking_admin', state: 'active' },
        to: { role: 'unassigned' },
      }),
      PAID,
    ],
    [
      'away from an unknown role to a paid one (an upgrade by rank)',
      2,
      change({ from: { role: 'time_tracking_admin', state: 'active' }, to: { role: 'employee' } }),
      PAID,
    ],
    ['revoke (a seat release)', 1, change({ action: 'revoke', to: null }), PAID],
    [
      'revoke of a pending invitation (a seat release)',
      1,
      change({ action: 'revoke', from: { role: 'contractor', state: 'invited' }, to: null }),
      PAID,
    ],
    [
      'revoke of an unassigned member (frees no seat)',
      4,
      change({ action: 'revoke', from: { role: 'unassigned', state: 'active' }, to: null }),
      PAID,
    ],
    [
      'revoke of a member the policy does not bill',
      4,
      change({ action: 'revoke', from: { role: 'contractor', state: 'active' }, to: null }),
      CONTRACTORS_FREE,
    ],
    [
      'revoke of an admin (frees a seat, but admin removals stay last)',
      4,
      change({ action: 'revoke', from: { role: 'admin', state: 'active' }, to: null }),
      PAID,
    ],
  ] as const)('%s → phase %i', (_name, phase, input, paidRoles) => {
    expect(phaseOf(input, paidRoles)).toBe(phase);
  });

  it('keeps the plan’s order within each phase', () => {
    const changes = [
      change({ action: 'grant', email: 'b@x', from: null }),
      change({ action: 'revoke', email: 'a@x', to: null }),
      change({ action: 'grant', email: 'a@x', from: null }),
      change({ email: 'c@x', direction: 'downgrade' }),
      change({ email: 'd@x', direction: 'upgrade' }),
      change({
        action: 'revoke',
        email: 'e@x',
        from: { role: 'admin', state: 'active' },
        to: null,
      }),
      change({
        email: 'f@x',
        from: { role: 'manager', state: 'active' },
        to: { role: 'unassigned' },
      }),
    ];
    expect(orderOperations(changes, () => PAID).map((phase) => phase.map((op) => op.key))).toEqual([
      ['1/a@x/revoke', '1/f@x/change'],
      ['1/b@x/grant', '1/a@x/grant', '1/d@x/change'],
      ['1/c@x/change'],
      ['1/e@x/revoke'],
    ]);
  });

  it('asks each business for its own paid roles', () => {
    const changes = [
      change({
        businessId: 1,
        email: 'a@x',
        from: { role: 'manager', state: 'active' },
        to: { role: 'contractor' },
      }),
      change({
        businessId: 2,
        email: 'a@x',
        from: { role: 'manager', state: 'active' },
        to: { role: 'contractor' },
      }),
    ];
    const paidRoles = paidRolesOf([
      { businessId: 1, seats: { before: 0, after: 0, paidRoles: CONTRACTORS_FREE } },
      // A plan made before rolecall counted seats: the default paid roles.
      { businessId: 2 },
    ]);
    expect(orderOperations(changes, paidRoles).map((phase) => phase.map((op) => op.key))).toEqual([
      ['1/a@x/change'],
      [],
      ['2/a@x/change'],
      [],
    ]);
    expect(paidRoles(3)).toEqual(DEFAULT_PAID_ROLES);
  });

  it('names the phases in order', () => {
    expect(Object.values(PHASE_NAMES)).toEqual([
      'seat releases',
      'grants and upgrades',
      'downgrades',
      'revokes',
    ]);
  });

  it.each([
    [change({ action: 'grant', from: null, to: { role: 'admin' } }), true, false],
    [change({ from: { role: 'admin', state: 'active' }, to: { role: 'manager' } }), false, true],
    [
      change({ action: 'revoke', from: { role: 'admin', state: 'invited' }, to: null }),
      false,
      true,
    ],
    [
      change({ from: { role: 'manager', state: 'active' }, to: { role: 'employee' } }),
      false,
      false,
    ],
  ])('addsAdmin/removesAdmin %#', (input, adds, removes) => {
    expect(addsAdmin(input)).toBe(adds);
    expect(removesAdmin(input)).toBe(removes);
  });
});

const ROLES = POLICY_ROLES;
const BILLABLE: readonly KnownRole[] = DEFAULT_PAID_ROLES;

// Admins are over-represented: the interesting plans both add and remove admins.
const role = fc.oneof(
  { arbitrary: fc.constant<PolicyRole>('admin'), weight: 3 },
  { arbitrary: fc.constantFrom<PolicyRole>(...ROLES), weight: 4 },
);
const person = fc.record({
  role,
  state: fc.constantFrom<'active' | 'invited' | 'deactivated'>(
    'active',
    'active',
    'invited',
    'deactivated',
  ),
  desired: fc.option(role, { nil: undefined, freq: 3 }),
  fails: fc.boolean(),
});
// The policy's `seats.paidRoles`: usually the default, sometimes fewer (a free role moves to
// the seat releases, which a wrong implementation reading the default would miss).
const paidRoles = fc.oneof(
  { arbitrary: fc.constant<KnownRole[]>([...BILLABLE]), weight: 2 },
  { arbitrary: fc.subarray<KnownRole>([...BILLABLE]), weight: 1 },
);

/** Paid seats in use, counted on the fake as FreshBooks would: active or pending, paid role. */
function seatsInUse(members: readonly TeamMemberRecord[], paid: readonly string[]): number {
  return members.filter((m) => {
    const deactivated = !m.active && m.invitationDateAccepted !== null;
    if (deactivated || m.apiRole === 'owner') return false;
    const known = policyRoleOf(m.apiRole);
    return known === null || paid.includes(known);
  }).length;
}

describe('property: an apply never passes through fewer admins than min(before, desired after), nor more paid seats than max(before, after)', () => {
  it('for random businesses, plans, paid roles, concurrency and failing writes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(person, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        fc.constantFrom('invite', 'changeRole', 'remove'),
        paidRoles,
        async (people, concurrency, failRate, slowKind, paid) => {
          const live: FakeMember[] = [
            { email: 'olivia@acme.example', apiRole: 'owner' },
            { email: 'alice@acme.example', apiRole: 'business_partner', identityId: 5001 },
            ...people.map((p, i) => ({
              email: `p${i}@acme.example`,
              apiRole: apiRoleOf(p.role),
              state: p.state,
            })),
          ];
          const desiredMembers = [
            { email: 'alice@acme.example', role: 'admin' as const },
            ...people.flatMap((p, i) =>
              p.desired ? [{ email: `p${i}@acme.example`, role: p.desired }] : [],
            ),
          ];
          const fake = acmeFake(live);
          const policy = policyOf(desiredMembers, {
            overrides: ['minAdmins', 'maxRevokes', 'protected', 'self'],
          });
          const desired = desiredOf({ ...policy, seats: { paidRoles: paid } });
          const plan = await planFor(fake, desired);
          const changes = plan.businesses[0]?.changes ?? [];
          expect(plan.businesses[0]?.seats?.paidRoles).toEqual(paid);
          const count = () =>
            fake
              .members(BUSINESS)
              .filter(
                (m) => m.active && (m.apiRole === 'owner' || m.apiRole === 'business_partner'),
              ).length;
          const seats = () => seatsInUse(fake.members(BUSINESS), paid);
          const before = count();
          const seatsBefore = seats();
          // The desired end state's count: the same rule applied to the plan's targets.
          let after = before;
          for (const c of changes) {
            const member = fake.members(BUSINESS).find((m) => m.uuid === c.uuid);
            const wasAdmin = member?.active === true && member.apiRole === 'business_partner';
            const isAdmin = member?.active === true && c.to?.role === 'admin';
            after += Number(isAdmin) - Number(wasAdmin);
          }
          const floor = Math.min(before, after);
          const seen: number[] = [];
          const seatsSeen: number[] = [];
          fake.onEffect = () => {
            seen.push(count());
            seatsSeen.push(seats());
          };
          let rejected = false;
          fake.fault = (call) => {
            const index = Number(/^p(\d+)@/.exec(call.email)?.[1] ?? -1);
            const p = people[index];
            const fails = p?.fails === true && failRate > 0.2;
            rejected ||= fails;
            return fails ? 'rejected' : undefined;
          };
          // One kind of write is slow, so that a wrong order would show up as a wrong interleaving.
          const invite = fake.invite.bind(fake);
          const changeRole = fake.changeRole.bind(fake);
          const remove = fake.remove.bind(fake);
          const slow = () => new Promise((resolve) => setTimeout(resolve, 3));
          fake.invite = async (...a) => (slowKind === 'invite' && (await slow()), invite(...a));
          fake.changeRole = async (...a) => (
            slowKind === 'changeRole' && (await slow()),
            changeRole(...a)
          );
          fake.remove = async (...a) => (slowKind === 'remove' && (await slow()), remove(...a));
          const dir = await tempStateDir();
          try {
            await applyPlan(optionsFor(fake, desired, plan, dir.dir, { concurrency }));
          } finally {
            await dir.cleanup();
          }
          for (const value of seen) expect(value).toBeGreaterThanOrEqual(floor);
          // Seats: only when every write went through (a failed release leaves its seat taken)
          // and no seat comes from removing an admin (that removal waits for the grants).
          const adminFreesSeat = changes.some((c) => removesAdmin(c) && freesSeat(c, paid));
          if (rejected || adminFreesSeat) return;
          const ceiling = Math.max(seatsBefore, seats());
          for (const value of seatsSeen) expect(value).toBeLessThanOrEqual(ceiling);
        },
      ),
      {
        numRuns: 60,
        seed: 20261129,
        // Shapes a wrong order gets wrong, always checked: an admin downgraded or revoked while
        // another is upgraded, an admin revoked after the admin upgrade before it failed, and a
        // seat taken before the one the plan frees (by a downgrade to unassigned, a revoke, or a
        // move to a role this policy does not bill).
        examples: [
          [
            [
              { role: 'admin', state: 'active', desired: 'employee', fails: false },
              { role: 'accountant', state: 'active', desired: 'admin', fails: false },
            ],
            1,
            0,
            'invite',
            [...BILLABLE],
          ],
          [
            [
              { role: 'accountant', state: 'active', desired: 'admin', fails: false },
              { role: 'admin', state: 'active', desired: undefined, fails: false },
            ],
            2,
            0,
            'changeRole',
            [...BILLABLE],
          ],
          [
            [
              { role: 'admin', state: 'active', desired: undefined, fails: false },
              { role: 'unassigned', state: 'active', desired: 'admin', fails: true },
            ],
            1,
            0.3,
            'invite',
            [...BILLABLE],
          ],
          [
            [
              { role: 'employee', state: 'active', desired: 'unassigned', fails: false },
              { role: 'unassigned', state: 'active', desired: 'manager', fails: false },
            ],
            1,
            0,
            'remove',
            [...BILLABLE],
          ],
          [
            [
              { role: 'manager', state: 'invited', desired: undefined, fails: false },
              { role: 'employee', state: 'deactivated', desired: 'employee', fails: false },
            ],
            1,
            0,
            'invite',
            [...BILLABLE],
          ],
          [
            [
              { role: 'manager', state: 'active', desired: 'contractor', fails: false },
              { role: 'unassigned', state: 'active', desired: 'employee', fails: false },
            ],
            2,
            0,
            'changeRole',
            ['admin', 'manager', 'accountant', 'employee'],
          ],
        ],
      },
    );
  });
});
