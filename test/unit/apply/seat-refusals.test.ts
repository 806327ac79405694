/**
 * Paid seats at apply time (issue 17): the seats a plan frees are freed before any grant takes
 * one, and a write FreshBooks refuses for lack of a seat is reported as that — `failed`, with
 * where and the fix — never retried, re-sent in the other capacity encoding or made a manual
 * task. The fake enforces a seat limit the way the emulator does (and answers its 422).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import { describeSeatRefusal } from '../../../src/apply/describe-seat-refusal.js';
import {
  renderApplyResultMarkdown,
  renderApplyResultText,
} from '../../../src/apply/render-apply-result.js';
import { FreshBooksApiError } from '../../../src/errors.js';
import { apiErrorFromResponse } from '../../../src/freshbooks/parse-api-error.js';
import { isSeatLimitRefusal } from '../../../src/freshbooks/seat-limit.js';
import type { PolicyRole } from '../../../src/roles.js';
import { DEFAULT_PAID_ROLES } from '../../../src/seats.js';
import type { BusinessPolicy } from '../../../src/types.js';
import { apiError, SEAT_LIMIT_MESSAGE } from './fake-freshbooks.js';
import {
  ACME_DESIRED,
  acmeFake,
  acmeLive,
  desiredOf,
  optionsFor,
  planFor,
  policyOf,
  tempStateDir,
} from './scenario.js';

let state: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  state = await tempStateDir();
});
afterEach(() => state.cleanup());

/**
 * acmeLive() holds 7 paid seats: alice and ben (admins), grace, maya, zoe, and the pending
 * invitations of hana and sam. The demo plan frees two (sam, zoe) and takes one (eli): 6 after.
 */
const IN_USE = 7;
const INVITE_ROUTE = 'POST /auth/api/v1/users/invitation';

function withSeats(policy: BusinessPolicy, limit?: number): BusinessPolicy {
  return {
    ...policy,
    seats: { ...(limit === undefined ? {} : { limit }), paidRoles: [...DEFAULT_PAID_ROLES] },
  };
}

async function setup(policy: BusinessPolicy, seatLimit: number) {
  const fake = acmeFake(acmeLive());
  fake.seatLimit = seatLimit;
  const desired = desiredOf(policy);
  const plan = await planFor(fake, desired);
  expect(plan.businesses[0]?.applyable, JSON.stringify(plan.businesses[0]?.guards)).toBe(true);
  return { fake, desired, plan };
}

/** The demo policy, keeping sam and zoe: nothing frees a seat, and eli takes one. */
const KEEPS_EVERYONE: ReadonlyArray<{ email: string; role: PolicyRole }> = [
  ...ACME_DESIRED,
  { email: 'sam@oldfirm.example', role: 'accountant' },
  { email: 'zoe@acme.example', role: 'employee' },
];

describe('isSeatLimitRefusal', () => {
  const body = (message: string, errno = 1040) =>
    JSON.stringify({ response: { errors: [{ errno, field: 'capacity', message }] } });
  const fromAnswer = (status: number, text: string, route = INVITE_ROUTE) =>
    apiErrorFromResponse({ route, status, body: text, requestId: 'req-1' });

  it.each([
    ['the emulator’s 422', true, fromAnswer(422, body(SEAT_LIMIT_MESSAGE))],
    ['any errno (the real one is unpublished)', true, fromAnswer(422, body(SEAT_LIMIT_MESSAGE, 7))],
    ['a 400 about the seat limit', true, fromAnswer(400, body('Seat limit reached.'))],
    [
      'a 403 about the team member limit',
      true,
      fromAnswer(403, body('Team member limit exceeded for this plan.', 1003)),
    ],
    [
      'the OAuth-style shape',
      true,
      fromAnswer(
        422,
        JSON.stringify({
          error: 'invalid_resource',
          error_description: 'No paid seats available',
        }),
      ),
    ],
    [
      'a role change',
      true,
      fromAnswer(
        422,
        body('You have reached the maximum number of team members.'),
        'PUT /auth/api/v1/businesses/1/team_members/u-1',
      ),
    ],
    [
      'an invalid capacity',
      false,
      fromAnswer(
        422,
        JSON.stringify({
          error: 'invalid_resource',
          error_description: 'Validation failed: Capacity "manager" is not a valid role',
        }),
      ),
    ],
    [
      'an email already invited',
      false,
      fromAnswer(
        422,
        JSON.stringify({
          error: 'invalid_resource',
          error_description: 'Validation failed: To email has already been invited',
        }),
      ),
    ],
    ['Permission Denied', false, fromAnswer(403, body('Permission Denied.', 1003))],
    [
      'a limit that is not about seats (the route alone names team members)',
      false,
      fromAnswer(
        422,
        body('Job title exceeds the maximum length.'),
        'PUT /auth/api/v1/businesses/1/team_members/u-1',
      ),
    ],
    ['a rate limit (429)', false, fromAnswer(429, body('Team member rate limit exceeded'))],
    ['a server error', false, fromAnswer(500, body(SEAT_LIMIT_MESSAGE))],
    ['not a FreshBooks answer', false, new Error(SEAT_LIMIT_MESSAGE)],
  ])('%s → %s', (_name, expected, error) => {
    expect(isSeatLimitRefusal(error)).toBe(expected);
  });
});

