/**
 * The seat and cost lines of a request (issue 17): from the policy alone (`rolecall request`,
 * which reads no FreshBooks) and from a plan against live members (`--from-issue`), in the
 * pull request body, the status comment and plain text.
 */
import { describe, expect, it } from 'vitest';
import { planRequestEdit, type AccessRequest } from '../../../src/jit/plan-request-edit.js';
import { renderRequestStatus } from '../../../src/jit/render-request-status.js';
import { renderRequest } from '../../../src/jit/render-request.js';
import {
  requestSeats,
  seatsMarkdown,
  seatsText,
  SEATS_BEGIN,
  SEATS_END,
  withoutSeats,
} from '../../../src/jit/request-seats.js';
import { resolveExpiry } from '../../../src/jit/resolve-expiry.js';
import type { RequestStatusRecord } from '../../../src/jit/request-link.js';
import { buildPlan } from '../../../src/plan/index.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';
import type { BusinessPlan, DesiredState, LiveMember } from '../../../src/types.js';
import { liveBusiness, liveMember, liveState } from '../../support/builders.js';
import { JIT_FILE, JIT_POLICY } from './jit-policy.js';

const NOW = new Date('2026-03-02T09:00:00Z');
const UNTIL = '2026-03-02 17:00 UTC';
const TEMP = 'temp@contractors.example';

/** JIT_POLICY with a `seats:` block (YAML flow mapping), before its members. */
function withSeats(block: string, policy = JIT_POLICY): string {
  return policy.replace('\nmembers:\n', `\nseats: ${block}\n\nmembers:\n`);
}
const PRICED = (limit: number) =>
  `{ limit: ${limit}, price: { amount: 11, currency: USD, per: month } }`;

function desiredOf(text: string): DesiredState {
  const result = validateDocuments([{ file: JIT_FILE, text }], { now: NOW });
  expect(result.errors).toEqual([]);
  return result.value as DesiredState;
}

function requestOn(text: string, extra: Partial<AccessRequest> = {}) {
  const sources = [{ file: JIT_FILE, text }];
  const request: AccessRequest = {
    businessId: 240340,
    email: TEMP,
    role: 'contractor',
    expiry: resolveExpiry({ for: '8h' }, NOW),
    reason: 'Quarter close',
    ticket: 'FIN-99',
    ...extra,
  };
  const edit = planRequestEdit(desiredOf(text), sources, request);
  return { request, edit };
}

/** FreshBooks as the policy has it: the owner and four paid seats (alice, ben, dana, bob). */
const LIVE: LiveMember[] = [
  liveMember('olivia@acme.example', 'owner'),
  liveMember('alice@acme.example', 'admin', { identityId: 5001 }),
  liveMember('ben@acme.example', 'admin'),
  liveMember('dana@acme.example', 'accountant'),
  liveMember('bob@contractors.example', 'contractor'),
];

/** The plan of the request's edited policy against `live`, as `--from-issue` makes it. */
function planOf(after: string, live: LiveMember[] = LIVE): BusinessPlan {
  const plan = buildPlan({
    desired: desiredOf(after),
    live: liveState({
      businesses: [liveBusiness({ members: live })],
      identity: { identityId: 5001, email: 'alice@acme.example' },
    }),
    now: NOW,
    toolVersion: '0.1.0',
  });
  return plan.businesses[0] as BusinessPlan;
}

function planned(policy: string, extra: Partial<AccessRequest> = {}, live?: LiveMember[]) {
  const { request, edit } = requestOn(policy, extra);
  const business = planOf(edit.after, live);
  return { request, edit, business, seats: requestSeats(edit, request, business) };
}

