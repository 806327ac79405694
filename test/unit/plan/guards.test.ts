import { describe, expect, it } from 'vitest';
import { diffBusiness } from '../../../src/plan/diff-business.js';
import { evaluateGuards } from '../../../src/plan/guards/evaluate-guards.js';
import type { GuardInput } from '../../../src/plan/guards/guard-input.js';
import { maxRevokesGuard } from '../../../src/plan/guards/max-revokes.js';
import { minAdminsGuard } from '../../../src/plan/guards/min-admins.js';
import { protectedGuard } from '../../../src/plan/guards/protected.js';
import { selfGuard } from '../../../src/plan/guards/self.js';
import { seatPolicyOf } from '../../../src/seats.js';
import type { BusinessPolicy, LiveMember } from '../../../src/types.js';
import {
  ACME_IDENTITY,
  TEST_NOW,
  defaultRules,
  desiredBusiness,
  desiredMember,
  liveBusiness,
  liveMember,
} from '../../support/builders.js';

const OWNER = liveMember('olivia@acme.example', 'owner');
const ALICE = liveMember('alice@acme.example', 'admin', { identityId: ACME_IDENTITY.identityId });

/** Guard input for "the policy says `policy`, FreshBooks has `members`": changes from the real diff. */
function inputFor(
  policy: BusinessPolicy,
  members: LiveMember[],
): GuardInput & { overrides: BusinessPolicy['overrides'] } {
  const live = liveBusiness({ members });
  return {
    rules: policy.rules,
    seats: seatPolicyOf(policy),
    overrides: policy.overrides,
    live,
    identity: ACME_IDENTITY,
    changes: diffBusiness(policy, live, TEST_NOW).changes,
  };
}

const admins = (...emails: string[]) => emails.map((email) => desiredMember(email, 'admin'));

describe('guard: protected', () => {
  it('passes when no change touches a protected person, and names them', () => {
    const policy = desiredBusiness({
      rules: { protected: ['ben@acme.example'] },
      members: admins('alice@acme.example', 'ben@acme.example'),
    });
    const result = protectedGuard(
      inputFor(policy, [OWNER, ALICE, liveMember('ben@acme.example', 'admin')]),
    );
    expect(result).toEqual({
      guard: 'protected',
      ok: true,
      message: 'no change touches a protected person (ben@acme.example, olivia@acme.example)',
    });
  });

  it('fails on a revoke or a change of someone in rules.protected', () => {
    const policy = desiredBusiness({
      rules: { protected: ['ben@acme.example', 'carol@acme.example'] },
      members: [...admins('alice@acme.example'), desiredMember('carol@acme.example', 'employee')],
    });
    const result = protectedGuard(
      inputFor(policy, [
        OWNER,
        ALICE,
        liveMember('ben@acme.example', 'admin'),
        liveMember('carol@acme.example', 'manager'),
      ]),
    );
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      '2 changes would touch protected people: carol@acme.example (change manager → employee), ben@acme.example (revoke admin)',
    );
  });

  it('treats the owner as protected even when a change for them comes from elsewhere', () => {
    const input = inputFor(desiredBusiness({ members: admins('alice@acme.example') }), [
      OWNER,
      ALICE,
    ]);
    const forged = {
      ...input,
      changes: [
        {
          businessId: 240340,
          email: OWNER.email,
          action: 'revoke' as const,
          from: { role: 'owner', state: 'active' as const },
          to: null,
          uuid: OWNER.uuid,
          reason: 'x',
          provisioning: 'api' as const,
        },
      ],
    };
    expect(protectedGuard(forged)).toMatchObject({
      ok: false,
      message: '1 change would touch protected people: olivia@acme.example (revoke owner)',
    });
  });
});

