import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildReviewPack,
  summarizeReview,
  type ReviewFlag,
  type ReviewRow,
} from '../../../src/review/index.js';
import type { DesiredMember, LiveMember, Provenance } from '../../../src/types.js';
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

function pack(
  members: DesiredMember[],
  liveMembers: LiveMember[],
  options: {
    protectedEmails?: string[];
    expiringSoonDays?: number;
    prov?: (file: string, line: number) => Provenance | undefined;
  } = {},
): ReviewRow[] {
  return buildReviewPack({
    desired: desiredState([
      policy(members, { rules: rules({ protected: options.protectedEmails ?? [] }) }),
    ]),
    live: liveState([liveBusiness(liveMembers)]),
    provenance: options.prov ?? (() => undefined),
    now: NOW,
    ...(options.expiringSoonDays === undefined
      ? {}
      : { expiringSoonDays: options.expiringSoonDays }),
  });
}

interface FlagCase {
  name: string;
  policy: DesiredMember[];
  live: LiveMember[];
  protectedEmails?: string[];
  expect: Partial<ReviewRow> & { flags: ReviewFlag[] };
}

const E = 'pat@acme.example';

const CASES: FlagCase[] = [
  {
    name: 'an admin as the policy says, with a reason',
    policy: [desired(E, 'admin')],
    live: [live(E, 'admin')],
    expect: {
      flags: ['privileged'],
      role: 'admin',
      policyRole: 'admin',
      inPolicy: true,
      state: 'active',
    },
  },
  {
    name: 'an employee as the policy says',
    policy: [desired(E, 'employee')],
    live: [live(E, 'employee')],
    expect: { flags: [], reviewKey: E },
  },
  {
    name: 'a policy entry without a reason',
    policy: [desired(E, 'employee', { reason: null })],
    live: [live(E, 'employee')],
    expect: { flags: ['no-reason'], reason: null },
  },
  {
    name: 'a blank reason',
    policy: [desired(E, 'employee', { reason: '   ' })],
    live: [live(E, 'employee')],
    expect: { flags: ['no-reason'] },
  },
  {
    name: 'an expired grant',
    policy: [desired(E, 'contractor', { expires: inDays(-1) })],
    live: [live(E, 'contractor')],
    // Still a contractor in FreshBooks: the paid seat is held past the grant's end.
    expect: { flags: ['expired', 'expired-seat'], expires: inDays(-1), paidSeat: true },
  },
  {
    name: 'a grant expiring right now (now >= expires)',
    policy: [desired(E, 'contractor', { expires: NOW.toISOString() })],
    live: [live(E, 'contractor')],
    expect: { flags: ['expired', 'expired-seat'] },
  },
  {
    name: 'a grant expiring within the window',
    policy: [desired(E, 'contractor', { expires: inDays(3) })],
    live: [live(E, 'contractor')],
    expect: { flags: ['expiring-soon'] },
  },
  {
    name: 'a grant expiring exactly at the end of the window',
    policy: [desired(E, 'contractor', { expires: inDays(7) })],
    live: [live(E, 'contractor')],
    expect: { flags: ['expiring-soon'] },
  },
  {
    name: 'a grant expiring after the window',
    policy: [desired(E, 'contractor', { expires: inDays(8) })],
    live: [live(E, 'contractor')],
    expect: { flags: [] },
  },
  {
    name: 'someone granted by hand',
    policy: [],
    live: [live(E, 'employee')],
    expect: { flags: ['unmanaged'], inPolicy: false, policyRole: null, via: null, reviewKey: null },
  },
  {
    name: 'a privileged person granted by hand',
    policy: [],
    live: [live(E, 'accountant')],
    expect: { flags: ['privileged', 'unmanaged'] },
  },
  {
    name: 'a pending invitation, sent within rules.pendingInvitationDays',
    policy: [desired(E, 'employee')],
    live: [live(E, 'employee', 'invited', { createdAt: inDays(-14) })],
    expect: { flags: ['never-accepted'], state: 'invited', paidSeat: true },
  },
  {
    name: 'a live role above the policy role',
    policy: [desired(E, 'employee')],
    live: [live(E, 'manager')],
    expect: { flags: ['privileged', 'role-mismatch'], role: 'manager', policyRole: 'employee' },
  },
  {
    name: 'a live role below a privileged policy role',
    policy: [desired(E, 'admin')],
    live: [live(E, 'employee')],
    expect: { flags: ['privileged', 'role-mismatch'] },
  },
  {
    name: 'an unknown live role, not in the policy',
    policy: [],
    live: [live(E, 'time_tracking_admin')],
    expect: { flags: ['unmanaged', 'unknown-role'], role: 'time_tracking_admin' },
  },
  {
    name: 'an unknown live role the policy names',
    policy: [desired(E, 'employee')],
    live: [live(E, 'time_tracking_admin')],
    expect: { flags: ['unknown-role', 'role-mismatch'], role: 'time_tracking_admin' },
  },
  {
    name: 'the owner',
    policy: [],
    live: [live(E, 'owner')],
    expect: { flags: ['privileged', 'protected'], role: 'owner', inPolicy: false, reviewKey: null },
  },
  {
    name: 'a protected policy member',
    policy: [desired(E, 'admin')],
    live: [live(E, 'admin')],
    protectedEmails: [E],
    expect: { flags: ['privileged', 'protected'] },
  },
  {
    name: 'a policy grant FreshBooks does not have',
    policy: [desired(E, 'employee')],
    live: [],
    expect: { flags: ['missing'], state: 'absent', role: null, name: null, liveSince: null },
  },
  {
    name: 'a policy grant whose membership was deactivated',
    policy: [desired(E, 'employee')],
    live: [live(E, 'employee', 'deactivated')],
    expect: { flags: ['missing'], state: 'deactivated' },
  },
  {
    name: 'a pending privileged invitation by hand, expired in nothing',
    policy: [],
    live: [live(E, 'admin', 'invited')],
    // Sent in 2023: its paid seat has waited for years.
    expect: { flags: ['privileged', 'unmanaged', 'never-accepted', 'pending-seat'] },
  },
  {
    name: 'every policy-side flag at once',
    policy: [desired(E, 'admin', { reason: null, expires: inDays(-3) })],
    live: [live(E, 'manager', 'invited')],
    protectedEmails: [E],
    expect: {
      flags: [
        'privileged',
        'protected',
        'role-mismatch',
        'never-accepted',
        'pending-seat',
        'no-reason',
        'expired',
        'expired-seat',
      ],
    },
  },
];