describe('requestSeats from the policy alone (rolecall request)', () => {
  it('a new paid grant: a seat unless they hold one, its price while it lasts, and the limit left to the plan', () => {
    const { request, edit } = requestOn(withSeats(PRICED(10)));
    const seats = requestSeats(edit, request, null);
    expect(seats).toMatchObject({ planned: false, business: null, limit: 10, over: null });
    expect(seatsText(seats)).toBe(
      `This grant uses a paid seat (contractor) until ${UNTIL}, unless they hold one in FreshBooks already: +USD 11/month while it lasts. ` +
        'The business has 10 paid seats (seats.limit): the plan comment counts those in use, and its seats guard refuses a plan that needs more.',
    );
    expect(seatsMarkdown(seats)).toBe(
      [
        SEATS_BEGIN,
        `💺 **Seats**: This grant uses a paid seat (\`contractor\`) until ${UNTIL}, unless they hold one in FreshBooks already: +USD 11/month while it lasts. ` +
          'The business has 10 paid seats (`seats.limit`): the plan comment counts those in use, and its `seats` guard refuses a plan that needs more.',
        SEATS_END,
      ].join('\n'),
    );
  });

  it('unassigned: no paid seat, whatever the price', () => {
    const { request, edit } = requestOn(withSeats(PRICED(10)), { role: 'unassigned' });
    const seats = requestSeats(edit, request, null);
    expect(seats.grant).toMatchObject({ paid: false, delta: 0 });
    expect(seatsText(seats)).toMatch(/^No paid seat: unassigned is free\. The business has 10/);
    expect(seatsMarkdown(seats)).toContain('💺 **Seats**: No paid seat: `unassigned` is free.');
    expect(seatsText(seats)).not.toContain('USD');
  });

  it('a role seats.paidRoles leaves out is free too, and said so', () => {
    const policy = withSeats('{ paidRoles: [admin, manager, accountant, employee] }');
    const { request, edit } = requestOn(policy);
    expect(seatsText(requestSeats(edit, request, null))).toBe(
      'No paid seat: contractor is not one of seats.paidRoles.',
    );
  });

  it('an extension keeps the seat the entry already holds: no new seat, the price until the new end', () => {
    const { request, edit } = requestOn(withSeats(PRICED(10)), {
      email: 'bob@contractors.example',
      expiry: resolveExpiry({ until: '2026-06-30' }, NOW),
    });
    expect(seatsText(requestSeats(edit, request, null))).toMatch(
      /^No new seat: the entry it changes holds a paid seat already \(USD 11\/month, now until 2026-07-01 00:00 UTC\)\./,
    );
  });

  it('without a seats: block, the default paid roles: a seat, no price, no limit', () => {
    const { request, edit } = requestOn(JIT_POLICY);
    expect(seatsText(requestSeats(edit, request, null))).toBe(
      `This grant uses a paid seat (contractor) until ${UNTIL}, unless they hold one in FreshBooks already.`,
    );
  });
});

describe('requestSeats from the plan (rolecall request --from-issue)', () => {
  it('the business line the plan comment shows, then this grant’s own seat and cost', () => {
    const { seats, business } = planned(withSeats(PRICED(10)));
    expect(business.seats).toMatchObject({ before: 4, after: 5 });
    expect(seats).toMatchObject({ planned: true, limit: null, over: null });
    expect(seatsText(seats)).toBe(
      '+1 paid seat: 4 → 5 of 10, +USD 11/month (USD 55/month in all). ' +
        `This grant uses a paid seat (contractor) until ${UNTIL}: +USD 11/month while it lasts.`,
    );
    const markdown = seatsMarkdown(seats);
    expect(markdown).toContain(
      '💺 **Seats**: +1 paid seat: 4 → 5 of 10, +USD 11/month (USD 55/month in all). This grant uses a paid seat (`contractor`)',
    );
    expect(markdown).not.toContain('[!WARNING]');
    expect(markdown).not.toContain('over the limit');
  });

  it('exactly at the limit is fine', () => {
    const { seats } = planned(withSeats(PRICED(5)));
    expect(seats.over).toBeNull();
    expect(seatsText(seats)).toContain('4 → 5 of 5');
  });

  it('over the limit: says so plainly, with how many seats to free or buy', () => {
    const { seats, business } = planned(withSeats(PRICED(4)));
    expect(business.applyable).toBe(false);
    expect(seats.over).toEqual({ after: 5, limit: 4, excess: 1, overridden: false });
    const markdown = seatsMarkdown(seats);
    expect(markdown).toContain('+1 paid seat: 4 → 5 of 4, +USD 11/month (USD 55/month in all).');
    expect(markdown).toMatch(/while it lasts\. ⚠️ over the limit\n\n> \[!WARNING\]\n> \*\*Over/);
    expect(markdown).toContain(
      "> **Over the paid-seat limit**: the business would use 5 paid seats and has 4, so the plan's `seats` guard fails and this pull request cannot be applied as it stands. " +
        'Free 1 seat first (revoke someone, or change them to `unassigned`, in a pull request merged before this one), or buy 1 more in FreshBooks and raise `seats.limit` to 5.',
    );
    expect(seatsText(seats)).toMatch(/while it lasts\. Over the limit\.$/);
  });

  it('over the limit by several: plural seats', () => {
    const policy = withSeats(PRICED(2));
    const { seats } = planned(policy);
    expect(seats.over).toMatchObject({ excess: 3 });
    expect(seatsMarkdown(seats)).toContain('Free 3 seats first');
    expect(seatsMarkdown(seats)).toContain('or buy 3 more in FreshBooks and raise');
  });

  it('over the limit with the seats guard overridden: a note, not a warning', () => {
    const policy = withSeats(PRICED(4)).replace(
      '\nmembers:\n',
      '\noverrides:\n  - guard: seats\n    reason: Two seats bought, invoice pending\n    ticket: FIN-7\n\nmembers:\n',
    );
    const { seats, business } = planned(policy);
    expect(business.applyable).toBe(true);
    expect(seats.over).toMatchObject({ overridden: true });
    const markdown = seatsMarkdown(seats);
    expect(markdown).toContain('> [!NOTE]');
    expect(markdown).not.toContain('[!WARNING]');
    expect(markdown).not.toContain('⚠️ over the limit');
    expect(markdown).toContain('The policy overrides the `seats` guard');
  });

  it('someone who is a contractor in FreshBooks already takes no new seat', () => {
    const { seats } = planned(withSeats(PRICED(10)), {}, [...LIVE, liveMember(TEMP, 'contractor')]);
    expect(seatsText(seats)).toBe(
      `5 of 10 paid seats in use, unchanged (USD 55/month). No new seat: they hold a paid seat in FreshBooks already (USD 11/month, now until ${UNTIL}).`,
    );
  });

  it('a paid member asking for unassigned frees their seat while it lasts', () => {
    const live = [...LIVE, liveMember(TEMP, 'employee')];
    const { seats } = planned(withSeats(PRICED(10)), { role: 'unassigned' }, live);
    expect(seatsText(seats)).toBe(
      `−1 paid seat: 5 → 4 of 10, −USD 11/month (USD 44/month in all). This grant frees a paid seat (unassigned is free) until ${UNTIL}: −USD 11/month while it lasts.`,
    );
  });

  it('unassigned for someone new: no paid seat, the business unchanged', () => {
    const { seats } = planned(withSeats(PRICED(10)), { role: 'unassigned' });
    expect(seatsText(seats)).toBe(
      '4 of 10 paid seats in use, unchanged (USD 44/month). No paid seat: unassigned is free.',
    );
  });

  it('no seats: block: the count still moves, without price or limit', () => {
    const { seats } = planned(JIT_POLICY);
    expect(seatsText(seats)).toBe(
      `+1 paid seat: 4 → 5. This grant uses a paid seat (contractor) until ${UNTIL}.`,
    );
  });
});