describe('apply frees seats before it uses them', () => {
  it('applies the demo plan with every seat taken: the revokes free the seat eli’s invitation needs', async () => {
    const { fake, desired, plan } = await setup(withSeats(policyOf(ACME_DESIRED), IN_USE), IN_USE);
    expect(plan.businesses[0]?.seats).toMatchObject({ before: IN_USE, after: 6, limit: IN_USE });

    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));

    expect(run.operations.filter((o) => o.outcome !== 'applied')).toEqual([]);
    expect(run.exitCode).toBe(0);
    const order = fake.effective.map((c) => `${c.kind} ${c.email}`);
    expect(order.indexOf('invite eli@acme.example')).toBeGreaterThan(
      order.indexOf('remove zoe@acme.example'),
    );
    expect(fake.seatsInUse(240340)).toBe(6);
  });

  it('moves a member to unassigned before the upgrade that needs the seat', async () => {
    // maya employee → unassigned frees the seat ivan needs (unassigned → manager).
    const live = [...acmeLive(), { email: 'ivan@acme.example', apiRole: 'no_seat_employee' }];
    const fake = acmeFake(live);
    fake.seatLimit = IN_USE;
    const desired = desiredOf(
      withSeats(
        policyOf([
          ...KEEPS_EVERYONE.filter(
            (m) => m.email !== 'eli@acme.example' && m.email !== 'maya@acme.example',
          ),
          { email: 'maya@acme.example', role: 'unassigned' },
          { email: 'ivan@acme.example', role: 'manager' },
        ]),
        IN_USE,
      ),
    );
    const plan = await planFor(fake, desired);
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir, { concurrency: 1 }));
    expect(run.operations.map((o) => `${o.outcome} ${o.email}`)).toEqual([
      'applied maya@acme.example',
      'applied jules@acme.example',
      'applied ivan@acme.example',
      'applied grace@acme.example',
    ]);
    expect(run.exitCode).toBe(0);
  });
});

