import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  evaluateApprovals,
  subjectOf,
  type CommitInput,
  type EvaluateApprovalsInput,
  type PushInput,
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
    ['eli', ['Eli+FB@Acme.example.'], {}, 'eli+fb@acme.example.'],
    ['eli-parker', ['eli_parker@acme.example'], {}, 'eli_parker@acme.example'],
    ['ep', ['eli+fb@acme.example'], { ep: ['eli@acme.example'] }, 'eli+fb@acme.example'],
  ] as const)('%s among %j → %s', (login, subjects, emails, expected) => {
    expect(subjectOf(login, [...subjects], emails as Record<string, string[]>)).toBe(expected);
  });
});

/** A pull-request commit as GitHub lists it: `who` is `[login or null, email]`. */
function commit(
  sha: string,
  author: [string | null, string],
  committer: [string | null, string] = author,
): CommitInput {
  return {
    sha,
    author: author[0] === null ? null : { login: author[0] },
    committer: committer[0] === null ? null : { login: committer[0] },
    commit: { author: { email: author[1] }, committer: { email: committer[1] } },
  };
}

function push(after: string, actor: string | null, type = 'push'): PushInput {
  return { after, activity_type: type, actor: actor === null ? null : { login: actor } };
}

const C1 = 'c1'.repeat(20);
const ELSEWHERE = 'e5'.repeat(20);

describe('evaluateApprovals: whoever made the change never counts (issue 13, item 3)', () => {
  const rows: Array<{
    name: string;
    commits?: CommitInput[];
    pushes?: PushInput[];
    reviewerEmails?: Record<string, string[]>;
    /** The reason `maya`'s approval is ignored, or `null` when it counts. */
    reason: string | null;
  }> = [
    {
      name: 'the author of a commit, by login',
      commits: [commit(C1, ['maya', 'maya.p@home.example'])],
      reason: 'authored commit c1c1c1c of this pull request',
    },
    {
      name: 'the committer of a commit, by login',
      commits: [commit(C1, ['dev', 'dev@acme.example'], ['maya', 'm@home.example'])],
      reason: 'committed c1c1c1c of this pull request',
    },
    {
      name: 'an author email GitHub links to no account, matched by the public email',
      commits: [commit(C1, [null, 'M.Private+git@home.example'])],
      reviewerEmails: { maya: ['m.private@home.example'] },
      reason: 'authored commit c1c1c1c of this pull request (as m.private+git@home.example)',
    },
    {
      name: 'an author email GitHub links to no account, matched by its local part',
      commits: [commit(C1, [null, 'maya+laptop@home.example'])],
      reason: 'authored commit c1c1c1c of this pull request (as maya+laptop@home.example)',
    },
    {
      name: 'web-flow as committer excludes nobody, and its email matches no one',
      commits: [commit(C1, ['dev', 'dev@acme.example'], ['web-flow', 'maya@github.com'])],
      reason: null,
    },
    {
      name: 'the pusher of the head commit',
      commits: [commit(HEAD, ['ben', 'ben@acme.example'])],
      pushes: [push(HEAD, 'maya')],
      reason: 'pushed the head commit',
    },
    {
      name: 'the pusher of the head commit, first among her reasons',
      commits: [commit(HEAD, ['maya', 'maya@acme.example'])],
      pushes: [push(HEAD, 'maya', 'force_push')],
      reason: 'pushed the head commit',
    },
    {
      name: 'whoever created the branch with a commit of the pull request',
      commits: [commit(C1, ['dev', 'dev@acme.example']), commit(HEAD, ['dev', 'dev@acme.example'])],
      pushes: [push(C1, 'maya', 'branch_creation'), push(HEAD, 'dev')],
      reason: 'pushed commits to this pull request (c1c1c1c)',
    },
    {
      name: 'a push of a commit not in the pull request excludes nobody',
      commits: [commit(HEAD, ['dev', 'dev@acme.example'])],
      pushes: [push(ELSEWHERE, 'maya')],
      reason: null,
    },
    {
      name: 'a branch deletion is no push',
      commits: [commit(HEAD, ['dev', 'dev@acme.example'])],
      pushes: [push(HEAD, 'maya', 'branch_deletion')],
      reason: null,
    },
    {
      name: 'a push by a deleted account excludes nobody',
      commits: [commit(HEAD, ['dev', 'dev@acme.example'])],
      pushes: [push(HEAD, null)],
      reason: null,
    },
  ];
  it.each(rows)('$name', ({ commits, pushes, reviewerEmails, reason }) => {
    const result = evaluateApprovals(
      input({
        reviews: [review('maya', 'APPROVED')],
        ...(commits ? { commits } : {}),
        ...(pushes ? { pushes } : {}),
        ...(reviewerEmails ? { reviewerEmails } : {}),
      }),
    );
    if (reason === null) {
      expect(result.counted).toEqual(['maya']);
      expect(result.approved).toBe(true);
    } else {
      expect(result.ignored).toEqual([{ login: 'maya', reason }]);
      expect(result.approved).toBe(false);
      expect(result.unmet[0]).toContain(`@maya (${reason})`);
    }
  });

  it('an independent reviewer still counts next to an excluded one', () => {
    const result = evaluateApprovals(
      input({
        rules: { required: 2 },
        reviews: [
          review('maya', 'APPROVED'),
          review('ben', 'APPROVED'),
          review('olivia', 'APPROVED'),
        ],
        commits: [commit(HEAD, ['dev', 'dev@acme.example'])],
        pushes: [push(HEAD, 'maya')],
      }),
    );
    expect(result).toMatchObject({ approved: true, counted: ['ben', 'olivia'] });
  });

  it('someone who made the change cannot block it with changes requested either', () => {
    const result = evaluateApprovals(
      input({
        reviews: [review('ben', 'APPROVED'), review('maya', 'CHANGES_REQUESTED')],
        commits: [commit(HEAD, ['maya', 'maya@acme.example'])],
      }),
    );
    expect(result.approved).toBe(true);
  });
});

