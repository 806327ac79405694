/**
 * Everything in the plan comment that a person typed — a policy's reasons, tickets, team names
 * and override reasons, a FreshBooks business name or role name — is shown, but GitHub must not
 * turn it into a notification (`@acme/owners`) or a link (`https://…`, `www.…`, an email): the
 * comment is posted by rolecall's token, so a mention in a reason pages a whole team "from"
 * rolecall, and a link looks vouched for.
 */
import { describe, expect, it } from 'vitest';
import { buildPlan, renderPlanMarkdownWithLevel } from '../../../src/plan/index.js';
import type { Plan } from '../../../src/types.js';
import {
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';
import { liveMentionsAndLinks, prose, visible } from '../../support/live-mentions.js';

const HOSTILE = '@acme/owners please see https://evil.example/x and www.evil.example';
const NOW = new Date('2026-11-29T10:00:00Z');

/** Every user-supplied slot of the markdown holds a mention and links. */
function hostilePlan(): Plan {
  const policy = desiredBusiness({
    name: 'Acme @acme/finance www.acme-evil.example',
    rules: { maxRevokes: { count: 1, fraction: 1 } },
    overrides: [{ guard: 'maxRevokes', reason: HOSTILE, ticket: 'https://evil.example/SEC-1' }],
    members: [
      desiredMember('alice@acme.example', 'admin', { reason: 'Finance lead' }),
      desiredMember('new@acme.example', 'manager', {
        reason: HOSTILE,
        ticket: 'see www.evil.example/t or http://evil.example',
      }),
      desiredMember('dana@acme.example', 'accountant', {
        team: '@acme/bookkeepers',
        reason: 'cc @mallory, mail boss@evil.example',
      }),
    ],
  });
  const live = liveState({
    businesses: [
      liveBusiness({
        name: 'Acme @acme/finance www.acme-evil.example',
        members: [
          liveMember('olivia@acme.example', 'owner'),
          liveMember('alice@acme.example', 'admin', { identityId: 5001 }),
          liveMember('gone1@acme.example', 'employee'),
          liveMember('gone2@acme.example', 'employee'),
          liveMember('odd@acme.example', '@acme/role_https://evil.example/r'),
        ],
      }),
    ],
  });
  return buildPlan({ desired: desiredState(policy), live, now: NOW, toolVersion: '0.1.0' });
}

describe('the markdown plan cannot mention or link', () => {
  const plan = hostilePlan();

  it('the plan carries the hostile text in every slot the comment shows', () => {
    const [business] = plan.businesses;
    const override = business?.guards.find((g) => g.guard === 'maxRevokes')?.override;
    expect(override?.reason).toBe(HOSTILE);
    const grant = business?.changes.find((c) => c.email === 'new@acme.example');
    expect(grant?.policyReason).toBe(HOSTILE);
    expect(business?.changes.some((c) => c.reason.includes('@acme/bookkeepers'))).toBe(true);
  });

  it.each(['full', 'summary', 'counts'] as const)(
    'at the %s level: no live mention or link, and the text still reads the same',
    (level) => {
      // Squeeze the comment until it renders at `level`.
      const sizes = { full: 60_000, summary: 1_900, counts: 1_400 };
      const rendering = renderPlanMarkdownWithLevel(plan, { maxChars: sizes[level] });
      expect(rendering.level).toBe(level);
      const markdown = rendering.markdown;
      expect(liveMentionsAndLinks(markdown)).toEqual([]);
      expect(prose(markdown)).not.toContain('@acme/');
      expect(prose(markdown)).not.toContain('://');
      expect(prose(markdown)).not.toMatch(/www\./i);
      expect(prose(markdown)).not.toMatch(/\w@\w/);
      // Only invisible characters were added: a reader sees what the policy says.
      const seen = visible(markdown);
      expect(seen).toContain('Acme @acme/finance www.acme-evil.example (240340)');
      if (level === 'counts') return;
      expect(seen).toContain(`**overridden**: ${HOSTILE} (ticket https://evil.example/SEC-1`);
      expect(seen).toContain('via team @acme/bookkeepers');
    },
  );

  it('full level: the reason quote, tickets, team names and FreshBooks role names too', () => {
    const seen = visible(renderPlanMarkdownWithLevel(plan).markdown);
    expect(seen).toContain(`\n> ${HOSTILE}\n`);
    expect(seen).toContain('ticket see www.evil.example/t or http://evil.example');
    expect(seen).toContain('via team @acme/bookkeepers');
    expect(seen).toContain('cc @mallory, mail boss@evil.example');
  });

  it('emails, file paths and FreshBooks role names stay verbatim in code spans (GitHub links nothing there)', () => {
    const markdown = renderPlanMarkdownWithLevel(plan).markdown;
    expect(markdown).toContain('`new@acme.example`');
    expect(markdown).toContain('`@acme/role_https://evil.example/r` (unknown role)');
    expect(markdown).toContain('email: new@acme.example\n');
  });
});
