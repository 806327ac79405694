import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/canonical.js';
import { buildPlan } from '../../../src/plan/index.js';
import { applyChangesToLive } from '../../support/apply-changes-to-live.js';
import { POLICY_ROLES, type PolicyRole } from '../../../src/roles.js';
import { schemaValidator } from '../../../src/schemas.js';
import type {
  DesiredMember,
  DesiredState,
  LiveMember,
  LiveState,
  MemberState,
  PolicyMode,
} from '../../../src/types.js';
import {
  TEST_NOW,
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const OWNER = 'olivia@acme.example';
/** A small pool, so that policy and live state overlap in every interesting way. */
const EMAILS = Array.from({ length: 12 }, (_, i) => `u${i}@acme.example`);
const LIVE_ROLES = [...POLICY_ROLES, 'time_tracking_admin', 'business_partner'] as const;
const DAY = 86_400_000;

interface PersonSpec {
  live: null | { role: string; state: MemberState };
  desired: null | { role: PolicyRole; expiresInDays: number | null; team: boolean };
}

const personArb: fc.Arbitrary<PersonSpec> = fc.record({
  live: fc.option(
    fc.record({
      role: fc.constantFrom(...LIVE_ROLES),
      state: fc.constantFrom<MemberState>('active', 'invited', 'deactivated'),
    }),
  ),
  desired: fc.option(
    fc.record({
      role: fc.constantFrom(...POLICY_ROLES),
      // Negative: expired before now; 0: expires exactly now (expired); positive: still valid.
      expiresInDays: fc.option(fc.integer({ min: -30, max: 30 })),
      team: fc.boolean(),
    }),
  ),
});

const businessArb = fc.record({
  people: fc.array(personArb, { minLength: EMAILS.length, maxLength: EMAILS.length }),
  mode: fc.constantFrom<PolicyMode>('authoritative', 'additive'),
  /** The policy may (wrongly) list the owner; the planner must ignore it. */
  ownerListedAs: fc.option(fc.constantFrom(...POLICY_ROLES)),
  minAdmins: fc.integer({ min: 0, max: 4 }),
  fraction: fc.constantFrom(0, 0.25, 0.5, 1),
  manualRevoke: fc.boolean(),
  protectedIndex: fc.option(fc.integer({ min: 0, max: EMAILS.length - 1 })),
});

const worldArb = fc.record({
  businesses: fc.array(businessArb, { minLength: 1, maxLength: 3 }),
  identityIndex: fc.integer({ min: 0, max: EMAILS.length - 1 }),
  shuffleSeed: fc.integer(),
});

type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function materialise(world: World): { desired: DesiredState; live: LiveState } {
  const policies = [];
  const lives = [];
  for (const [index, spec] of world.businesses.entries()) {
    const businessId = 1000 + index;
    const members: DesiredMember[] = [];
    const liveMembers: LiveMember[] = [liveMember(OWNER, 'owner')];
    if (spec.ownerListedAs !== null) members.push(desiredMember(OWNER, spec.ownerListedAs));
    spec.people.forEach((person, i) => {
      const email = EMAILS[i]!;
      if (person.live !== null)
        liveMembers.push(liveMember(email, person.live.role, { state: person.live.state }));
      if (person.desired !== null) {
        const { role, expiresInDays, team } = person.desired;
        members.push(
          desiredMember(email, role, {
            ...(expiresInDays === null
              ? {}
              : { expires: new Date(TEST_NOW.getTime() + expiresInDays * DAY).toISOString() }),
            ...(team ? { team: 'crew' } : {}),
            reason: `reason ${i}`,
          }),
        );
      }
    });
    policies.push(
      desiredBusiness({
        businessId,
        file: `policies/b${index}.yaml`,
        mode: spec.mode,
        rules: {
          minAdmins: spec.minAdmins,
          maxRevokes: { fraction: spec.fraction },
          protected: spec.protectedIndex === null ? [] : [EMAILS[spec.protectedIndex]!],
        },
        provisioning: { revoke: spec.manualRevoke ? 'manual' : 'api' },
        members,
      }),
    );
    lives.push(liveBusiness({ businessId, name: `Business ${index}`, members: liveMembers }));
  }
  const identityEmail = EMAILS[world.identityIndex]!;
  return {
    desired: desiredState(...policies),
    live: liveState({ businesses: lives, identity: { identityId: 42, email: identityEmail } }),
  };
}

/** Deterministic Fisher–Yates (mulberry32), so a failing case replays from its seed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const plan = (desired: DesiredState, live: LiveState) =>
  buildPlan({ desired, live, now: TEST_NOW, toolVersion: '0.1.0' });

describe('plan properties', () => {
  it('applying a plan to the live state leaves nothing to plan, unmanaged members untouched, and the paid seats it predicted', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { desired, live } = materialise(world);
        const first = plan(desired, live);
        const after = applyChangesToLive(live, first, TEST_NOW);
        const second = plan(desired, after);
        for (const [i, business] of second.businesses.entries()) {
          expect(business.changes).toEqual([]);
          expect(business.unmanaged).toEqual(first.businesses[i]!.unmanaged);
          // The seats the first plan predicted are the seats the applied state holds.
          expect(business.seats?.before).toBe(first.businesses[i]!.seats?.after);
          expect(business.seats?.after).toBe(business.seats?.before);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: same inputs, or the same members in another order, give the same plan', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { desired, live } = materialise(world);
        const reference = plan(desired, live);
        expect(plan(desired, live).digest).toBe(reference.digest);
        const reordered: DesiredState = {
          businesses: desired.businesses.map((policy) => ({
            ...policy,
            members: shuffled(policy.members, world.shuffleSeed),
          })),
        };
        const reorderedLive: LiveState = {
          ...live,
          businesses: live.businesses.map((business) => ({
            ...business,
            members: shuffled(business.members, world.shuffleSeed + 1),
          })),
        };
        const again = plan(reordered, reorderedLive);
        expect(again).toEqual(reference);
        expect(again.digest).toBe(reference.digest);
      }),
      { numRuns: 200 },
    );
  });

  it('never plans anything for the owner, and orders changes grant, change, revoke, then email', () => {
    const rank = { grant: 0, change: 1, revoke: 2 };
    fc.assert(
      fc.property(worldArb, (world) => {
        const { desired, live } = materialise(world);
        for (const business of plan(desired, live).businesses) {
          expect(business.changes.some((change) => change.email === OWNER)).toBe(false);
          expect(business.unmanaged.some((member) => member.email === OWNER)).toBe(false);
          const keys = business.changes.map((change) => `${rank[change.action]} ${change.email}`);
          expect(keys).toEqual([...keys].sort());
        }
      }),
      { numRuns: 200 },
    );
  });

  it('produces plans that match the schema, carry the canonical digest, fingerprint every touched member, and are applyable iff no guard fails unexcused', () => {
    const validate = schemaValidator('plan');
    fc.assert(
      fc.property(worldArb, (world) => {
        const { desired, live } = materialise(world);
        const result = plan(desired, live);
        expect(validate(result), JSON.stringify(validate.errors)).toBe(true);
        const { digest, ...content } = result;
        expect(digest).toBe(digestOf(content));
        for (const business of result.businesses) {
          for (const change of business.changes) {
            if (change.uuid !== undefined)
              expect(business.memberFingerprints[change.uuid]).toMatch(/^sha256:/);
            if (change.action === 'grant' && change.from === null)
              expect(change.uuid).toBeUndefined();
          }
          expect(business.guards.map((guard) => guard.guard)).toEqual([
            'protected',
            'minAdmins',
            'maxRevokes',
            'self',
            'seats',
          ]);
          expect(business.applyable).toBe(
            business.guards.every((guard) => guard.ok || guard.override !== undefined),
          );
        }
      }),
      { numRuns: 100 },
    );
  });
});