describe('buildReviewPack flags', () => {
  it.each(CASES)('$name', (c) => {
    const rows = pack(
      c.policy,
      c.live,
      c.protectedEmails ? { protectedEmails: c.protectedEmails } : {},
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject(c.expect);
  });

  it('leaves out deactivated memberships no policy names: nobody has that access', () => {
    expect(pack([], [live(E, 'employee', 'deactivated')])).toEqual([]);
  });

  it('shows the active membership, not an old deactivated one, for the same person', () => {
    const rows = pack(
      [desired(E, 'employee')],
      [live(E, 'employee', 'deactivated'), live(E, 'employee')],
    );
    expect(rows.map((row) => [row.state, row.flags])).toEqual([['active', []]]);
  });

  it('honours an explicit reminder window over the policy rule', () => {
    const member = desired(E, 'contractor', { expires: inDays(20) });
    expect(pack([member], [live(E, 'contractor')])[0]?.flags).toEqual([]);
    expect(pack([member], [live(E, 'contractor')], { expiringSoonDays: 30 })[0]?.flags).toEqual([
      'expiring-soon',
    ]);
  });
});

describe('buildReviewPack rows', () => {
  it('fills provenance from the policy line, and only for policy entries', () => {
    const alice = desired('alice@acme.example', 'admin', { ticket: 'FIN-1' });
    const asked: Array<[string, number]> = [];
    const rows = pack(
      [alice],
      [
        live('alice@acme.example', 'admin', 'active', { firstName: 'Alice', lastName: ' Chen ' }),
        live('zoe@acme.example', 'employee', 'active', { createdAt: '2025-01-02T00:00:00Z' }),
      ],
      {
        prov: (file, line) => {
          asked.push([file, line]);
          return provenance({
            date: '2026-04-01T09:00:00.000Z',
            mergeSha: 'b'.repeat(40),
            prNumber: 34,
          });
        },
      },
    );
    expect(asked).toEqual([[alice.source.file, alice.source.line]]);
    expect(rows[0]).toEqual({
      businessId: 240340,
      businessName: 'Acme Books Inc.',
      email: 'alice@acme.example',
      name: 'Alice Chen',
      role: 'admin',
      state: 'active',
      inPolicy: true,
      policyRole: 'admin',
      via: 'member',
      reason: 'Needed for the job',
      ticket: 'FIN-1',
      expires: null,
      grantedBy: 'Dana Reyes',
      grantedByEmail: 'dana@acme.example',
      grantedAt: '2026-04-01T09:00:00.000Z',
      commit: 'a'.repeat(40),
      pullRequest: 34,
      daysSinceGranted: 30,
      liveSince: '2023-06-01T00:00:00Z',
      policySource: `${alice.source.file}:${alice.source.line}`,
      flags: ['privileged'],
      paidSeat: true,
      seatCost: null,
      reviewKey: 'alice@acme.example',
    });
    expect(rows[1]).toMatchObject({
      email: 'zoe@acme.example',
      grantedBy: null,
      grantedAt: null,
      commit: null,
      pullRequest: null,
      daysSinceGranted: null,
      liveSince: '2025-01-02T00:00:00Z',
      policySource: null,
    });
  });

  it('counts days since granted in whole days, never negative (a commit dated in the future)', () => {
    const member = desired(E, 'employee');
    const at = (date: string) =>
      pack([member], [live(E, 'employee')], { prov: () => provenance({ date }) })[0]
        ?.daysSinceGranted;
    expect(at('2026-04-30T12:00:00.001Z')).toBe(0);
    expect(at('2026-04-30T12:00:00.000Z')).toBe(1);
    expect(at('2025-05-01T12:00:00.000Z')).toBe(365);
    expect(at('2027-01-01T00:00:00.000Z')).toBe(0);
  });

  it('names the team a role comes through', () => {
    const rows = pack(
      [desired(E, 'accountant', { via: { kind: 'team', team: 'bookkeeping' } })],
      [live(E, 'accountant')],
    );
    expect(rows[0]?.via).toBe('team:bookkeeping');
  });

  it('covers every business the policy names, by id then email, and no other', () => {
    const rows = buildReviewPack({
      desired: desiredState([
        policy([desired('b@acme.example', 'employee')], { businessId: 2, name: 'Second' }),
        policy([desired('a@acme.example', 'employee')], { businessId: 1, name: 'Policy name' }),
      ]),
      live: liveState([
        liveBusiness([live('z@acme.example', 'employee'), live('a@acme.example', 'employee')], {
          businessId: 1,
          name: 'Live name',
        }),
        liveBusiness([live('x@acme.example', 'employee')], {
          businessId: 3,
          name: 'Not in any policy',
        }),
      ]),
      provenance: () => undefined,
      now: NOW,
    });
    expect(rows.map((row) => [row.businessId, row.businessName, row.email])).toEqual([
      [1, 'Live name', 'a@acme.example'],
      [1, 'Live name', 'z@acme.example'],
      [2, 'Second', 'b@acme.example'],
    ]);
  });

  it('is deterministic whatever the input order', () => {
    const emails = ['a@x.example', 'b@x.example', 'c@x.example', 'd@x.example', 'e@x.example'];
    const members = emails.slice(0, 3).map((email) => desired(email, 'employee'));
    const liveMembers = emails.slice(1).map((email) => live(email, 'manager'));
    const expected = pack(members, liveMembers);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(members, { minLength: 3, maxLength: 3 }),
        fc.shuffledSubarray(liveMembers, { minLength: 4, maxLength: 4 }),
        (m, l) => {
          const rows = buildReviewPack({
            desired: desiredState([{ ...policy([]), members: m }]),
            live: liveState([{ ...liveBusiness([]), members: l }]),
            provenance: () => undefined,
            now: NOW,
          });
          expect(rows).toEqual(expected);
        },
      ),
      { numRuns: 50 },
    );
    expect(expected.map((row) => row.email)).toEqual(emails);
  });

  it('summarizes people, policy entries and flags', () => {
    const rows = pack(
      [desired('a@acme.example', 'admin'), desired('b@acme.example', 'employee')],
      [live('a@acme.example', 'admin'), live('c@acme.example', 'employee', 'invited')],
    );
    const summary = summarizeReview(rows);
    expect(summary.people).toBe(3);
    expect(summary.inPolicy).toBe(2);
    expect(summary.flags).toMatchObject({
      privileged: 1,
      missing: 1,
      unmanaged: 1,
      'never-accepted': 1,
      expired: 0,
    });
  });
});