describe('guard: minAdmins', () => {
  it('passes when owner + active admins after the plan reach the minimum', () => {
    const policy = desiredBusiness({
      rules: { minAdmins: 2 },
      members: admins('alice@acme.example'),
    });
    const result = minAdminsGuard(inputFor(policy, [OWNER, ALICE]));
    expect(result).toEqual({
      guard: 'minAdmins',
      ok: true,
      message: '2 active admins (owner included) after this plan, minimum 2',
    });
  });

  it('fails when the plan revokes or downgrades admins below the minimum, naming them', () => {
    const policy = desiredBusiness({
      rules: { minAdmins: 3 },
      members: [...admins('alice@acme.example'), desiredMember('ben@acme.example', 'manager')],
    });
    const result = minAdminsGuard(
      inputFor(policy, [
        OWNER,
        ALICE,
        liveMember('ben@acme.example', 'admin'),
        liveMember('cy@acme.example', 'admin'),
      ]),
    );
    expect(result).toEqual({
      guard: 'minAdmins',
      ok: false,
      message:
        '2 active admins (owner included) after this plan, minimum 3; taken away: ben@acme.example (change admin → manager), cy@acme.example (revoke admin)',
    });
  });

  it('does not count pending admin invitations, and says so', () => {
    // Two admins leave, two are invited: the invitations cannot manage anything yet.
    const policy = desiredBusiness({
      rules: { minAdmins: 3 },
      members: admins('alice@acme.example', 'new1@acme.example', 'new2@acme.example'),
    });
    const result = minAdminsGuard(
      inputFor(policy, [
        OWNER,
        ALICE,
        liveMember('ben@acme.example', 'admin'),
        liveMember('cy@acme.example', 'admin'),
      ]),
    );
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /^2 active admins .*minimum 3; taken away: .*; 2 admin invitations not counted until accepted$/,
    );
  });

  it('counts an active member promoted to admin', () => {
    const policy = desiredBusiness({
      rules: { minAdmins: 2 },
      members: admins('alice@acme.example', 'dan@acme.example'),
    });
    const result = minAdminsGuard(
      inputFor(policy, [
        OWNER,
        ALICE,
        liveMember('ben@acme.example', 'admin'),
        liveMember('dan@acme.example', 'manager'),
      ]),
    );
    expect(result).toMatchObject({
      ok: true,
      message: '3 active admins (owner included) after this plan, minimum 2',
    });
  });

  it('does not block a business already below the minimum when the plan takes no admin away', () => {
    const policy = desiredBusiness({
      rules: { minAdmins: 3 },
      members: admins('alice@acme.example', 'new@acme.example'),
    });
    const result = minAdminsGuard(inputFor(policy, [OWNER, ALICE]));
    expect(result).toEqual({
      guard: 'minAdmins',
      ok: true,
      message:
        '2 active admins (owner included) after this plan, below the minimum of 3 already; this plan takes no admin away; 1 admin invitation not counted until accepted',
    });
  });

  it('does not count an invited or deactivated admin as present before the plan', () => {
    const policy = desiredBusiness({ rules: { minAdmins: 1 }, members: [] });
    // The owner is the only active admin; revoking the invited "admin" takes no admin away.
    const result = minAdminsGuard(
      inputFor(policy, [OWNER, liveMember('inv@acme.example', 'admin', { state: 'invited' })]),
    );
    expect(result).toMatchObject({
      ok: true,
      message: '1 active admin (owner included) after this plan, minimum 1',
    });
  });
});

