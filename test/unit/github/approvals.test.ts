import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  evaluateApprovals,
  subjectOf,
  type EvaluateApprovalsInput,
  type ReviewInput,
} from '../../../src/github/approvals.js';
import { change, grant, revoke } from '../../support/fake-github/plans.js';

const HEAD = 'h'.repeat(40);
const OLD = 'o'.repeat(40);

function review(
  login: string,
  state: string,
  commit = HEAD,
  extra: Partial<ReviewInput> = {},
): ReviewInput {
  return {
    user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
    state,
    commit_id: commit,
    ...extra,
  };
}

function input(overrides: Partial<EvaluateApprovalsInput>): EvaluateApprovalsInput {
  return {
    rules: { required: 1 },
    reviews: [],
    headSha: HEAD,
    author: 'dev',
    subjects: ['eli@acme.example'],
    changes: [grant('eli@acme.example', 'accountant')],
    ...overrides,
  };
}

describe('evaluateApprovals: which reviews count', () => {
  const cases: Array<{
    name: string;
    reviews: ReviewInput[];
    approved: boolean;
    counted: string[];
    reason?: RegExp;
  }> = [
    {
      name: 'one approval of the head',
      reviews: [review('ben', 'APPROVED')],
      approved: true,
      counted: ['ben'],
    },
    {
      name: 'stale approval (older commit)',
      reviews: [review('ben', 'APPROVED', OLD)],
      approved: false,
      counted: [],
      reason: /@ben \(approved an older commit ooooooo, not the head hhhhhhh\)/,
    },
    {
      name: 'self-approval by the author',
      reviews: [review('dev', 'APPROVED')],
      approved: false,
      counted: [],
      reason: /@dev \(is the pull request author\)/,
    },
    {
      name: 'author login compared case-insensitively',
      reviews: [review('DEV', 'APPROVED')],
      approved: false,
      counted: [],
      reason: /@DEV \(is the pull request author\)/,
    },
    {
      name: 'grantee approval (login = email local part)',
      reviews: [review('eli', 'APPROVED')],
      approved: false,
      counted: [],
      reason: /@eli \(this pull request changes their own access \(eli@acme\.example\)\)/,
    },
    {
      name: 'bot approval by type',
      reviews: [{ user: { login: 'helper', type: 'Bot' }, state: 'APPROVED', commit_id: HEAD }],
      approved: false,
      counted: [],
      reason: /@helper \(is a bot\)/,
    },
    {
      name: 'bot approval by [bot] login',
      reviews: [
        { user: { login: 'renovate[bot]', type: 'User' }, state: 'APPROVED', commit_id: HEAD },
      ],
      approved: false,
      counted: [],
      reason: /@renovate\[bot\] \(is a bot\)/,
    },
    {
      name: 'changes requested after approval',
      reviews: [review('ben', 'APPROVED'), review('ben', 'CHANGES_REQUESTED')],
      approved: false,
      counted: [],
      reason: /changes requested by @ben/,
    },
    {
      name: 'approval after changes requested',
      reviews: [review('ben', 'CHANGES_REQUESTED'), review('ben', 'APPROVED')],
      approved: true,
      counted: ['ben'],
    },
    {
      name: 'a later COMMENTED review does not cancel an approval (as on GitHub)',
      reviews: [review('ben', 'APPROVED'), review('ben', 'COMMENTED')],
      approved: true,
      counted: ['ben'],
    },
    {
      name: 'dismissed review',
      reviews: [review('ben', 'DISMISSED')],
      approved: false,
      counted: [],
      reason: /@ben \(their review was dismissed\)/,
    },
    {
      name: 'pending (unsubmitted) review ignored',
      reviews: [review('ben', 'PENDING')],
      approved: false,
      counted: [],
    },
    {
      name: 'lower-case state names are tolerated',
      reviews: [review('ben', 'approved')],
      approved: true,
      counted: ['ben'],
    },
    {
      name: 'changes requested by someone else blocks a valid approval',
      reviews: [review('ben', 'APPROVED'), review('carol', 'CHANGES_REQUESTED')],
      approved: false,
      counted: ['ben'],
      reason: /^changes requested by @carol: they must approve, or their review must be dismissed$/,
    },
    {
      name: 'changes requested by the grantee does not block',
      reviews: [review('ben', 'APPROVED'), review('eli', 'CHANGES_REQUESTED')],
      approved: true,
      counted: ['ben'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = evaluateApprovals(input({ reviews: c.reviews }));
      expect(result.approved).toBe(c.approved);
      expect(result.counted).toEqual(c.counted);
      if (c.reason) expect(result.unmet.join('\n')).toMatch(c.reason);
      if (!c.approved) expect(result.unmet.length).toBeGreaterThan(0);
    });
  }

  it('orders by submission time, not by list position', () => {
    const result = evaluateApprovals(
      input({
        reviews: [
          review('ben', 'APPROVED', HEAD, { submitted_at: '2026-05-02T00:00:00Z', id: 2 }),
          review('ben', 'CHANGES_REQUESTED', HEAD, { submitted_at: '2026-05-01T00:00:00Z', id: 1 }),
        ],
      }),
    );
    expect(result.approved).toBe(true);
  });

  it('names the unmet rule exactly, with the count', () => {
    const result = evaluateApprovals(
      input({ rules: { required: 2 }, reviews: [review('ben', 'APPROVED')] }),
    );
    expect(result.unmet).toEqual(['approvals.required: 1 of 2 required approvals (@ben)']);
  });

  it('counts only reviewers with write access when permissions are known', () => {
    const result = evaluateApprovals(
      input({
        reviews: [review('stranger', 'APPROVED'), review('ben', 'APPROVED')],
        permissions: { stranger: 'read', ben: 'write' },
        rules: { required: 2 },
      }),
    );
    expect(result.counted).toEqual(['ben']);
    expect(result.unmet[0]).toContain('@stranger (has no write access to the repository (read))');
  });

  it('a reviewer without write access cannot block with changes requested', () => {
    const result = evaluateApprovals(
      input({
        reviews: [review('ben', 'APPROVED'), review('stranger', 'CHANGES_REQUESTED')],
        permissions: { stranger: 'read', ben: 'admin' },
      }),
    );
    expect(result.approved).toBe(true);
  });
});

