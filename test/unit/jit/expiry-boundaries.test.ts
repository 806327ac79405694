/**
 * A grant before, at and after its expiry, through the real loader and the planner restricted
 * to expired grants (what `rolecall expire` plans). `expires: <date>` means through the end of
 * that day UTC: on the day itself the grant stands; at the next midnight it is revoked. A
 * date-time is exact: the grant stands until that instant and is revoked from it on.
 */
import { describe, expect, it } from 'vitest';
import { chooseCleanup } from '../../../src/jit/choose-cleanup.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';
import type { DesiredState } from '../../../src/types.js';
import { liveBusiness, liveMember, liveState } from '../../support/builders.js';

const POLICY = (expires: string) => `business: 240340
name: Acme Books Inc.
mode: authoritative
rules:
  requireExpiry: [contractor]
members:
  - email: alice@acme.example
    role: admin
  - email: ben@acme.example
    role: admin
  - email: bob@contractors.example
    role: contractor
    expires: ${expires}
`;

const LIVE = liveState({
  businesses: [
    liveBusiness({
      members: [
        liveMember('olivia@acme.example', 'owner'),
        liveMember('alice@acme.example', 'admin'),
        liveMember('ben@acme.example', 'admin'),
        liveMember('bob@contractors.example', 'contractor'),
      ],
    }),
  ],
});

function expiredPlan(expires: string, now: string) {
  const at = new Date(now);
  const loaded = validateDocuments([{ file: 'policies/acme.yaml', text: POLICY(expires) }], {
    now: at,
  });
  expect(loaded.errors).toEqual([]);
  const desired = loaded.value as DesiredState;
  const plan = buildPlan({ desired, live: LIVE, now: at, toolVersion: 'test', only: 'expired' });
  const changes = plan.businesses.flatMap((b) => b.changes);
  return { desired, changes, at };
}

describe('a grant before, at and after its expiry', () => {
  it.each([
    // expires, now, revoked?
    ['2026-03-31', '2026-03-30T12:00:00Z', false], // the day before
    ['2026-03-31', '2026-03-31T00:00:00Z', false], // the day itself starts
    ['2026-03-31', '2026-03-31T23:59:59.999Z', false], // its last instant
    ['2026-03-31', '2026-04-01T00:00:00Z', true], // the next midnight: expired
    ['2026-03-31', '2026-05-01T00:00:00Z', true], // long after
    ['2026-03-02T17:00:00Z', '2026-03-02T16:59:59.999Z', false],
    ['2026-03-02T17:00:00Z', '2026-03-02T17:00:00Z', true], // the instant itself: expired
    ['2026-03-02T18:00:00+01:00', '2026-03-02T17:00:00Z', true], // offsets count
    ['2026-03-02T18:00:00+01:00', '2026-03-02T16:59:00Z', false],
  ])('expires %s, now %s → revoke: %s', (expires, now, revoked) => {
    const { changes } = expiredPlan(expires, now);
    if (!revoked) {
      expect(changes).toEqual([]);
      return;
    }
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      action: 'revoke',
      cause: 'expired',
      email: 'bob@contractors.example',
      from: { role: 'contractor', state: 'active' },
    });
  });

  it('plans nothing but the expired revoke, whatever else differs', () => {
    // zoe is not in the (authoritative) policy: a normal plan revokes her; expire never does.
    const live = liveState({
      businesses: [
        liveBusiness({
          members: [
            liveMember('olivia@acme.example', 'owner'),
            liveMember('alice@acme.example', 'manager'),
            liveMember('ben@acme.example', 'admin'),
            liveMember('bob@contractors.example', 'contractor'),
            liveMember('zoe@acme.example', 'employee'),
          ],
        }),
      ],
    });
    const { desired, at } = expiredPlan('2026-03-31', '2026-04-02T00:00:00Z');
    const full = buildPlan({ desired, live, now: at, toolVersion: 'test' });
    const expired = buildPlan({ desired, live, now: at, toolVersion: 'test', only: 'expired' });
    expect(full.businesses[0]?.changes.map((c) => `${c.action} ${c.email}`).sort()).toEqual([
      'change alice@acme.example',
      'revoke bob@contractors.example',
      'revoke zoe@acme.example',
    ]);
    expect(expired.businesses[0]?.changes.map((c) => `${c.action} ${c.email}`)).toEqual([
      'revoke bob@contractors.example',
    ]);
  });

  it('chooses the same entries for the clean-up: none before, the entry from the expiry on', () => {
    for (const [now, expected] of [
      ['2026-03-31T23:59:59Z', []],
      ['2026-04-01T00:00:00Z', ['bob@contractors.example']],
    ] as const) {
      const { desired, at } = expiredPlan('2026-03-31', now);
      const choice = chooseCleanup(desired, {
        now: at,
        businessIds: new Set([240340]),
        holdsAccess: () => false,
      });
      expect(choice.remove.map((e) => e.email)).toEqual(expected);
    }
  });
});