describe('guard: maxRevokes', () => {
  const team = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      liveMember(`m${String(i).padStart(2, '0')}@acme.example`, 'employee'),
    );
  const keep = (members: LiveMember[]) =>
    members.map((member) => desiredMember(member.email, 'employee'));

  it('passes with no revokes, even in an empty business', () => {
    expect(maxRevokesGuard(inputFor(desiredBusiness(), []))).toEqual({
      guard: 'maxRevokes',
      ok: true,
      message: '0 revokes of 0 current members; limit at most 25% (0 of 0)',
    });
  });

  it('passes at exactly the fraction and counts pending invitations, not deactivated members', () => {
    const members = [
      ...team(7),
      liveMember('inv@acme.example', 'employee', { state: 'invited' }),
      liveMember('gone@acme.example', 'employee', { state: 'deactivated' }),
    ];
    // 8 current members (7 active + 1 invited); 2 revokes = 25% exactly.
    const policy = desiredBusiness({
      members: keep(members.slice(0, 5)).concat(desiredMember('inv@acme.example', 'employee')),
    });
    expect(maxRevokesGuard(inputFor(policy, members))).toEqual({
      guard: 'maxRevokes',
      ok: true,
      message: '2 revokes of 8 current members (25%); limit at most 25% (2 of 8)',
    });
  });

  it('fails above the fraction', () => {
    const members = team(8);
    const policy = desiredBusiness({ members: keep(members.slice(0, 5)) });
    expect(maxRevokesGuard(inputFor(policy, members))).toEqual({
      guard: 'maxRevokes',
      ok: false,
      message: '3 revokes of 8 current members (37.5%) exceeds the limit: at most 25% (2 of 8)',
    });
  });

  it('fails above the count even within the fraction', () => {
    const members = team(40);
    const policy = desiredBusiness({
      rules: { maxRevokes: { count: 5, fraction: 0.25 } },
      members: keep(members.slice(0, 34)),
    });
    expect(maxRevokesGuard(inputFor(policy, members))).toEqual({
      guard: 'maxRevokes',
      ok: false,
      message:
        '6 revokes of 40 current members (15%) exceeds the limit: at most 5 and at most 25% (10 of 40)',
    });
  });

  it('counts expired revokes too', () => {
    const members = team(2);
    const policy = desiredBusiness({
      members: [
        desiredMember(members[0]!.email, 'employee', { expires: '2026-01-01' }),
        ...keep(members.slice(1)),
      ],
    });
    expect(maxRevokesGuard(inputFor(policy, members))).toMatchObject({
      ok: false,
      message: '1 revoke of 2 current members (50%) exceeds the limit: at most 25% (0 of 2)',
    });
  });
});

describe('guard: self', () => {
  it('passes when the identity keeps its access', () => {
    const policy = desiredBusiness({ members: admins('alice@acme.example') });
    expect(selfGuard(inputFor(policy, [OWNER, ALICE]))).toEqual({
      guard: 'self',
      ok: true,
      message: "the token's identity alice@acme.example (identity 5001) keeps its access",
    });
  });

  it.each([
    ['revoked', desiredBusiness({ members: [] }), 'revoke admin'],
    [
      'downgraded',
      desiredBusiness({ members: [desiredMember('alice@acme.example', 'manager')] }),
      'change admin → manager',
    ],
    [
      'expired',
      desiredBusiness({
        members: [desiredMember('alice@acme.example', 'admin', { expires: '2026-01-01' })],
      }),
      'revoke admin',
    ],
  ])('fails when the identity would be %s', (_what, policy, phrase) => {
    const result = selfGuard(inputFor(policy, [OWNER, ALICE]));
    expect(result.ok).toBe(false);
    expect(result.message).toBe(
      `this plan would revoke or downgrade the identity rolecall runs as (identity 5001): alice@acme.example (${phrase}); rolecall would lock itself out`,
    );
  });

  it('matches the identity by identity id when the email differs', () => {
    const renamed = liveMember('alice.old@acme.example', 'admin', {
      identityId: ACME_IDENTITY.identityId,
    });
    const result = selfGuard(inputFor(desiredBusiness({ members: [] }), [OWNER, renamed]));
    expect(result).toMatchObject({ ok: false });
    expect(result.message).toContain('alice.old@acme.example (revoke admin)');
  });

  it('matches the identity by email when the identity id differs', () => {
    const other = liveMember('alice@acme.example', 'admin', { identityId: 999 });
    expect(selfGuard(inputFor(desiredBusiness({ members: [] }), [OWNER, other])).ok).toBe(false);
  });

  it('allows an upgrade of the identity', () => {
    const policy = desiredBusiness({ members: admins('alice@acme.example') });
    const manager = liveMember('alice@acme.example', 'manager', {
      identityId: ACME_IDENTITY.identityId,
    });
    expect(selfGuard(inputFor(policy, [OWNER, manager])).ok).toBe(true);
  });
});