describe('a write FreshBooks refuses for lack of a seat', () => {
  it('is failed with where and the fix (declare the limit), sent once, and the rest applies', async () => {
    const { fake, desired, plan } = await setup(policyOf(KEEPS_EVERYONE), IN_USE);

    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));

    expect(run.exitCode).toBe(3);
    const eli = run.operations.find((o) => o.email === 'eli@acme.example');
    expect(eli).toMatchObject({ outcome: 'failed', action: 'grant' });
    expect(eli?.detail).toBe(
      'FreshBooks refused the invitation (422 errno 1040): no paid seat is free in Acme Books Inc. (240340). Free one (revoke someone or change them to unassigned) or buy more seats in FreshBooks and declare the new count as seats.limit in policies/240340.yaml, then run apply again.',
    );
    expect(eli?.task).toBeUndefined();
    expect(run.manualTasks).toEqual([]);
    // Not retried, not re-sent in the other capacity encoding, not created.
    expect(fake.calls.filter((c) => c.email === 'eli@acme.example')).toHaveLength(1);
    expect(fake.members(240340).some((m) => m.email === 'eli@acme.example')).toBe(false);
    // Everything else went through; nothing is reported applied that was not.
    expect(run.operations.filter((o) => o.outcome === 'applied').map((o) => o.email)).toEqual([
      'jules@acme.example',
      'maya@acme.example',
      'grace@acme.example',
    ]);
    // Both reports carry it, the pull-request comment's table included.
    const text = renderApplyResultText(run);
    expect(text).toContain('Apply partly done: 3 applied, 0 already in place, 0 manual, 1 failed.');
    expect(text).toMatch(
      /failed\s+grant\s+eli@acme\.example\s+— → accountant {2}FreshBooks refused the invitation \(422 errno 1040\): no paid seat is free/,
    );
    expect(renderApplyResultMarkdown(run)).toContain(
      '| ❌ failed | 240340 | eli@acme.example | grant | — | accountant | FreshBooks refused the invitation (422 errno 1040): no paid seat is free in Acme Books Inc. (240340).',
    );
  });

  it('says to raise seats.limit when the policy declares one FreshBooks does not have', async () => {
    const { fake, desired, plan } = await setup(withSeats(policyOf(KEEPS_EVERYONE), 8), IN_USE);
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(run.operations.find((o) => o.email === 'eli@acme.example')?.detail).toContain(
      'or buy more seats in FreshBooks and raise seats.limit (8) in policies/240340.yaml, then run apply again.',
    );
  });

  it('is a failure, not a manual task, even as a 403 errno 1003 (a human would hit the same limit)', async () => {
    const { fake, desired, plan } = await setup(policyOf(KEEPS_EVERYONE), 100);
    const invite = fake.invite.bind(fake);
    fake.invite = async (businessId, email, apiRole, options) => {
      if (email === 'eli@acme.example') {
        throw apiError(403, INVITE_ROUTE, 'Team member limit reached for your plan.', 1003);
      }
      return invite(businessId, email, apiRole, options);
    };
    const run = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    const eli = run.operations.find((o) => o.email === 'eli@acme.example');
    expect(eli?.outcome).toBe('failed');
    expect(eli?.detail).toMatch(
      /^FreshBooks refused the invitation \(403 errno 1003\): no paid seat/,
    );
    expect(run.manualTasks).toEqual([]);
  });

  it('when only an admin removal frees the seat: the grant is refused this run (admins shrink last), and the rerun converges', async () => {
    // ben (admin) is revoked and eli invited: seats 7 → 7, but the revoke runs after the grant.
    const policy = withSeats(
      policyOf(
        KEEPS_EVERYONE.filter((m) => m.email !== 'ben@acme.example'),
        {
          rules: { minAdmins: 1 },
        },
      ),
      IN_USE,
    );
    const { fake, desired, plan } = await setup(policy, IN_USE);
    expect(plan.businesses[0]?.seats).toMatchObject({ before: IN_USE, after: IN_USE });

    const first = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(first.exitCode).toBe(3);
    expect(first.operations.find((o) => o.email === 'eli@acme.example')?.detail).toMatch(
      /no paid seat is free in Acme Books Inc\. \(240340\)\. Free one/,
    );
    expect(first.operations.find((o) => o.email === 'ben@acme.example')?.outcome).toBe('applied');

    const second = await applyPlan(optionsFor(fake, desired, plan, state.dir));
    expect(second.exitCode).toBe(0);
    expect(second.operations.find((o) => o.email === 'eli@acme.example')?.outcome).toBe('applied');
    expect(fake.seatsInUse(240340)).toBe(IN_USE);
  });
});

describe('describeSeatRefusal', () => {
  const business = { businessId: 7, name: '', policyFile: 'policies/x.yaml' };
  it('names the business by id when it has no name, and the write by its kind', () => {
    const error = new FreshBooksApiError('x', { status: 422, route: 'PUT /x' });
    expect(describeSeatRefusal({ action: 'change' }, business, error)).toBe(
      'FreshBooks refused the role change (422): no paid seat is free in business 7. Free one (revoke someone or change them to unassigned) or buy more seats in FreshBooks and declare the new count as seats.limit in policies/x.yaml, then run apply again.',
    );
  });
});
