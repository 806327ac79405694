import { describe, expect, it } from 'vitest';
import { diffBusiness } from '../../../src/plan/diff-business.js';
import type { Change, MemberState, PolicyMode } from '../../../src/types.js';
import {
  TEST_NOW,
  desiredBusiness,
  desiredMember,
  liveBusiness,
  liveMember,
} from '../../support/builders.js';

const X = 'x@acme.example';
const R = 'employee';
const OTHER = 'manager';
const UNKNOWN = 'time_tracking_admin';

/** Everyone else in the business: they match the policy, so only X can produce output. */
const BACKGROUND_LIVE = [
  liveMember('olivia@acme.example', 'owner'),
  liveMember('alice@acme.example', 'admin'),
];
const BACKGROUND_DESIRED = [desiredMember('alice@acme.example', 'admin')];

type LiveSide = null | { role: string; state: MemberState };
type PolicySide = null | 'listed' | 'expired';
type Expected =
  | { none: true }
  | { unmanaged: string }
  | {
      action: Change['action'];
      cause: Change['cause'];
      reason: string | RegExp;
      direction?: 'upgrade' | 'downgrade';
    };

interface Row {
  live: LiveSide;
  policy: PolicySide;
  mode: PolicyMode;
  expect: Expected;
}

const none = { none: true } as const;
const both = (row: Omit<Row, 'mode'>): Row[] => [
  { ...row, mode: 'authoritative' },
  { ...row, mode: 'additive' },
];
const notListed = (live: LiveSide): Row[] => [
  {
    live,
    policy: null,
    mode: 'authoritative',
    expect: { action: 'revoke', cause: 'unlisted', reason: 'not in policy (authoritative)' },
  },
  { live, policy: null, mode: 'additive', expect: { unmanaged: 'not in policy (additive)' } },
];

// One row per cell of the table in issue 5 (README "Diff semantics"), in both modes where the
// mode matters, plus unknown roles and deactivated members with another role.
const TABLE: Row[] = [
  // absent
  ...both({
    live: null,
    policy: 'listed',
    expect: { action: 'grant', cause: 'missing', reason: 'in policy, not in FreshBooks' },
  }),
  ...both({ live: null, policy: 'expired', expect: none }),
  ...both({ live: null, policy: null, expect: none }),
  // active with R
  ...both({ live: { role: R, state: 'active' }, policy: 'listed', expect: none }),
  ...both({
    live: { role: R, state: 'active' },
    policy: 'expired',
    expect: { action: 'revoke', cause: 'expired', reason: 'expired 2026-03-31' },
  }),
  ...notListed({ role: R, state: 'active' }),
  // active with another role
  ...both({
    live: { role: OTHER, state: 'active' },
    policy: 'listed',
    expect: {
      action: 'change',
      cause: 'role',
      reason: 'FreshBooks has manager, policy says employee',
      direction: 'downgrade',
    },
  }),
  ...both({
    live: { role: OTHER, state: 'active' },
    policy: 'expired',
    expect: { action: 'revoke', cause: 'expired', reason: 'expired 2026-03-31' },
  }),
  ...notListed({ role: OTHER, state: 'active' }),
  // pending invitation with R: already granted, never re-invited
  ...both({ live: { role: R, state: 'invited' }, policy: 'listed', expect: none }),
  ...both({
    live: { role: R, state: 'invited' },
    policy: 'expired',
    expect: { action: 'revoke', cause: 'expired', reason: 'expired 2026-03-31' },
  }),
  ...notListed({ role: R, state: 'invited' }),
  // pending invitation with another role
  ...both({
    live: { role: 'unassigned', state: 'invited' },
    policy: 'listed',
    expect: {
      action: 'change',
      cause: 'role',
      reason: 'pending invitation as unassigned, policy says employee',
      direction: 'upgrade',
    },
  }),
  ...both({
    live: { role: OTHER, state: 'invited' },
    policy: 'expired',
    expect: { action: 'revoke', cause: 'expired', reason: 'expired 2026-03-31' },
  }),
  ...notListed({ role: OTHER, state: 'invited' }),
  // deactivated: re-invite when listed, nothing otherwise
  ...both({
    live: { role: R, state: 'deactivated' },
    policy: 'listed',
    expect: {
      action: 'grant',
      cause: 'reinvite',
      reason: 'in policy, deactivated in FreshBooks: re-invite',
    },
  }),
  ...both({
    live: { role: OTHER, state: 'deactivated' },
    policy: 'listed',
    expect: { action: 'grant', cause: 'reinvite', reason: /re-invite/ },
  }),
  ...both({ live: { role: R, state: 'deactivated' }, policy: 'expired', expect: none }),
  ...both({ live: { role: R, state: 'deactivated' }, policy: null, expect: none }),
  // a role rolecall does not know: changed only when the policy names the person
  ...both({
    live: { role: UNKNOWN, state: 'active' },
    policy: 'listed',
    expect: {
      action: 'change',
      cause: 'role',
      reason:
        'FreshBooks has time_tracking_admin (a role unknown to rolecall), policy says employee',
      direction: 'upgrade',
    },
  }),
  ...both({
    live: { role: UNKNOWN, state: 'invited' },
    policy: 'listed',
    expect: {
      action: 'change',
      cause: 'role',
      reason: /pending invitation as time_tracking_admin/,
      direction: 'upgrade',
    },
  }),
  ...both({
    live: { role: UNKNOWN, state: 'active' },
    policy: 'expired',
    expect: { action: 'revoke', cause: 'expired', reason: 'expired 2026-03-31' },
  }),
  ...both({
    live: { role: UNKNOWN, state: 'active' },
    policy: null,
    expect: { unmanaged: 'role unknown to rolecall, not named by the policy' },
  }),
  ...both({
    live: { role: UNKNOWN, state: 'invited' },
    policy: null,
    expect: { unmanaged: 'role unknown to rolecall, not named by the policy' },
  }),
  ...both({ live: { role: UNKNOWN, state: 'deactivated' }, policy: null, expect: none }),
];