describe('evaluateGuards: overrides and applyable', () => {
  // Three revokes out of five members fails maxRevokes and nothing else.
  const members = [
    OWNER,
    ALICE,
    ...['a', 'b', 'c'].map((n) => liveMember(`${n}@acme.example`, 'employee')),
  ];

  it('lists every guard, passed ones too, in a fixed order', () => {
    const policy = desiredBusiness({
      members: admins('alice@acme.example').concat(
        ['a', 'b', 'c'].map((n) => desiredMember(`${n}@acme.example`, 'employee')),
      ),
    });
    const result = evaluateGuards(inputFor(policy, members));
    expect(result.applyable).toBe(true);
    expect(result.guards.map((guard) => [guard.guard, guard.ok])).toEqual([
      ['protected', true],
      ['minAdmins', true],
      ['maxRevokes', true],
      ['self', true],
      ['seats', true],
    ]);
  });

  it('a failed guard without an override makes the plan not applyable', () => {
    const result = evaluateGuards(
      inputFor(desiredBusiness({ members: admins('alice@acme.example') }), members),
    );
    expect(result.applyable).toBe(false);
    expect(result.guards.find((guard) => guard.guard === 'maxRevokes')).toMatchObject({
      ok: false,
    });
    expect(result.guards.find((guard) => guard.guard === 'maxRevokes')).not.toHaveProperty(
      'override',
    );
  });

  it('a failed guard with an override stays failed, carries the override, and is applyable', () => {
    const policy = desiredBusiness({
      members: admins('alice@acme.example'),
      overrides: [{ guard: 'maxRevokes', reason: 'Year-end clean-up', ticket: 'SEC-9', line: 12 }],
    });
    const result = evaluateGuards(inputFor(policy, members));
    expect(result.applyable).toBe(true);
    expect(result.guards.find((guard) => guard.guard === 'maxRevokes')).toEqual({
      guard: 'maxRevokes',
      ok: false,
      message: '3 revokes of 5 current members (60%) exceeds the limit: at most 25% (1 of 5)',
      override: {
        reason: 'Year-end clean-up',
        ticket: 'SEC-9',
        source: { file: 'policies/acme-books.yaml', line: 12, col: 5 },
      },
    });
  });

  it('an override for one guard does not excuse another', () => {
    const policy = desiredBusiness({ members: [], overrides: [{ guard: 'maxRevokes' }] });
    const result = evaluateGuards(inputFor(policy, members));
    expect(result.applyable).toBe(false);
    expect(
      result.guards
        .filter((guard) => !guard.ok && guard.override === undefined)
        .map((guard) => guard.guard),
    ).toEqual(['self']);
  });

  it('an override for a passing guard is not attached', () => {
    const policy = desiredBusiness({
      members: admins('alice@acme.example').concat(
        ['a', 'b', 'c'].map((n) => desiredMember(`${n}@acme.example`, 'employee')),
      ),
      overrides: [{ guard: 'self' }],
    });
    const result = evaluateGuards(inputFor(policy, members));
    expect(result.guards.every((guard) => guard.override === undefined)).toBe(true);
  });

  it('uses the policy rules, not defaults', () => {
    const rules = defaultRules({ maxRevokes: { fraction: 1 } });
    const input = inputFor(desiredBusiness({ members: admins('alice@acme.example') }), members);
    expect(evaluateGuards({ ...input, rules }).applyable).toBe(true);
  });
});
