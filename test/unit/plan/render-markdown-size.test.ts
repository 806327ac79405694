import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPlan, renderPlanMarkdownWithLevel } from '../../../src/plan/index.js';
import type { LiveBusiness, Plan } from '../../../src/types.js';
import {
  TEST_NOW,
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const LIMIT = 60_000;

/**
 * `businesses` businesses of `perBusiness` people each: a third granted, a third changed, a
 * third revoked, so every kind of detail block is in play.
 */
function bigPlan(perBusiness: number, businesses = 1): Plan {
  const policies = [];
  const lives: LiveBusiness[] = [];
  for (let b = 0; b < businesses; b++) {
    const businessId = 500_000 + b;
    const members = [
      liveMember('owner@big.example', 'owner'),
      liveMember('alice@acme.example', 'admin'),
    ];
    const desired = [desiredMember('alice@acme.example', 'admin')];
    for (let i = 0; i < perBusiness; i++) {
      const email = `person${String(i).padStart(6, '0')}@big.example`;
      if (i % 3 === 0)
        desired.push(desiredMember(email, 'employee', { reason: 'Staff', ticket: `T-${i}` }));
      if (i % 3 === 1) {
        desired.push(desiredMember(email, 'manager'));
        members.push(liveMember(email, 'employee'));
      }
      if (i % 3 === 2) members.push(liveMember(email, 'accountant'));
    }
    policies.push(
      desiredBusiness({
        businessId,
        name: `Big ${b}`,
        file: `policies/big-${b}.yaml`,
        members: desired,
      }),
    );
    lives.push(liveBusiness({ businessId, name: `Big ${b}`, members }));
  }
  return buildPlan({
    desired: desiredState(...policies),
    live: liveState({ businesses: lives }),
    now: TEST_NOW,
    toolVersion: '0.1.0',
  });
}

const HEADER = '<!-- rolecall:plan digest=sha256:0123 -->\n';
const FOOTER = '\n---\n_rolecall 0.1.0_\n';

describe('markdown stays under its size limit, degrading and saying so', () => {
  it('full detail when it fits', () => {
    const { markdown, level } = renderPlanMarkdownWithLevel(bigPlan(30), {
      header: HEADER,
      footer: FOOTER,
    });
    expect(level).toBe('full');
    expect(markdown.length).toBeLessThanOrEqual(LIMIT);
    expect(markdown).toContain('```diff\n');
    expect(markdown).not.toContain('[!NOTE]');
  });

  it('summary with one line per change when full detail would not fit', () => {
    const plan = bigPlan(450);
    const { markdown, level } = renderPlanMarkdownWithLevel(plan, {
      header: HEADER,
      footer: FOOTER,
    });
    expect(level).toBe('summary');
    expect(markdown.length).toBeLessThanOrEqual(LIMIT);
    expect(markdown.startsWith(HEADER)).toBe(true);
    expect(markdown.endsWith(FOOTER)).toBe(true);
    expect(markdown).toContain(
      '> This plan is too large for one comment, so it is shown as a **summary** with one line per change. The full plan is in the job summary and in the plan file artifact.',
    );
    expect(markdown).not.toContain('```diff');
    // Every change is still there, one line each.
    expect(markdown.match(/^- (➕|🔄|➖) /gm)).toHaveLength(450);
    expect(markdown).toContain('| ➕ grant |');
  });

  it('counts only for 5,000 changes', () => {
    const plan = bigPlan(5_000);
    const { markdown, level } = renderPlanMarkdownWithLevel(plan, {
      header: HEADER,
      footer: FOOTER,
      fullPlanHint: 'See the artifact.',
    });
    expect(level).toBe('counts');
    expect(markdown.length).toBeLessThanOrEqual(LIMIT);
    expect(markdown).toContain(
      '> This plan is too large for one comment, so it is shown as **counts only**. See the artifact.',
    );
    expect(markdown).toContain('**Plan: 1667 to grant, 1667 to change, 1666 to revoke.**');
    expect(markdown).toContain('❌ `maxRevokes`');
    expect(markdown).toContain('- ✅ 4 other guards passed\n');
    expect(markdown).toContain('| ➖ revoke |  | 1666 |  | 1666 |');
    expect(markdown).not.toContain('person000000');
  });

  it('counts for many businesses, dropping the ones that do not fit and counting them', () => {
    const plan = bigPlan(3, 400);
    const { markdown, level } = renderPlanMarkdownWithLevel(plan, {
      header: HEADER,
      footer: FOOTER,
    });
    expect(level).toBe('counts');
    expect(markdown.length).toBeLessThanOrEqual(LIMIT);
    const shown = (markdown.match(/^### Big /gm) ?? []).length;
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(400);
    expect(markdown).toContain(
      `_…and ${400 - shown} more businesses not shown: ${400 - shown} to grant, ${400 - shown} to change, ${400 - shown} to revoke._`,
    );
    expect(markdown.endsWith(FOOTER)).toBe(true);
  });

  it('never exceeds maxChars, whatever the plan and the limit', () => {
    const plans = [bigPlan(0), bigPlan(10), bigPlan(200), bigPlan(2, 30)];
    fc.assert(
      fc.property(
        fc.constantFrom(...plans),
        fc.integer({ min: 1_500, max: 70_000 }),
        (plan, maxChars) => {
          const { markdown } = renderPlanMarkdownWithLevel(plan, {
            maxChars,
            header: HEADER,
            footer: FOOTER,
          });
          expect(markdown.length).toBeLessThanOrEqual(maxChars);
          expect(markdown.startsWith(HEADER)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('does not render 100k diff blocks to find out they do not fit', () => {
    const plan = bigPlan(100_000);
    const { markdown, level } = renderPlanMarkdownWithLevel(plan);
    // It goes straight to counts by estimate. How fast that is (a few milliseconds, against
    // seconds for full detail) is a benchmark figure, not a test: a wall-clock bound here failed
    // beside a CPU hog.
    expect(level).toBe('counts');
    expect(markdown.length).toBeLessThanOrEqual(LIMIT);
  });
});
