import { describe, expect, it } from 'vitest';
import type { JournalRecord, OutcomeRecord } from '../../../src/apply/records.js';
import { classifyDrift } from '../../../src/drift/classify-drift.js';
import type { DriftClass, DriftSeverity } from '../../../src/drift/drift-report.js';
import type { PolicyRole } from '../../../src/roles.js';
import type { DesiredMember, LiveMember, PolicyMode, Rules } from '../../../src/types.js';
import {
  ACME_ID,
  TEST_NOW,
  acmeExample,
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const X = 'x@acme.example';
const DAY = 86_400_000;
const at = (days: number) => new Date(TEST_NOW.getTime() + days * DAY).toISOString();

/** Everyone else matches the policy, so only X can produce items. */
const BACKGROUND_LIVE = [
  liveMember('olivia@acme.example', 'owner'),
  liveMember('alice@acme.example', 'admin'),
];
const BACKGROUND_DESIRED = [desiredMember('alice@acme.example', 'admin')];

function invitedOn(email: string, role: string, created: string): LiveMember {
  return { ...liveMember(email, role, { state: 'invited' }), createdAt: created };
}

function outcome(
  fields: Partial<OutcomeRecord> & Pick<OutcomeRecord, 'action' | 'outcome' | 'at'>,
): OutcomeRecord {
  const email = fields.email ?? X;
  return {
    type: 'outcome',
    runId: 'run-1',
    op: `${ACME_ID}/${email}/${fields.action}`,
    businessId: ACME_ID,
    email,
    from: null,
    to: null,
    auditId: 'audit-1',
    ...fields,
  };
}

interface Expected {
  class: DriftClass;
  severity: DriftSeverity;
  message?: RegExp;
}

interface Row {
  name: string;
  policy?: DesiredMember;
  live?: LiveMember[];
  mode?: PolicyMode;
  rules?: Partial<Rules>;
  journal?: JournalRecord[];
  expect: Expected[];
  outsideAdditive?: number;
  obsolete?: number;
}

const employee = (extra: Parameters<typeof desiredMember>[2] = {}) =>
  desiredMember(X, 'employee', extra);
const as = (role: string, state: LiveMember['state'] = 'active') => [
  liveMember(X, role, { state }),
];

const TABLE: Row[] = [
  { name: 'in line with the policy', policy: employee(), live: as('employee'), expect: [] },
  {
    name: 'a pending invitation with the right role, recent',
    policy: employee(),
    live: [invitedOn(X, 'employee', at(-3))],
    expect: [],
  },
  // ── unmanaged ──
  {
    name: 'unlisted employee, authoritative',
    live: as('employee'),
    expect: [
      { class: 'unmanaged', severity: 'medium', message: /not in the policy \(authoritative\)/ },
    ],
  },
  { name: 'unlisted admin', live: as('admin'), expect: [{ class: 'unmanaged', severity: 'high' }] },
  {
    name: 'unlisted accountant, pending invitation',
    live: as('accountant', 'invited'),
    expect: [{ class: 'unmanaged', severity: 'high' }],
  },
  {
    name: 'unlisted contractor, additive: allowed, not drift',
    mode: 'additive',
    live: as('contractor'),
    expect: [],
    outsideAdditive: 1,
  },
  {
    name: 'unlisted unknown role, additive: still drift',
    mode: 'additive',
    live: as('time_tracking_admin'),
    expect: [
      { class: 'unmanaged', severity: 'high', message: /never removes a role it does not know/ },
    ],
  },
  {
    name: 'unlisted unknown role, authoritative',
    live: as('time_tracking_admin'),
    expect: [{ class: 'unmanaged', severity: 'high', message: /role unknown to rolecall/ }],
  },
  { name: 'unlisted and deactivated: no access', live: as('admin', 'deactivated'), expect: [] },
  // ── missing ──
  {
    name: 'listed, absent, no journal',
    policy: employee(),
    expect: [{ class: 'missing', severity: 'low', message: /never applied, or removed by hand/ }],
  },
  {
    name: 'listed, absent, a journal had it in place',
    policy: employee(),
    journal: [
      outcome({ action: 'grant', outcome: 'applied', at: at(-30), to: { role: 'employee' } }),
    ],
    expect: [{ class: 'missing', severity: 'low', message: /apply of 2026-04-01 had it in place/ }],
  },
  {
    name: 'listed via a team, deactivated',
    policy: employee({ team: 'payroll' }),
    live: as('employee', 'deactivated'),
    expect: [
      {
        class: 'missing',
        severity: 'low',
        message: /via team payroll as employee, deactivated in FreshBooks: removed by hand/,
      },
    ],
  },
  // ── role mismatch ──
  {
    name: 'more than the policy',
    policy: employee(),
    live: as('manager'),
    expect: [
      {
        class: 'role-mismatch',
        severity: 'high',
        message: /FreshBooks has manager, the policy says employee/,
      },
    ],
  },
  {
    name: 'less than the policy',
    policy: desiredMember(X, 'manager'),
    live: as('employee'),
    expect: [{ class: 'role-mismatch', severity: 'low' }],
  },
  {
    name: 'an unknown role where the policy names one',
    policy: employee(),
    live: as('time_tracking_admin'),
    expect: [{ class: 'role-mismatch', severity: 'medium', message: /unknown to rolecall/ }],
  },
  // ── expired but still active ──
  {
    name: 'expired, still active',
    policy: employee({ expires: at(-1) }),
    live: as('employee'),
    expect: [{ class: 'expired-active', severity: 'high', message: /still active as employee/ }],
  },
  {
    name: 'expired, still a pending invitation',
    policy: employee({ expires: at(0) }),
    live: [invitedOn(X, 'employee', at(-2))],
    expect: [{ class: 'expired-active', severity: 'high', message: /still a pending invitation/ }],
  },
  { name: 'expired and gone: nothing to say', policy: employee({ expires: at(-1) }), expect: [] },
  // ── pending invitations ──
  {
    name: 'invitation pending 15 days (default 14)',
    policy: employee(),
    live: [invitedOn(X, 'employee', at(-15))],
    expect: [
      {
        class: 'pending-invitation',
        severity: 'low',
        message: /on 2026-04-16, still not accepted more than 14 days later/,
      },
    ],
  },
  {
    name: 'invitation pending exactly 14 days: not yet',
    policy: employee(),
    live: [invitedOn(X, 'employee', at(-14))],
    expect: [],
  },
  {
    name: 'invitation pending 15 days, rules.pendingInvitationDays 30',
    policy: employee(),
    rules: { pendingInvitationDays: 30 },
    live: [invitedOn(X, 'employee', at(-15))],
    expect: [],
  },
  {
    name: 'a re-invitation the journal dates: the old createdAt does not count',
    policy: employee(),
    live: [invitedOn(X, 'employee', at(-300))],
    journal: [
      outcome({ action: 'grant', outcome: 'applied', at: at(-5), to: { role: 'employee' } }),
    ],
    expect: [],
  },
  {
    name: 'a re-invitation pending longer than the window, dated by the journal',
    policy: employee(),
    live: [invitedOn(X, 'employee', at(-300))],
    journal: [
      outcome({ action: 'grant', outcome: 'applied', at: at(-20), to: { role: 'employee' } }),
    ],
    expect: [{ class: 'pending-invitation', severity: 'low', message: /on 2026-04-11,/ }],
  },
  {
    name: 'an old invitation with the wrong role: both',
    policy: employee(),
    live: [invitedOn(X, 'manager', at(-40))],
    expect: [
      { class: 'role-mismatch', severity: 'high', message: /pending invitation as manager/ },
      { class: 'pending-invitation', severity: 'low' },
    ],
  },
  {
    name: 'an old invitation nobody listed is unmanaged only',
    live: [invitedOn(X, 'employee', at(-40))],
    expect: [{ class: 'unmanaged', severity: 'medium' }],
  },
  // ── expiring soon (reminders) ──
  {
    name: 'expires in 3 days',
    policy: employee({ expires: at(3) }),
    live: as('employee'),
    expect: [
      {
        class: 'expiring-soon',
        severity: 'info',
        message: /employee grant expires at 2026-05-04T09:00Z/,
      },
    ],
  },
  {
    name: 'a date expiry reads as the last valid day',
    policy: employee({ expires: '2026-05-05' }),
    live: as('employee'),
    expect: [{ class: 'expiring-soon', severity: 'info', message: /valid through 2026-05-05/ }],
  },
  {
    name: 'expires in exactly 7 days (default window)',
    policy: employee({ expires: at(7) }),
    live: as('employee'),
    expect: [{ class: 'expiring-soon', severity: 'info' }],
  },
  {
    name: 'expires in 8 days',
    policy: employee({ expires: at(8) }),
    live: as('employee'),
    expect: [],
  },
  {
    name: 'expires in 8 days, rules.expiringSoonDays 10',
    policy: employee({ expires: at(8) }),
    rules: { expiringSoonDays: 10 },
    live: as('employee'),
    expect: [{ class: 'expiring-soon', severity: 'info' }],
  },
  {
    name: 'about to end and never granted: drift and a reminder',
    policy: employee({ expires: at(2) }),
    expect: [
      { class: 'missing', severity: 'low' },
      { class: 'expiring-soon', severity: 'info' },
    ],
  },
  // ── manual tasks ──
  {
    name: 'a manual revoke not done yet replaces "unmanaged"',
    live: as('employee'),
    journal: [
      outcome({
        action: 'revoke',
        outcome: 'manual',
        at: at(-2),
        from: { role: 'employee', state: 'active' },
        detail: 'provisioning: manual',
        // As the applier writes it: the task, with the uuid it concerns.
        task: {
          op: `${ACME_ID}/${X}/revoke`,
          businessId: ACME_ID,
          email: X,
          action: 'revoke',
          from: { role: 'employee', state: 'active' },
          to: null,
          uuid: liveMember(X, 'employee').uuid,
          why: 'provisioning: manual',
        },
      }),
    ],
    expect: [
      {
        class: 'manual-task',
        severity: 'high',
        message:
          /^manual task since 2026-04-29: remove from the team \(Employee\) \(provisioning: manual\); in FreshBooks: Settings → Team Members → x@acme.example → Remove$/,
      },
    ],
  },
  {
    name: 'a manual grant not done yet replaces "missing"',
    policy: employee(),
    journal: [
      outcome({ action: 'grant', outcome: 'manual', at: at(-2), to: { role: 'employee' } }),
    ],
    expect: [{ class: 'manual-task', severity: 'low', message: /invite as Employee/ }],
  },
  {
    name: 'a manual revoke that was done: nothing',
    journal: [
      outcome({
        action: 'revoke',
        outcome: 'manual',
        at: at(-2),
        from: { role: 'employee', state: 'active' },
      }),
    ],
    expect: [],
  },
  {
    name: 'a manual grant the policy has moved away from is obsolete',
    policy: employee(),
    journal: [
      outcome({
        action: 'grant',
        outcome: 'manual',
        at: at(-2),
        to: { role: 'manager' as PolicyRole },
      }),
    ],
    expect: [{ class: 'missing', severity: 'low' }],
    obsolete: 1,
  },
  {
    name: 'a manual task settled by a later journal is not pending',
    policy: employee(),
    journal: [
      // Journals arrive in file order, not time order: the later "applied" wins anyway.
      outcome({
        action: 'grant',
        outcome: 'applied',
        at: at(-1),
        to: { role: 'employee' },
        runId: 'b',
      }),
      outcome({
        action: 'grant',
        outcome: 'manual',
        at: at(-5),
        to: { role: 'employee' },
        runId: 'a',
      }),
    ],
    expect: [{ class: 'missing', severity: 'low', message: /apply of 2026-04-30 had it in place/ }],
  },
];

describe('classifyDrift: one row per situation', () => {
  it.each(TABLE)('$name', (row) => {
    const policy = desiredBusiness({
      mode: row.mode ?? 'authoritative',
      rules: row.rules ?? {},
      members: [...BACKGROUND_DESIRED, ...(row.policy ? [row.policy] : [])],
    });
    const live = liveState({
      businesses: [liveBusiness({ members: [...BACKGROUND_LIVE, ...(row.live ?? [])] })],
    });
    const report = classifyDrift({
      desired: desiredState(policy),
      live,
      now: TEST_NOW,
      journal: row.journal ?? [],
    });
    const business = report.businesses[0];
    expect(business).toBeDefined();
    if (!business) return;
    const got = business.items.map((i) => ({ class: i.class, severity: i.severity }));
    expect(got).toEqual(row.expect.map((e) => ({ class: e.class, severity: e.severity })));
    row.expect.forEach((e, index) => {
      const item = business.items[index];
      if (e.message) expect(item?.message).toMatch(e.message);
      expect(item?.email).toBe(X);
      expect(item?.key).toBe(`${ACME_ID}:${e.class}:${X}`);
      expect(item?.drift).toBe(e.class !== 'expiring-soon');
      if (row.policy)
        expect(item?.source).toEqual(policy.members.find((m) => m.email === X)?.source);
    });
    expect(business.hasDrift).toBe(row.expect.some((e) => e.class !== 'expiring-soon'));
    expect(business.outsideAdditivePolicy).toBe(row.outsideAdditive ?? 0);
    expect(business.obsoleteManualTasks).toBe(row.obsolete ?? 0);
    const counted = Object.values(business.counts).reduce((a, b) => a + b, 0);
    expect(counted).toBe(business.items.length);
  });
});

describe('classifyDrift on the example business', () => {
  it('classifies the seed’s deliberate drift, owner untouched, most serious first', () => {
    const { desired, live, now } = acmeExample();
    const report = classifyDrift({ desired, live, now });
    const business = report.businesses[0];
    expect(business?.items.map((i) => `${i.class} ${i.severity} ${i.email}`)).toEqual([
      'unmanaged high pat@acme.example',
      'unmanaged high sam@oldfirm.example',
      'unmanaged medium zoe@acme.example',
      'role-mismatch high grace@acme.example',
      'role-mismatch low maya@acme.example',
      'missing low eli@acme.example',
      'missing low jules@acme.example',
      'pending-invitation low hana@acme.example',
    ]);
    expect(business?.items.some((i) => i.email === 'olivia@acme.example')).toBe(false);
    expect(report).toMatchObject({
      version: 1,
      generatedAt: now.toISOString(),
      syncedAt: live.syncedAt,
    });
    const grace = business?.items.find((i) => i.email === 'grace@acme.example');
    expect(grace).toMatchObject({
      live: { role: 'manager', state: 'active' },
      desired: { role: 'employee', reason: 'Accounts receivable' },
      source: { file: 'policies/acme-books.yaml', line: 37 },
      cause: 'role',
    });
    expect(business?.counts).toEqual({
      unmanaged: 3,
      'expired-active': 0,
      'role-mismatch': 2,
      missing: 2,
      'pending-invitation': 1,
      'manual-task': 0,
      'seats-over-limit': 0,
      'expiring-soon': 0,
    });
  });

  it('bob’s contractor grant: a reminder 3 days before, drift after', () => {
    const { desired, live } = acmeExample();
    const before = classifyDrift({ desired, live, now: new Date('2027-03-29T00:00:00Z') });
    const bob = (r: typeof before) =>
      r.businesses[0]?.items.filter((i) => i.email === 'bob@contractors.example');
    expect(bob(before)).toMatchObject([
      { class: 'expiring-soon', drift: false, since: '2027-04-01T00:00:00.000Z' },
    ]);
    const after = classifyDrift({ desired, live, now: new Date('2027-04-01T00:00:00Z') });
    expect(bob(after)).toMatchObject([
      {
        class: 'expired-active',
        drift: true,
        message: 'grant expired 2027-03-31, still active as contractor in FreshBooks',
      },
    ]);
  });

  it('only the businesses asked for; a business missing from the live state is a bug', () => {
    const { desired, live, now } = acmeExample();
    expect(classifyDrift({ desired, live, now, businessIds: [] }).businesses).toEqual([]);
    expect(() => classifyDrift({ desired, live: liveState({ businesses: [] }), now })).toThrow(
      /missing from the live state/,
    );
  });
});

describe('duplicate FreshBooks records', () => {
  it('two unlisted records of one email get distinct keys, both carrying the uuid', () => {
    const a = liveMember(X, 'employee', { uuid: 'aaaaaaaa-0000-4000-a000-000000000001' });
    const b = liveMember(X, 'employee', { uuid: 'bbbbbbbb-0000-4000-a000-000000000002' });
    const report = classifyDrift({
      desired: desiredState(desiredBusiness({ members: BACKGROUND_DESIRED })),
      live: liveState({ businesses: [liveBusiness({ members: [...BACKGROUND_LIVE, a, b] })] }),
      now: TEST_NOW,
    });
    const keys = report.businesses[0]?.items.map((i) => i.key);
    expect(keys).toEqual([
      `${ACME_ID}:unmanaged:${X}/${a.uuid}`,
      `${ACME_ID}:unmanaged:${X}/${b.uuid}`,
    ]);
  });

  it('a second record of a listed person is reported, with the policy side', () => {
    const active = liveMember(X, 'employee', { uuid: 'aaaaaaaa-0000-4000-a000-000000000001' });
    const invited = liveMember(X, 'employee', {
      uuid: 'bbbbbbbb-0000-4000-a000-000000000002',
      state: 'invited',
    });
    const report = classifyDrift({
      desired: desiredState(desiredBusiness({ members: [...BACKGROUND_DESIRED, employee()] })),
      live: liveState({
        businesses: [liveBusiness({ members: [...BACKGROUND_LIVE, active, invited] })],
      }),
      now: TEST_NOW,
    });
    expect(report.businesses[0]?.items).toMatchObject([
      {
        class: 'unmanaged',
        key: `${ACME_ID}:unmanaged:${X}`,
        live: { uuid: invited.uuid, state: 'invited' },
        desired: { role: 'employee' },
        message: expect.stringMatching(/duplicate FreshBooks record/),
      },
    ]);
  });
});

describe('journals are data from disk', () => {
  it('skips malformed records instead of failing', () => {
    const bad = [
      {
        type: 'outcome',
        at: at(-1),
        op: 'x',
        businessId: ACME_ID,
        email: X,
        action: 'grant',
        outcome: 'manual',
        to: null,
      },
      { type: 'outcome', at: 5, op: 'y' },
      {
        type: 'outcome',
        at: at(-1),
        op: 'z',
        businessId: '240340',
        email: X,
        action: 'revoke',
        outcome: 'manual',
      },
    ] as unknown as JournalRecord[];
    const report = classifyDrift({
      desired: desiredState(desiredBusiness({ members: [...BACKGROUND_DESIRED, employee()] })),
      live: liveState({ businesses: [liveBusiness({ members: BACKGROUND_LIVE })] }),
      now: TEST_NOW,
      journal: bad,
    });
    expect(report.businesses[0]?.items.map((i) => i.class)).toEqual(['missing']);
  });
});