function label(row: Row): string {
  const live = row.live === null ? 'absent' : `${row.live.state} ${row.live.role}`;
  return `${live} × ${row.policy ?? 'not listed'} (${row.mode})`;
}

describe('diffBusiness: the diff table', () => {
  it.each(TABLE.map((row) => [label(row), row] as const))('%s', (_label, row) => {
    const members = [...BACKGROUND_DESIRED];
    if (row.policy !== null) {
      members.push(
        desiredMember(X, R, {
          reason: 'Accounts payable',
          ticket: 'FIN-1',
          ...(row.policy === 'expired' ? { expires: '2026-03-31' } : {}),
          line: 40,
        }),
      );
    }
    const live = [...BACKGROUND_LIVE];
    if (row.live !== null) live.push(liveMember(X, row.live.role, { state: row.live.state }));
    const policy = desiredBusiness({ mode: row.mode, members });
    const business = liveBusiness({ members: live });

    const { changes, unmanaged } = diffBusiness(policy, business, TEST_NOW);

    const expected = row.expect;
    if ('none' in expected) {
      expect(changes).toEqual([]);
      expect(unmanaged).toEqual([]);
      return;
    }
    if ('unmanaged' in expected) {
      expect(changes).toEqual([]);
      const member = business.members.find((m) => m.email === X)!;
      expect(unmanaged).toEqual([
        {
          email: X,
          uuid: member.uuid,
          role: row.live!.role,
          state: row.live!.state,
          reason: expected.unmanaged,
        },
      ]);
      return;
    }
    expect(unmanaged).toEqual([]);
    expect(changes).toHaveLength(1);
    const change = changes[0]!;
    expect(change).toMatchObject({
      businessId: 240340,
      email: X,
      action: expected.action,
      cause: expected.cause,
      provisioning: 'api',
    });
    expect(change.reason).toMatch(expected.reason);
    expect(change.direction).toBe(expected.direction);
    // Sides: from is the live record (verbatim role when unknown), to is the policy role.
    expect(change.from).toEqual(
      row.live === null ? null : { role: row.live.role, state: row.live.state },
    );
    expect(change.to).toEqual(expected.action === 'revoke' ? null : { role: R });
    const member = business.members.find((m) => m.email === X);
    expect(change.uuid).toBe(member?.uuid);
    if (row.policy === null) {
      expect(change.source).toBeUndefined();
      expect(change.ticket).toBeUndefined();
    } else {
      // The policy entry is carried: its line, reason and ticket.
      expect(change.source).toEqual({ file: 'policies/acme-books.yaml', line: 40, col: 5 });
      expect(change.policyReason).toBe('Accounts payable');
      expect(change.ticket).toBe('FIN-1');
    }
  });

  it('covers every cell of the issue table in both modes', () => {
    const cells = new Set(
      TABLE.map(
        (row) => `${row.live === null ? 'absent' : row.live.state}/${row.policy}/${row.mode}`,
      ),
    );
    for (const live of ['absent', 'active', 'invited', 'deactivated']) {
      for (const policy of ['listed', 'expired', 'null']) {
        for (const mode of ['authoritative', 'additive']) {
          expect(cells.has(`${live}/${policy}/${mode}`), `${live}/${policy}/${mode}`).toBe(true);
        }
      }
    }
  });
});