describe('the seats in the request pull request and the status comment', () => {
  it('the body carries the seat section after the table and before the expiry; without it, the same body as before', () => {
    const { request, edit, seats } = planned(withSeats(PRICED(4)));
    const plain = renderRequest(edit, request, NOW);
    const seated = renderRequest(edit, request, NOW, undefined, seats);
    expect(plain.body).not.toContain('Seats');
    expect(seated.title).toBe(plain.title);
    expect(seated.commitMessage).toBe(plain.commitMessage);
    const table = seated.body.indexOf('| **Change** |');
    const section = seated.body.indexOf(SEATS_BEGIN);
    const expiry = seated.body.indexOf('**At expiry');
    expect(table).toBeGreaterThan(-1);
    expect(section).toBeGreaterThan(table);
    expect(expiry).toBeGreaterThan(section);
    expect(seated.body).toContain(`\n\n${seatsMarkdown(seats)}\n\n**At expiry`);
    expect(withoutSeats(seated.body)).toBe(plain.body);
    expect(withoutSeats(plain.body)).toBe(plain.body);
  });

  it('withoutSeats tells a changed seat line from a changed body', () => {
    const { request, edit } = requestOn(withSeats(PRICED(10)));
    const a = renderRequest(edit, request, NOW, undefined, requestSeats(edit, request, null));
    const b = renderRequest(
      edit,
      request,
      NOW,
      undefined,
      requestSeats(edit, request, planOf(edit.after)),
    );
    expect(a.body).not.toBe(b.body);
    expect(withoutSeats(a.body)).toBe(withoutSeats(b.body));
    const other = renderRequest(edit, { ...request, reason: 'Year end' }, NOW);
    expect(withoutSeats(other.body)).not.toBe(withoutSeats(a.body));
  });

  it('the status comment shows the seat line with the plan, inert', () => {
    const { seats } = planned(withSeats(PRICED(10)));
    const record: RequestStatusRecord = {
      v: 1,
      state: 'open',
      issue: 7,
      requester: 'temp-gh',
      editors: [],
      formDigest: 'sha256:x',
      request: null,
      pullRequest: 8,
      approvers: [],
      at: NOW.toISOString(),
    };
    const text = renderRequestStatus(record, {
      plan: { lines: [`+ ${TEMP}: grant contractor`], note: null, seats: seatsText(seats) },
    });
    expect(text).toContain(
      `💺 **Seats:** +1 paid seat: 4 → 5 of 10, +USD 11/month (USD 55/month in all). This grant uses a paid seat (contractor) until ${UNTIL}: +USD 11/month while it lasts.`,
    );
    expect(text.indexOf('💺')).toBeGreaterThan(text.indexOf('**Plan**'));
    expect(renderRequestStatus(record, { plan: { lines: [], note: null } })).not.toContain('Seats');
  });
});
