/**
 * Paid seats in drift (issue 17): the count against the policy's limit, an over-limit item
 * that files the drift issue, and an issue that does not change with every seat more or less.
 */
import { describe, expect, it } from 'vitest';
import {
  classifyDrift,
  renderDriftIssueBody,
  renderDriftJson,
  renderDriftMarkdown,
  renderDriftText,
  reportHasDrift,
  type BusinessDrift,
  type DriftReport,
} from '../../../src/drift/index.js';
import { DEFAULT_PAID_ROLES } from '../../../src/seats.js';
import type { LiveMember, PolicyMode, SeatPolicy } from '../../../src/types.js';
import {
  TEST_NOW,
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const USD = { amount: 11, currency: 'USD', per: 'month' } as const;

/**
 * Policy and FreshBooks agree on alice (admin), ben (employee, invited), uma (unassigned) and
 * `extra` more employees; the owner and a deactivated member hold no seat. Paid seats in use:
 * 2 + extra, plus whoever `byHand` adds.
 */
function report(
  seats: SeatPolicy | undefined,
  options: { extra?: number; byHand?: LiveMember[]; mode?: PolicyMode } = {},
): DriftReport {
  const extras = Array.from({ length: options.extra ?? 0 }, (_, i) => `e${i}@acme.example`);
  const policy = desiredBusiness({
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    members: [
      desiredMember('alice@acme.example', 'admin'),
      desiredMember('ben@acme.example', 'employee'),
      desiredMember('uma@acme.example', 'unassigned'),
      ...extras.map((email) => desiredMember(email, 'employee')),
    ],
    ...(seats === undefined ? {} : { seats }),
  });
  const live = liveState({
    businesses: [
      liveBusiness({
        members: [
          liveMember('olivia@acme.example', 'owner'),
          liveMember('alice@acme.example', 'admin'),
          // Invited yesterday: holds a seat, not yet a stale invitation.
          {
            ...liveMember('ben@acme.example', 'employee', { state: 'invited' }),
            createdAt: new Date(TEST_NOW.getTime() - 86_400_000).toISOString(),
          },
          liveMember('uma@acme.example', 'unassigned'),
          liveMember('gone@acme.example', 'manager', { state: 'deactivated' }),
          ...extras.map((email) => liveMember(email, 'employee')),
          ...(options.byHand ?? []),
        ],
      }),
    ],
  });
  return classifyDrift({ desired: desiredState(policy), live, now: TEST_NOW });
}

function only(r: DriftReport): BusinessDrift {
  const business = r.businesses[0];
  if (business === undefined) throw new Error('no business');
  return business;
}

const limit = (n: number): SeatPolicy => ({
  limit: n,
  price: { ...USD },
  paidRoles: [...DEFAULT_PAID_ROLES],
});

describe('classifyDrift: paid seats', () => {
  it('counts active members and pending invitations with a paid role, not the owner, unassigned or deactivated', () => {
    expect(only(report(limit(5))).seats).toEqual({
      used: 2,
      limit: 5,
      paidRoles: [...DEFAULT_PAID_ROLES],
      price: USD,
      cost: 22,
    });
  });

  it('without a seats: block: the count with the default paid roles, nothing else', () => {
    expect(only(report(undefined, { extra: 1 })).seats).toEqual({
      used: 3,
      paidRoles: [...DEFAULT_PAID_ROLES],
    });
  });

  it('at the limit: no item; one over: a medium drift item of the whole business', () => {
    const at = only(report(limit(2)));
    expect(at.items).toEqual([]);
    expect(at.hasDrift).toBe(false);

    const over = only(report(limit(1)));
    expect(over.items).toEqual([
      {
        key: '240340:seats-over-limit',
        class: 'seats-over-limit',
        drift: true,
        businessId: 240340,
        email: '',
        severity: 'medium',
        live: null,
        desired: null,
        message:
          "more paid seats in use in FreshBooks than the policy's seats.limit of 1: raise seats.limit if the subscription has more seats, or remove the access granted outside rolecall; until then the seats guard refuses every plan that adds a paid seat",
        seats: { used: 2, limit: 1 },
      },
    ]);
    expect(over.counts['seats-over-limit']).toBe(1);
    expect(over.hasDrift).toBe(true);
    expect(reportHasDrift(report(limit(1)))).toBe(true);
  });

  it('a limit without a price, and a price without a limit', () => {
    const noPrice = only(report({ limit: 1, paidRoles: [...DEFAULT_PAID_ROLES] }));
    expect(noPrice.seats).toEqual({ used: 2, limit: 1, paidRoles: [...DEFAULT_PAID_ROLES] });
    expect(noPrice.counts['seats-over-limit']).toBe(1);
    const noLimit = only(
      report({ price: { ...USD }, paidRoles: [...DEFAULT_PAID_ROLES] }, { extra: 40 }),
    );
    expect(noLimit.seats).toMatchObject({ used: 42, cost: 462 });
    expect(noLimit.items).toEqual([]);
  });

  it('follows seats.paidRoles', () => {
    const adminsOnly = only(report({ limit: 1, paidRoles: ['admin'] }, { extra: 3 }));
    expect(adminsOnly.seats.used).toBe(1);
    expect(adminsOnly.items).toEqual([]);
  });

  it('counts people outside an additive policy and unknown roles: FreshBooks bills them too', () => {
    const byHand = [
      liveMember('x@acme.example', 'employee'),
      liveMember('y@acme.example', 'time_tracking_admin'),
    ];
    const business = only(report(limit(3), { mode: 'additive', byHand }));
    expect(business.seats.used).toBe(4);
    expect(business.outsideAdditivePolicy).toBe(1);
    expect(business.items.map((i) => i.key)).toEqual([
      '240340:unmanaged:y@acme.example',
      '240340:seats-over-limit',
    ]);
  });
});

describe('renderers', () => {
  it('text: a seat line when the policy declares a limit or price; the over-limit item', () => {
    const text = renderDriftText(report(limit(1)));
    expect(text).toContain(
      '  Drift: 1 over the seat limit\n  Seats: 2 of 1 paid seats in use, 1 over the limit (USD 22/month)\n',
    );
    expect(text).toMatch(
      /\* medium (\(business\)) +FreshBooks: 2 paid seats in use · policy: seats\.limit 1\n +more paid seats in use in FreshBooks than the policy's seats\.limit of 1: /,
    );
    expect(renderDriftText(report(limit(5)))).toContain(
      '  No drift: FreshBooks matches the policy.\n  Seats: 2 of 5 paid seats in use, 3 free (USD 22/month)\n',
    );
    expect(renderDriftText(report(limit(2)))).toContain(
      'Seats: 2 of 2 paid seats in use, none free',
    );
    expect(
      renderDriftText(
        report({ price: { amount: 120, currency: 'EUR', per: 'year' }, paidRoles: ['admin'] }),
      ),
    ).toContain('  Seats: 1 paid seat in use (EUR 120/year)\n');
    expect(renderDriftText(report(undefined))).not.toContain('Seats:');
    expect(renderDriftText(report({ paidRoles: ['admin'] }))).not.toContain('Seats:');
  });

  it('markdown: the seat line, the over-limit section, the business in place of a member', () => {
    const md = renderDriftMarkdown(report(limit(1)));
    expect(md).toContain(
      '💺 **Seats**: 2 of 1 paid seats in use, 1 over the limit (USD 22/month)\n',
    );
    expect(md).toContain('| Over the seat limit | 1 | medium |');
    expect(md).toContain('### Over the seat limit (1)');
    expect(md).toContain(
      "| medium | — | — | `seats.limit` 1 | more paid seats in use in FreshBooks than the policy's seats.limit of 1: ",
    );
    expect(renderDriftMarkdown(report(limit(5)))).toContain(
      '💺 **Seats**: 2 of 5 paid seats in use, 3 free',
    );
    expect(renderDriftMarkdown(report(undefined))).not.toContain('💺');
  });

  it('json: the seats of each business, and the count on the over-limit item', () => {
    const parsed = JSON.parse(renderDriftJson(report(limit(1)))) as DriftReport;
    expect(parsed.businesses[0]?.seats).toEqual({
      used: 2,
      limit: 1,
      paidRoles: [...DEFAULT_PAID_ROLES],
      price: USD,
      cost: 22,
    });
    expect(parsed.businesses[0]?.items[0]?.seats).toEqual({ used: 2, limit: 1 });
  });
});

describe('the drift issue stays one tidy issue', () => {
  const issue = (r: DriftReport) => {
    const business = only(r);
    return renderDriftIssueBody(business, business.items);
  };

  it('over the limit, a seat more or less changes neither the body nor the key', () => {
    const two = report(limit(1));
    const five = report(limit(1), { extra: 3 });
    expect(only(five).seats.used).toBe(5);
    expect(issue(five)).toBe(issue(two));
    expect(only(five).items.map((i) => i.key)).toEqual(only(two).items.map((i) => i.key));
    expect(issue(two)).not.toMatch(/\b2 of 1\b|2 paid seats/);
  });

  it('under the limit, the seat count never reaches the body', () => {
    expect(issue(report(limit(10), { extra: 3 }))).toBe(issue(report(limit(10))));
    expect(issue(report(limit(10)))).not.toContain('Seats');
  });

  it('crossing the limit changes it: the item comes, and goes', () => {
    expect(issue(report(limit(2)))).not.toBe(issue(report(limit(2), { extra: 1 })));
    expect(issue(report(limit(2), { extra: 1 }))).toContain('### Over the seat limit (1)');
    expect(issue(report(limit(2)))).toContain('No drift');
  });

  it('a policy without a limit renders the issue as before seats existed (no new row)', () => {
    const body = issue(
      report(undefined, {
        byHand: [liveMember('mallory@acme.example', 'admin')],
      }),
    );
    expect(body).toContain('| Unmanaged access | 1 | **high** |');
    expect(body).not.toContain('seat');
    const limited = issue(
      report(limit(10), { byHand: [liveMember('mallory@acme.example', 'admin')] }),
    );
    expect(limited).toContain('| Over the seat limit | 0 | — |');
  });
});