describe('diffBusiness: the owner', () => {
  const owner = liveMember('olivia@acme.example', 'owner');

  it.each<PolicyMode>(['authoritative', 'additive'])(
    'never touches the owner when not listed (%s)',
    (mode) => {
      const diff = diffBusiness(
        desiredBusiness({ mode }),
        liveBusiness({ members: [owner] }),
        TEST_NOW,
      );
      expect(diff).toEqual({ changes: [], unmanaged: [] });
    },
  );

  it('never touches the owner even when the policy lists them with another role or expired', () => {
    for (const entry of [
      desiredMember('olivia@acme.example', 'employee'),
      desiredMember('olivia@acme.example', 'admin', { expires: '2026-01-01' }),
    ]) {
      const diff = diffBusiness(
        desiredBusiness({ members: [entry] }),
        liveBusiness({ members: [owner] }),
        TEST_NOW,
      );
      expect(diff).toEqual({ changes: [], unmanaged: [] });
    }
  });
});

describe('diffBusiness: expiry at the boundary', () => {
  const live = liveBusiness({ members: [liveMember(X, R)] });
  const at = (ms: number) => new Date(TEST_NOW.getTime() + ms).toISOString();
  it.each([
    ['expires 1 ms after now: still valid', at(1), []],
    ['expires exactly now: expired', at(0), ['revoke']],
    ['expires 1 ms before now: expired', at(-1), ['revoke']],
  ])('%s', (_name, expires, actions) => {
    const policy = desiredBusiness({ members: [desiredMember(X, R, { expires })] });
    const { changes } = diffBusiness(policy, live, TEST_NOW);
    expect(changes.map((change) => change.action)).toEqual(actions);
    if (changes.length > 0) {
      expect(changes[0]!.reason).toBe(
        `expired ${expires === at(0) ? '2026-05-01T09:00Z' : '2026-05-01T08:59:59.999Z'}`,
      );
      expect(changes[0]!.expires).toBe(expires);
    }
  });

  it('shows a policy date as the last day it was allowed', () => {
    const policy = desiredBusiness({ members: [desiredMember(X, R, { expires: '2026-01-31' })] });
    const { changes } = diffBusiness(policy, live, TEST_NOW);
    expect(changes[0]).toMatchObject({
      reason: 'expired 2026-01-31',
      expires: '2026-02-01T00:00:00.000Z',
    });
  });

  it('grants a time-bound entry that has not expired and carries its expiry', () => {
    const policy = desiredBusiness({
      members: [
        desiredMember('bob@contractors.example', 'contractor', {
          expires: '2027-03-31',
          reason: 'Year-end audit',
          ticket: 'FIN-42',
        }),
      ],
    });
    const { changes } = diffBusiness(policy, liveBusiness(), TEST_NOW);
    expect(changes[0]).toMatchObject({
      action: 'grant',
      to: { role: 'contractor' },
      expires: '2027-04-01T00:00:00.000Z',
      policyReason: 'Year-end audit',
      ticket: 'FIN-42',
    });
  });
});