describe('evaluateApprovals: per-role and team rules', () => {
  const adminRule = { required: 1, roles: { admin: { required: 2, teams: ['acme/owners'] } } };

  it('a role rule applies to grants and changes to that role only', () => {
    const noAdmin = evaluateApprovals(
      input({
        rules: adminRule,
        reviews: [review('ben', 'APPROVED')],
        changes: [grant('eli@acme.example', 'accountant')],
      }),
    );
    expect(noAdmin.approved).toBe(true);

    const revokingAdmin = evaluateApprovals(
      input({
        rules: adminRule,
        reviews: [review('ben', 'APPROVED')],
        changes: [revoke('zoe@acme.example', 'admin')],
      }),
    );
    expect(revokingAdmin.approved).toBe(true);
  });

  it('team rule unmet: approvals from outside the team do not count', () => {
    const result = evaluateApprovals(
      input({
        rules: adminRule,
        subjects: ['maya@acme.example'],
        changes: [change('maya@acme.example', 'manager', 'admin')],
        reviews: [review('ben', 'APPROVED'), review('carol', 'APPROVED')],
        teamMembers: { 'acme/owners': ['ben'] },
      }),
    );
    expect(result.approved).toBe(false);
    expect(result.unmet).toEqual([
      'approvals.roles.admin: 1 of 2 required approvals from team acme/owners (for change maya@acme.example) (@ben); approved but not from team acme/owners: @carol',
    ]);
  });

  it('team rule met', () => {
    const result = evaluateApprovals(
      input({
        rules: adminRule,
        subjects: ['maya@acme.example'],
        changes: [change('maya@acme.example', 'manager', 'admin')],
        reviews: [review('ben', 'APPROVED'), review('Olivia', 'APPROVED')],
        teamMembers: { 'acme/owners': ['ben', 'olivia'] },
      }),
    );
    expect(result).toMatchObject({ approved: true, unmet: [], counted: ['Olivia', 'ben'] });
  });

  it('named users count in addition to team members', () => {
    const result = evaluateApprovals(
      input({
        rules: { required: 2, teams: ['acme/owners'], users: ['auditor'] },
        reviews: [review('ben', 'APPROVED'), review('auditor', 'APPROVED')],
        teamMembers: { 'acme/owners': ['ben'] },
      }),
    );
    expect(result.approved).toBe(true);
  });

  it('a team whose members are unknown counts nobody (fails closed)', () => {
    const result = evaluateApprovals(
      input({
        rules: { required: 1, teams: ['acme/owners'] },
        reviews: [review('ben', 'APPROVED')],
      }),
    );
    expect(result.approved).toBe(false);
  });
});

describe('subjectOf', () => {
  it.each([
    ['eli', ['eli@acme.example'], {}, 'eli@acme.example'],
    ['ELI', ['Eli@Acme.example'], {}, 'eli@acme.example'],
    ['eparker', ['eli@acme.example'], { eparker: ['eli@acme.example'] }, 'eli@acme.example'],
    ['octo', ['123+octo@users.noreply.github.com'], {}, '123+octo@users.noreply.github.com'],
    ['ben', ['eli@acme.example'], { ben: ['ben@acme.example'] }, null],
  ] as const)('%s among %j → %s', (login, subjects, emails, expected) => {
    expect(subjectOf(login, [...subjects], emails as Record<string, string[]>)).toBe(expected);
  });
});

describe('evaluateApprovals: properties', () => {
  const logins = fc.constantFrom('ben', 'carol', 'dev', 'eli', 'bot[bot]', 'olivia');
  const states = fc.constantFrom(
    'APPROVED',
    'CHANGES_REQUESTED',
    'COMMENTED',
    'DISMISSED',
    'PENDING',
  );
  const reviews = fc.array(
    fc
      .record({ login: logins, state: states, head: fc.boolean() })
      .map((r) => review(r.login, r.state, r.head ? HEAD : OLD)),
    { maxLength: 8 },
  );

  it('reviews by the author, bots and grantees never change the outcome', () => {
    fc.assert(
      fc.property(
        reviews,
        fc.array(fc.constantFrom('dev', 'bot[bot]', 'eli'), { maxLength: 4 }),
        states,
        (base, extra, state) => {
          const before = evaluateApprovals(input({ reviews: base }));
          const after = evaluateApprovals(
            input({ reviews: [...base, ...extra.map((l) => review(l, state))] }),
          );
          expect(after.approved).toBe(before.approved);
          expect(after.counted).toEqual(before.counted);
        },
      ),
    );
  });

  it('never approved with fewer counted approvers than required', () => {
    fc.assert(
      fc.property(reviews, fc.integer({ min: 0, max: 3 }), (rs, required) => {
        const result = evaluateApprovals(input({ reviews: rs, rules: { required } }));
        if (result.approved) expect(result.counted.length).toBeGreaterThanOrEqual(required);
        for (const login of result.counted) expect(['dev', 'eli', 'bot[bot]']).not.toContain(login);
      }),
    );
  });
});