describe('evaluateApprovals: grantees by mailbox and identities: (issue 13, item 5)', () => {
  const rows: Array<{
    name: string;
    login: string;
    subject: string;
    identities?: Array<{ login: string; emails: string[] }>;
    reviewerEmails?: Record<string, string[]>;
    excluded: boolean;
  }> = [
    { name: 'a +tag on the login', login: 'maya', subject: 'maya+fb@acme.example', excluded: true },
    { name: 'a trailing dot', login: 'maya', subject: 'Maya@Acme.Example.', excluded: true },
    {
      name: 'dots for dashes',
      login: 'maya-park',
      subject: 'maya.park@acme.example',
      excluded: true,
    },
    {
      name: 'a sub-addressed public email',
      login: 'mp',
      subject: 'maya+fb@acme.example',
      reviewerEmails: { mp: ['maya@acme.example'] },
      excluded: true,
    },
    {
      name: 'identities: names the login',
      login: 'maya-park',
      subject: 'maya@acme.example',
      identities: [{ login: 'Maya-Park', emails: ['maya@acme.example'] }],
      excluded: true,
    },
    {
      name: 'identities: matched by mailbox',
      login: 'maya-park',
      subject: 'maya+fb@acme.example',
      identities: [{ login: 'maya-park', emails: ['maya@acme.example'] }],
      excluded: true,
    },
    {
      name: 'identities: of another login',
      login: 'maya-park',
      subject: 'maya@acme.example',
      identities: [{ login: 'ben', emails: ['maya@acme.example'] }],
      excluded: false,
    },
    { name: 'without any link', login: 'maya-park', subject: 'maya@acme.example', excluded: false },
  ];
  it.each(rows)('$name', ({ login, subject, identities, reviewerEmails, excluded }) => {
    const result = evaluateApprovals(
      input({
        reviews: [review(login, 'APPROVED')],
        subjects: [subject],
        changes: [grant(subject, 'manager')],
        ...(identities ? { identities } : {}),
        ...(reviewerEmails ? { reviewerEmails } : {}),
      }),
    );
    expect(result.approved).toBe(!excluded);
    if (excluded)
      expect(result.ignored).toEqual([
        {
          login,
          reason: `this pull request changes their own access (${subject.trim().toLowerCase()})`,
        },
      ]);
  });

  it('identities: also link a reviewer to a commit author’s email', () => {
    const result = evaluateApprovals(
      input({
        reviews: [review('maya-park', 'APPROVED')],
        commits: [commit(HEAD, [null, 'maya@acme.example'])],
        identities: [{ login: 'maya-park', emails: ['maya@acme.example'] }],
      }),
    );
    expect(result.ignored).toEqual([
      {
        login: 'maya-park',
        reason: 'authored commit hhhhhhh of this pull request (as maya@acme.example)',
      },
    ]);
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

  it('reviews by anyone who wrote, committed or pushed a commit never change the outcome', () => {
    const makers = {
      commits: [commit(HEAD, ['carol', 'carol@acme.example'], ['olivia', 'o@acme.example'])],
      pushes: [push(HEAD, 'ben')],
    };
    fc.assert(
      fc.property(
        reviews,
        fc.array(fc.constantFrom('carol', 'olivia', 'ben'), { maxLength: 4 }),
        states,
        (base, extra, state) => {
          const others = base.filter(
            (r) => !['carol', 'olivia', 'ben'].includes(r.user?.login ?? ''),
          );
          const before = evaluateApprovals(input({ reviews: others, ...makers }));
          const after = evaluateApprovals(
            input({ reviews: [...others, ...extra.map((l) => review(l, state))], ...makers }),
          );
          expect(after.approved).toBe(before.approved);
          expect(after.counted).toEqual(before.counted);
        },
      ),
    );
  });

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
