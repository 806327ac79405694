import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  renderPlanJson,
  renderPlanMarkdown,
  renderPlanMarkdownWithLevel,
  renderPlanText,
} from '../../../src/plan/index.js';
import { DEFAULT_PAID_ROLES } from '../../../src/seats.js';
import type { Plan } from '../../../src/types.js';
import {
  acmeExample,
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

/**
 * A realistic multi-business plan: the example business, an additive business with an
 * overridden guard, manual provisioning, expiries, an unmanaged member and priced seats, a
 * business with nothing to do but a seat limit, and one blocked by a failed guard.
 */
function realisticPlan(): Plan {
  const acme = acmeExample();
  const holdings = desiredBusiness({
    businessId: 240350,
    name: 'Acme Holdings LLC',
    file: 'policies/acme-holdings.yaml',
    mode: 'additive',
    provisioning: { grant: 'manual' },
    overrides: [{ guard: 'maxRevokes', reason: 'Audit season is over', ticket: 'SEC-12', line: 8 }],
    seats: {
      limit: 5,
      price: { amount: 10.5, currency: 'CAD', per: 'month' },
      paidRoles: [...DEFAULT_PAID_ROLES],
    },
    members: [
      desiredMember('alice@acme.example', 'admin', { reason: 'Finance lead' }),
      desiredMember('temp1@contractors.example', 'contractor', {
        expires: '2026-04-30',
        reason: 'Q1 audit',
        ticket: 'FIN-50',
      }),
      desiredMember('temp2@contractors.example', 'contractor', {
        expires: '2026-04-30',
        reason: 'Q1 audit',
        ticket: 'FIN-50',
      }),
      desiredMember('lee@contractors.example', 'contractor', {
        expires: '2026-06-30T17:00:00Z',
        reason: 'Migration',
        ticket: 'FIN-61',
      }),
    ],
  });
  const quiet = desiredBusiness({
    businessId: 240360,
    name: 'Quiet Co',
    file: 'policies/quiet.yaml',
    seats: { limit: 1, paidRoles: [...DEFAULT_PAID_ROLES] },
    members: [desiredMember('alice@acme.example', 'admin')],
  });
  const blocked = desiredBusiness({
    businessId: 240370,
    name: 'Blocked Ltd',
    file: 'policies/blocked.yaml',
    members: [desiredMember('alice@acme.example', 'manager', { reason: 'Stepping down' })],
  });
  const desired = desiredState(acme.desired.businesses[0]!, holdings, quiet, blocked);
  const live = liveState({
    businesses: [
      acme.live.businesses[0]!,
      liveBusiness({
        businessId: 240350,
        name: 'Acme Holdings LLC',
        members: [
          liveMember('olivia@acme.example', 'owner'),
          liveMember('alice@acme.example', 'admin', { identityId: 5001 }),
          liveMember('temp1@contractors.example', 'contractor'),
          liveMember('temp2@contractors.example', 'contractor', { state: 'invited' }),
          liveMember('walt@acme.example', 'employee'),
        ],
      }),
      liveBusiness({
        businessId: 240360,
        name: 'Quiet Co',
        members: [
          liveMember('olivia@acme.example', 'owner'),
          liveMember('alice@acme.example', 'admin', { identityId: 5001 }),
        ],
      }),
      liveBusiness({
        businessId: 240370,
        name: 'Blocked Ltd',
        members: [
          liveMember('olivia@acme.example', 'owner'),
          liveMember('alice@acme.example', 'admin', { identityId: 5001 }),
        ],
      }),
    ],
  });
  return buildPlan({
    desired,
    live,
    now: acme.now,
    toolVersion: '0.1.0',
    policyCommits: {
      'policies/acme-books.yaml': { sha: SHA, dirty: false },
      'policies/acme-holdings.yaml': { sha: SHA, dirty: true },
      'policies/quiet.yaml': { sha: SHA, dirty: false },
    },
  });
}

describe('renderers on a realistic plan', () => {
  const plan = realisticPlan();

  it('the plan exercises what the renderings must show', () => {
    const [, holdings, quiet, blocked] = plan.businesses;
    expect(holdings!.guards.find((guard) => guard.guard === 'maxRevokes')!.override).toBeDefined();
    expect(holdings!.applyable).toBe(true);
    expect(holdings!.unmanaged.map((member) => member.email)).toEqual(['walt@acme.example']);
    expect(quiet!.changes).toEqual([]);
    expect(blocked!.applyable).toBe(false);
  });

  it('text', async () => {
    await expect(renderPlanText(plan)).toMatchFileSnapshot('__snapshots__/realistic-plan.txt');
  });

  it('text in colour', async () => {
    const coloured = renderPlanText(plan, { color: true });
    expect(coloured).toContain('\u001b[32m+ eli@acme.example');
    expect(coloured).toContain('\u001b[33m~ grace@acme.example');
    expect(coloured).toContain('\u001b[31m- sam@oldfirm.example');
    const sgr = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
    expect(coloured.replace(sgr, '')).toBe(renderPlanText(plan));
    expect(renderPlanText(plan)).not.toContain('\u001b');
  });

  it('markdown', async () => {
    const rendering = renderPlanMarkdownWithLevel(plan, {
      header: '<!-- rolecall:plan -->\n',
      footer: '\n_footer_\n',
    });
    expect(rendering.level).toBe('full');
    expect(rendering.markdown.startsWith('<!-- rolecall:plan -->\n## rolecall plan')).toBe(true);
    expect(rendering.markdown.endsWith('\n_footer_\n')).toBe(true);
    await expect(rendering.markdown).toMatchFileSnapshot('__snapshots__/realistic-plan.md');
  });

  it('json', async () => {
    await expect(renderPlanJson(plan)).toMatchFileSnapshot('__snapshots__/realistic-plan.json');
  });
});

describe('renderers: details', () => {
  const { desired, live, now } = acmeExample();

  it('says so nicely when there is nothing to do', () => {
    const quiet = buildPlan({
      desired: desiredState(
        desiredBusiness({ members: [desiredMember('alice@acme.example', 'admin')] }),
      ),
      live: liveState({
        businesses: [
          liveBusiness({
            name: 'FreshBooks',
            members: [liveMember('alice@acme.example', 'admin')],
          }),
        ],
      }),
      now,
      toolVersion: '0.1.0',
    });
    expect(renderPlanText(quiet)).toContain('\n  No changes. FreshBooks matches the policy.\n');
    expect(renderPlanText(quiet)).not.toContain('Plan: 0 to grant');
    expect(renderPlanMarkdown(quiet)).toContain('\nNo changes. FreshBooks matches the policy.\n');
    expect(renderPlanMarkdown(quiet)).not.toContain('<details>');
  });

  it('shows a plan that cannot be applied loudly in every rendering', () => {
    const blocked = buildPlan({
      desired: desiredState(desiredBusiness({ members: [] })),
      live,
      now,
      toolVersion: '0.1.0',
    });
    const text = renderPlanText(blocked);
    expect(text).toContain(
      '  ✗ NOT APPLYABLE: guard maxRevokes, self failed and the policy records no override\n',
    );
    expect(text).toContain(
      'This plan cannot be applied: Acme Books Inc. (240340) has a failed guard without an override.',
    );
    const markdown = renderPlanMarkdown(blocked);
    expect(markdown).toContain('⛔ **not applyable**');
    // The zero-width space after `@` keeps GitHub from making the email a mailto link.
    expect(markdown).toContain(
      '- ❌ `self` — this plan would revoke or downgrade the identity rolecall runs as (identity 5001): alice@\u200bacme.example (revoke admin)',
    );
  });

  it('keeps terminal escapes and markdown/HTML in live data inert', () => {
    const hostile = live.businesses.map((business) => ({
      ...business,
      name: 'Evil\u001b[2J <img src=x onerror=alert(1)> *Co* | x',
    }));
    const plan = buildPlan({
      desired,
      live: { ...live, businesses: hostile },
      now,
      toolVersion: '0.1.0',
    });
    const text = renderPlanText(plan);
    expect(text).not.toContain('\u001b');
    expect(text).toContain('Evil\ufffd[2J');
    const markdown = renderPlanMarkdown(plan);
    expect(markdown).toContain(
      '### Evil\ufffd\\[2J &lt;img src=x onerror=alert(1)&gt; \\*Co\\* \\| x (240340)',
    );
    expect(markdown).not.toContain('<img');
    expect(markdown).not.toContain('\u001b');
  });

  it('picks a code fence longer than any backtick run in a diff block', () => {
    const odd = live.businesses.map((business) => ({
      ...business,
      members: business.members.map((member) =>
        member.email === 'pat@acme.example' ? { ...member, apiRole: 'role```x' } : member,
      ),
    }));
    const policy = desiredBusiness({
      ...desired.businesses[0]!,
      members: [...desired.businesses[0]!.members, desiredMember('pat@acme.example', 'employee')],
    });
    const plan = buildPlan({
      desired: desiredState(policy),
      live: { ...live, businesses: odd },
      now,
      toolVersion: '0.1.0',
    });
    const markdown = renderPlanMarkdown(plan);
    expect(markdown).toContain('````diff\n email: pat@acme.example\n-role: role```x\n');
  });
});
