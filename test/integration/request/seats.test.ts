/**
 * Issue 17: a request shows what it does to the business's paid seats and bill, through
 * request.yml's own command line with real parts (git, the fake GitHub, the emulator).
 *
 * - From the form (`--from-issue`, which plans against FreshBooks): the pull request body and the
 *   issue's status comment carry the plan's seat line — 13 paid seats in the emulator's default
 *   business, 14 with the grant — and this grant's cost while it lasts; over the limit, the body
 *   says so and how many seats to free or buy. A run with nothing new reads no FreshBooks and
 *   writes nothing.
 * - `rolecall request` (no FreshBooks): the body says what the policy alone can tell.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_ANSWERS } from '../../unit/jit/request-form.js';
import { policyWithSeats, RequestWorld, TEMP } from './request-harness.js';

const NOW = '2026-03-02T09:00:00.000Z';
const LATER = '2026-03-02T09:30:00.000Z';
const UNTIL = '2026-03-02 17:00 UTC';

function planComment(world: RequestWorld, pr: number): string {
  const comments = world.repo
    .commentsOn(pr)
    .filter((c) => c.body.includes('<!-- rolecall:plan:pr '));
  expect(comments).toHaveLength(1);
  return comments[0]?.body ?? '';
}

describe('a request from the form, within the seat limit', () => {
  let world: RequestWorld;
  beforeAll(async () => {
    world = await RequestWorld.create(policyWithSeats(20));
  });
  afterAll(() => world.close());

  it('the pull request body, the plan comment and the status comment show the seats and the cost', async () => {
    const issue = world.openIssue(GOOD_ANSWERS);
    const run = await world.request(issue, { now: NOW });
    expect(run.code, run.err).toBe(0);
    const [number] = world.pulls();
    const pr = number as number;

    const seatLine = '+1 paid seat: 13 → 14 of 20, +USD 11/month (USD 154/month in all)';
    const body = world.repo.issue(pr).body;
    expect(body).toContain(
      `💺 **Seats**: ${seatLine}. This grant uses a paid seat (\`contractor\`) until ${UNTIL}: +USD 11/month while it lasts.\n`,
    );
    expect(body).not.toContain('[!WARNING]');
    // The same count as the plan comment on the pull request…
    expect(planComment(world, pr)).toContain(`💺 **Seats**: ${seatLine}`);
    // …and on the issue, with the plan.
    const status = world.status(issue);
    expect(status).toContain(`- \`+ ${TEMP}: grant contractor\``);
    expect(status).toContain(
      `💺 **Seats:** ${seatLine}. This grant uses a paid seat (contractor) until ${UNTIL}: +USD 11/month while it lasts.`,
    );

    // Nothing new: no FreshBooks read, no write; the body keeps its seat line.
    world.emulator.control.resetRequests();
    world.gh.clearRequests();
    const quiet = await world.request(issue, { action: 'edited', sender: 'maya', now: LATER });
    expect(quiet.code, quiet.err).toBe(0);
    expect(world.gh.writes()).toEqual([]);
    expect(world.emulator.control.requests().log).toEqual([]);
    expect(world.repo.issue(pr).body).toBe(body);

    // A changed request is planned again, and its body follows.
    world.editIssue(issue, { ...GOOD_ANSWERS, role: 'employee' });
    const edited = await world.request(issue, { action: 'edited', now: LATER });
    expect(edited.code, edited.err).toBe(0);
    expect(world.pulls()).toEqual([pr]);
    expect(world.repo.issue(pr).body).toContain(
      `💺 **Seats**: ${seatLine}. This grant uses a paid seat (\`employee\`) until 2026-03-02 17:30 UTC: +USD 11/month while it lasts.`,
    );
  });
});

describe('a request from the form, over the seat limit', () => {
  let world: RequestWorld;
  beforeAll(async () => {
    world = await RequestWorld.create(policyWithSeats(13));
  });
  afterAll(() => world.close());

  it('says so plainly in the body, with how many seats to free or buy; the plan cannot be applied', async () => {
    const issue = world.openIssue(GOOD_ANSWERS);
    const run = await world.request(issue, { now: NOW });
    expect(run.code, run.err).toBe(0);
    const [number] = world.pulls();
    const pr = number as number;

    const body = world.repo.issue(pr).body;
    expect(body).toContain(
      '💺 **Seats**: +1 paid seat: 13 → 14 of 13, +USD 11/month (USD 154/month in all).',
    );
    expect(body).toContain('while it lasts. ⚠️ over the limit\n\n> [!WARNING]\n');
    expect(body).toContain(
      "> **Over the paid-seat limit**: the business would use 14 paid seats and has 13, so the plan's `seats` guard fails and this pull request cannot be applied as it stands. " +
        'Free 1 seat first (revoke someone, or change them to `unassigned`, in a pull request merged before this one), or buy 1 more in FreshBooks and raise `seats.limit` to 14.',
    );
    expect(planComment(world, pr)).toMatch(/❌ `seats` — 14 paid seats after this plan/);
    const status = world.status(issue);
    expect(status).toContain('**Plan:** the plan cannot be applied');
    expect(status).toContain('free 1 seat');
    expect(status).toMatch(/💺 \*\*Seats:\*\* \+1 paid seat: 13 → 14 of 13.* Over the limit\./);
  });
});

describe('rolecall request, which reads no FreshBooks', () => {
  let world: RequestWorld;
  beforeAll(async () => {
    world = await RequestWorld.create(policyWithSeats(20));
  });
  afterAll(() => world.close());

  const request = (email: string, role: string) =>
    world.cli(
      [
        'request',
        '--business',
        '240340',
        '--email',
        email,
        '--role',
        role,
        '--for',
        '8h',
        '--reason',
        'Quarter close',
      ],
      NOW,
    );

  it('a paid role: a seat unless they hold one, its price while it lasts, the limit; the count is the plan comment’s', async () => {
    world.emulator.control.resetRequests();
    const run = await request(TEMP, 'contractor');
    expect(run.code, run.err).toBe(0);
    const body = world.repo.issue(world.pulls().at(-1) as number).body;
    expect(body).toContain(
      `💺 **Seats**: This grant uses a paid seat (\`contractor\`) until ${UNTIL}, unless they hold one in FreshBooks already: +USD 11/month while it lasts. ` +
        'The business has 20 paid seats (`seats.limit`): the plan comment counts those in use, and its `seats` guard refuses a plan that needs more.',
    );
    expect(world.emulator.control.requests().log).toEqual([]);
  });

  it('unassigned: no paid seat', async () => {
    const run = await request('nora@acme.example', 'unassigned');
    expect(run.code, run.err).toBe(0);
    const body = world.repo.issue(world.pulls().at(-1) as number).body;
    expect(body).toContain('💺 **Seats**: No paid seat: `unassigned` is free.');
    expect(body).not.toContain('USD');
  });
});