describe('diffBusiness: details', () => {
  it('orders grant, change, revoke, then by email, whatever the input order', () => {
    const policy = desiredBusiness({
      members: [
        desiredMember('b-grant@acme.example', 'employee'),
        desiredMember('a-grant@acme.example', 'employee'),
        desiredMember('b-change@acme.example', 'admin'),
        desiredMember('a-change@acme.example', 'admin'),
      ],
    });
    const live = liveBusiness({
      members: [
        liveMember('z-revoke@acme.example', 'employee'),
        liveMember('a-revoke@acme.example', 'employee'),
        liveMember('b-change@acme.example', 'employee'),
        liveMember('a-change@acme.example', 'employee'),
      ],
    });
    live.members.reverse();
    const { changes } = diffBusiness(policy, live, TEST_NOW);
    expect(changes.map((change) => `${change.action} ${change.email}`)).toEqual([
      'grant a-grant@acme.example',
      'grant b-grant@acme.example',
      'change a-change@acme.example',
      'change b-change@acme.example',
      'revoke a-revoke@acme.example',
      'revoke z-revoke@acme.example',
    ]);
  });

  it('takes provisioning per action from the policy', () => {
    const policy = desiredBusiness({
      provisioning: { change: 'manual', revoke: 'manual' },
      members: [
        desiredMember('g@acme.example', 'employee'),
        desiredMember('c@acme.example', 'admin'),
      ],
    });
    const live = liveBusiness({
      members: [liveMember('c@acme.example', 'employee'), liveMember('r@acme.example', 'employee')],
    });
    const { changes } = diffBusiness(policy, live, TEST_NOW);
    expect(changes.map((change) => `${change.action}:${change.provisioning}`)).toEqual([
      'grant:api',
      'change:manual',
      'revoke:manual',
    ]);
  });

  it('names the team a member comes from', () => {
    const policy = desiredBusiness({
      members: [desiredMember('eli@acme.example', 'accountant', { team: 'bookkeeping' })],
    });
    const { changes } = diffBusiness(policy, liveBusiness(), TEST_NOW);
    expect(changes[0]!.reason).toBe('in policy via team bookkeeping, not in FreshBooks');
  });

  it('ranks direction by role: upgrade towards admin, downgrade away from it', () => {
    const policy = desiredBusiness({
      members: [
        desiredMember('up@acme.example', 'admin'),
        desiredMember('down@acme.example', 'contractor'),
      ],
    });
    const live = liveBusiness({
      members: [
        liveMember('up@acme.example', 'accountant'),
        liveMember('down@acme.example', 'employee'),
      ],
    });
    const { changes } = diffBusiness(policy, live, TEST_NOW);
    expect(Object.fromEntries(changes.map((change) => [change.email, change.direction]))).toEqual({
      'down@acme.example': 'downgrade',
      'up@acme.example': 'upgrade',
    });
  });

  it('plans the most alive record of a duplicated email and reports the other', () => {
    const policy = desiredBusiness({ members: [desiredMember(X, 'admin')] });
    const live = liveBusiness({
      members: [
        liveMember(X, 'employee', { uuid: 'uuid-old', state: 'invited' }),
        liveMember(X, 'employee', { uuid: 'uuid-new', state: 'active' }),
        liveMember(X, 'employee', { uuid: 'uuid-gone', state: 'deactivated' }),
      ],
    });
    const { changes, unmanaged } = diffBusiness(policy, live, TEST_NOW);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ action: 'change', uuid: 'uuid-new' });
    expect(unmanaged).toEqual([
      {
        email: X,
        uuid: 'uuid-old',
        role: 'employee',
        state: 'invited',
        reason: 'duplicate FreshBooks record; rolecall manages uuid uuid-new',
      },
    ]);
  });
});
