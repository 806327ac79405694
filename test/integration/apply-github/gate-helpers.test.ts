/**
 * The pure parts of `apply --github` (no I/O): resuming within an approval, the approved plan
 * rebuilt from its recorded effect, rule comparison, and mentions shown as code.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameRules } from '../../../src/flows/apply-on-merge/rules-before-merge.js';
import { withinApproved } from '../../../src/flows/apply-on-merge/merge-gate.js';
import { planFromEffect } from '../../../src/plan/compare-plans.js';
import { markdownLine } from '../../../src/flows/apply-on-merge/render-comment.js';
import { approvalDigest } from '../../../src/plan/approval-digest.js';
import { planChangesOnly } from '../../../src/plan/index.js';
import {
  businessPlan,
  change,
  demoPlan,
  grant,
  plan,
  revoke,
} from '../../support/fake-github/plans.js';

describe('planFromEffect', () => {
  it('rebuilds a plan whose effect digest is the approved one', () => {
    const approved = demoPlan();
    const effect = JSON.parse(JSON.stringify(planChangesOnly(approved))) as ReturnType<
      typeof planChangesOnly
    >;
    const rebuilt = planFromEffect(effect, plan([businessPlan([])]));
    expect(approvalDigest(rebuilt)).toBe(approvalDigest(approved));
  });

  it('keeps guard overrides, so an overridden guard digests the same', () => {
    const approved = plan([
      businessPlan([revoke('zoe@acme.example', 'employee')], {
        guards: [
          {
            guard: 'maxRevokes',
            ok: false,
            message: 'too many',
            override: {
              reason: 'Office closed',
              ticket: 'FIN-9',
              source: { file: 'p.yaml', line: 3, col: 5 },
            },
          },
        ],
      }),
    ]);
    expect(approvalDigest(planFromEffect(planChangesOnly(approved), approved))).toBe(
      approvalDigest(approved),
    );
  });
});

describe('withinApproved', () => {
  const approved = planChangesOnly(demoPlan());

  it('accepts what is left of the approved plan after part of it was applied', () => {
    fc.assert(
      fc.property(fc.subarray(demoPlan().businesses[0]?.changes ?? []), (left) => {
        expect(withinApproved(plan([businessPlan(left)]), approved)).toBe(true);
      }),
    );
  });

  it.each([
    ['a change nobody approved', [grant('mallory@acme.example', 'admin')]],
    [
      'an approved member with another target role',
      [change('maya@acme.example', 'employee', 'admin', { direction: 'upgrade' })],
    ],
    ['an approved revoke of someone else', [revoke('ben@acme.example', 'admin')]],
  ])('refuses %s', (_name, changes) => {
    expect(withinApproved(plan([businessPlan(changes)]), approved)).toBe(false);
  });

  it('refuses a business the approval did not cover, or a changed mode', () => {
    const other = businessPlan([grant('eli@acme.example', 'accountant')], { businessId: 240341 });
    expect(withinApproved(plan([other]), approved)).toBe(false);
    const additive = businessPlan([grant('eli@acme.example', 'accountant')], { mode: 'additive' });
    expect(withinApproved(plan([additive]), approved)).toBe(false);
  });
});

describe('sameRules', () => {
  it.each([
    [undefined, { required: 1 }, true],
    [{ required: 1 }, { required: 1 }, true],
    [{ required: 0 }, { required: 1 }, false],
    [
      { required: 1, roles: { admin: { required: 2, teams: ['acme/owners'] } } },
      { required: 1, roles: { admin: { required: 2 } } },
      false,
    ],
  ])('%j vs %j → %s', (a, b, same) => {
    expect(sameRules(a, b)).toBe(same);
  });
});

describe('markdownLine', () => {
  it.each([
    ['approved by @ben-gh', 'approved by `@ben-gh`'],
    ['not counted: @renovate[bot] (is a bot)', 'not counted: `@renovate[bot]` (is a bot)'],
    ['grant maya@acme.example', 'grant maya@acme.example'],
    ['<img src=x> **bold**', '&lt;img src=x&gt; \\*\\*bold\\*\\*'],
    ['two\nlines', 'two lines'],
  ])('%j → %j', (text, markdown) => {
    expect(markdownLine(text)).toBe(markdown);
  });
});
