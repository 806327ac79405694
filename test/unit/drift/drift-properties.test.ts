import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OutcomeRecord } from '../../../src/apply/records.js';
import { classifyDrift } from '../../../src/drift/classify-drift.js';
import { diffBusiness } from '../../../src/plan/diff-business.js';
import { POLICY_ROLES, type PolicyRole } from '../../../src/roles.js';
import type { Action, LiveMember, MemberState, PolicyMode } from '../../../src/types.js';
import {
  ACME_ID,
  TEST_NOW,
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const EMAILS = Array.from({ length: 8 }, (_, i) => `u${i}@acme.example`);
const LIVE_ROLES = [...POLICY_ROLES, 'time_tracking_admin'] as const;
const DAY = 86_400_000;
const iso = (days: number) => new Date(TEST_NOW.getTime() + days * DAY).toISOString();

const personArb = fc.record({
  live: fc.option(
    fc.record({
      role: fc.constantFrom(...LIVE_ROLES),
      state: fc.constantFrom<MemberState>('active', 'invited', 'deactivated'),
      createdDaysAgo: fc.integer({ min: 0, max: 40 }),
    }),
  ),
  desired: fc.option(
    fc.record({
      role: fc.constantFrom(...POLICY_ROLES),
      expiresInDays: fc.option(fc.integer({ min: -3, max: 12 })),
    }),
  ),
  manual: fc.option(fc.constantFrom<Action>('grant', 'change', 'revoke')),
});

const worldArb = fc.record({
  people: fc.array(personArb, { minLength: EMAILS.length, maxLength: EMAILS.length }),
  mode: fc.constantFrom<PolicyMode>('authoritative', 'additive'),
  seed: fc.integer(),
});
type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function materialise(world: World) {
  const members = [desiredMember('alice@acme.example', 'admin')];
  const live: LiveMember[] = [
    liveMember('olivia@acme.example', 'owner'),
    liveMember('alice@acme.example', 'admin'),
  ];
  const journal: OutcomeRecord[] = [];
  world.people.forEach((person, i) => {
    const email = EMAILS[i] as string;
    if (person.live) {
      live.push({
        ...liveMember(email, person.live.role, { state: person.live.state }),
        createdAt: iso(-person.live.createdDaysAgo),
      });
    }
    if (person.desired) {
      const { role, expiresInDays } = person.desired;
      members.push(
        desiredMember(email, role, expiresInDays === null ? {} : { expires: iso(expiresInDays) }),
      );
    }
    // What the applier records: a grant or change always names its target role.
    const valid = person.manual === 'revoke' || (person.manual !== null && person.desired !== null);
    if (person.manual && valid) {
      journal.push({
        type: 'outcome',
        at: iso(-(i + 1)),
        runId: `run-${i}`,
        op: `${ACME_ID}/${email}/${person.manual}`,
        businessId: ACME_ID,
        email,
        action: person.manual,
        from: person.live ? { role: person.live.role, state: person.live.state } : null,
        to: person.desired ? { role: person.desired.role as PolicyRole } : null,
        outcome: 'manual',
        auditId: `a-${i}`,
      });
    }
  });
  const policy = desiredBusiness({ mode: world.mode, members });
  const business = liveBusiness({ members: live });
  return { policy, business, journal };
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe('classifyDrift properties', () => {
  it('accounts for every change of the refresh-only plan exactly once', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { policy, business, journal } = materialise(world);
        const report = classifyDrift({
          desired: desiredState(policy),
          live: liveState({ businesses: [business] }),
          now: TEST_NOW,
          journal,
        });
        const changes = diffBusiness(policy, business, TEST_NOW).changes;
        const items = report.businesses[0]?.items ?? [];
        const fromChanges = items.filter((i) => i.cause !== undefined);
        expect(fromChanges).toHaveLength(changes.length);
        expect(new Set(fromChanges.map((i) => i.email)).size).toBe(changes.length);
        // The plan would change something iff there is drift (or more: unknown roles).
        if (changes.length > 0) expect(report.businesses[0]?.hasDrift).toBe(true);
        // Keys are unique: the drift issue's first-seen record is keyed by them.
        expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
        // Reminders and drift are told apart by class alone.
        for (const item of items) expect(item.drift).toBe(item.class !== 'expiring-soon');
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic whatever the order of live members and journal records', () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        const { policy, business, journal } = materialise(world);
        const run = (members: LiveMember[], records: OutcomeRecord[]) =>
          classifyDrift({
            desired: desiredState(policy),
            live: liveState({ businesses: [{ ...business, members }] }),
            now: TEST_NOW,
            journal: records,
          });
        expect(
          run(shuffled(business.members, world.seed), shuffled(journal, world.seed + 1)),
        ).toEqual(run(business.members, journal));
      }),
      { numRuns: 200 },
    );
  });
});
