/**
 * Invitations that cannot go wrong twice. The journals of every plan remember the invitations
 * rolecall sent: one FreshBooks does not list is not sent again within its validity window
 * (unless FreshBooks is known to list pending invitations, so the unlisted one never took
 * effect); `resendInvitations` sends it again on purpose, and says so. The capacity encoding
 * FreshBooks took is remembered, and the next invitation starts with it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import { INVITATION_VALID_DAYS, InvitationLedger } from '../../../src/apply/invitation-ledger.js';
import { readAllJournals } from '../../../src/apply/journal.js';
import type { JournalRecord } from '../../../src/apply/records.js';
import { renderApplyResultText } from '../../../src/apply/render-apply-result.js';
import { FakeFreshBooks, type FakeMember } from './fake-freshbooks.js';
import {
  BUSINESS,
  desiredOf,
  NOW,
  optionsFor,
  planFor,
  policyOf,
  tempStateDir,
  tickingClock,
} from './scenario.js';

let state: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  state = await tempStateDir();
});
afterEach(async () => {
  await state.cleanup();
});

const TEAM: FakeMember[] = [
  { email: 'olivia@acme.example', apiRole: 'owner' },
  { email: 'alice@acme.example', apiRole: 'business_partner', identityId: 5001 },
  { email: 'ben@acme.example', apiRole: 'business_partner' },
];
const POLICY = policyOf([
  { email: 'alice@acme.example', role: 'admin' },
  { email: 'ben@acme.example', role: 'admin' },
  { email: 'eli@acme.example', role: 'accountant' },
  { email: 'kim@acme.example', role: 'employee' },
]);
const DAY = 86_400_000;

/** A FreshBooks that does not list pending invitations (the contract's open question). */
function unlisting(): FakeFreshBooks {
  const fake = new FakeFreshBooks().addBusiness(BUSINESS, 'Acme Books Inc.', TEAM);
  fake.listsPending = false;
  return fake;
}

/** Plan against FreshBooks as it is now, then apply, `days` after NOW. */
async function planAndApply(fake: FakeFreshBooks, days = 0, resend = false) {
  const desired = desiredOf(POLICY);
  const plan = await planFor(fake, desired);
  return applyPlan(
    optionsFor(fake, desired, plan, state.dir, {
      clock: tickingClock(new Date(NOW.getTime() + days * DAY)),
      ...(resend ? { resendInvitations: true } : {}),
    }),
  );
}

const invites = (fake: FakeFreshBooks) =>
  fake.calls.filter((c) => c.kind === 'invite').map((c) => c.email);

describe('pending invitations FreshBooks does not list', () => {
  it('two applies send exactly one invitation per invitee; the second says why not again', async () => {
    const fake = unlisting();
    const first = await planAndApply(fake);
    expect(invites(fake)).toEqual(['eli@acme.example', 'kim@acme.example']);
    // FreshBooks took them (2xx) but does not show them: not confirmed, not applied.
    expect(first.operations.map((o) => o.outcome)).toEqual(['unconfirmed', 'unconfirmed']);
    expect(first.operations[0]?.detail).toBe(
      `FreshBooks accepted the invitation (2xx) but lists no team member eli@acme.example: not confirmed; FreshBooks may not list pending invitations, so it is not sent again for ${INVITATION_VALID_DAYS} days (\`--resend-invitations\` sends it)`,
    );
    expect(first.exitCode).toBe(3);

    // A new plan (FreshBooks still shows neither): the same grants, nothing sent.
    const second = await planAndApply(fake, 1);
    expect(invites(fake)).toHaveLength(2);
    expect(second.exitCode).toBe(3);
    expect(second.operations.map((o) => o.outcome)).toEqual(['unconfirmed', 'unconfirmed']);
    expect(second.operations[0]?.detail).toMatch(
      /^not sent again: FreshBooks lists no team member eli@acme\.example, but the invitation sent 2026-11-29 10:00 UTC, run \S+ may be pending — FreshBooks may not list pending invitations\. It is taken as valid until 2026-12-29 10:00 UTC; `--resend-invitations` sends it now$/,
    );
    expect(renderApplyResultText(second)).toContain('2 unconfirmed');
  });

  it('--resend-invitations sends them again, and says so', async () => {
    const fake = unlisting();
    await planAndApply(fake);
    fake.members(BUSINESS).splice(3); // someone cancelled both in FreshBooks
    const resent = await planAndApply(fake, 2, true);
    expect(invites(fake)).toEqual([
      'eli@acme.example',
      'kim@acme.example',
      'eli@acme.example',
      'kim@acme.example',
    ]);
    expect(resent.operations[0]?.detail).toMatch(
      /^re-sent \(--resend-invitations\); the invitation sent 2026-11-29 10:00 UTC, run \S+; FreshBooks accepted the invitation/,
    );
  });

  it(`sends again by itself once the earlier one is ${INVITATION_VALID_DAYS} days old`, async () => {
    const fake = unlisting();
    await planAndApply(fake);
    fake.members(BUSINESS).splice(3);
    const within = await planAndApply(fake, INVITATION_VALID_DAYS - 1);
    expect(invites(fake)).toHaveLength(2);
    expect(within.operations[0]?.detail).toMatch(/^not sent again/);
    const after = await planAndApply(fake, INVITATION_VALID_DAYS);
    expect(invites(fake)).toHaveLength(4);
    expect(after.operations[0]?.detail).toMatch(
      /^re-sent: the invitation sent .* is older than 30 days and was never accepted/,
    );
  });

  it('an accepted invitation shows up, and is in place: nothing more to send', async () => {
    const fake = unlisting();
    await planAndApply(fake);
    for (const member of fake.members(BUSINESS).slice(3)) {
      Object.assign(member, { active: true, identityId: 777, invitationDateAccepted: 'x' });
    }
    const desired = desiredOf(POLICY);
    expect((await planFor(fake, desired)).businesses[0]?.changes).toEqual([]);
  });

  it('a lost answer: the invitation may have gone out, so it is not sent again in the same run', async () => {
    const fake = unlisting();
    fake.fault = (call) => (call.kind === 'invite' ? 'lost-before-write' : undefined);
    const run = await planAndApply(fake);
    expect(invites(fake)).toEqual(['eli@acme.example', 'kim@acme.example']);
    expect(run.operations[0]).toMatchObject({ outcome: 'unconfirmed' });
    expect(run.operations[0]?.detail).toMatch(
      /^not sent again: .*the invitation that may have been sent 2026-11-29 10:00 UTC, run \S+ \(its answer was lost\) may be pending/,
    );
  });
});

describe('FreshBooks that lists pending invitations', () => {
  it('an invitation acknowledged but never listed did not take effect: the next run sends it again', async () => {
    const fake = new FakeFreshBooks().addBusiness(BUSINESS, 'Acme Books Inc.', [
      ...TEAM,
      // A pending invitation in the listing: FreshBooks lists them.
      { email: 'hana@acme.example', apiRole: 'business_employee', state: 'invited' },
    ]);
    fake.fault = (call, attempt) =>
      call.email === 'eli@acme.example' && attempt === 1 ? 'ack' : undefined;
    const first = await planAndApply(fake);
    const eli = first.operations.find((o) => o.email === 'eli@acme.example');
    expect(eli?.outcome).toBe('unconfirmed');
    expect(eli?.detail).toMatch(
      /lists no team member eli@acme\.example: not confirmed; FreshBooks does list pending invitations, so the next apply sends it again$/,
    );
    const second = await planAndApply(fake, 1);
    expect(second.exitCode).toBe(0);
    expect(second.operations.find((o) => o.email === 'eli@acme.example')?.detail).toMatch(
      /^sent again: FreshBooks lists pending invitations \(kim@acme\.example was read back as pending 2026-11-29 10:00 UTC\) but not the invitation sent .*, so it did not take effect$/,
    );
    expect(fake.effective.filter((c) => c.email === 'eli@acme.example')).toHaveLength(1);
  });

  it('an invitation read back as pending is evidence, for every later run', () => {
    const ledger = InvitationLedger.fromJournals([
      {
        type: 'outcome',
        at: '2026-11-01T00:00:00.000Z',
        runId: 'r1',
        op: `${BUSINESS}/kim@acme.example/grant`,
        businessId: BUSINESS,
        email: 'kim@acme.example',
        action: 'grant',
        from: null,
        to: { role: 'employee' },
        outcome: 'applied',
        shows: { uuid: 'u1', role: 'employee', state: 'invited' },
        auditId: 'a',
      } as JournalRecord,
    ]);
    expect(ledger.listsPendingInvitations()).toBe(
      'kim@acme.example was read back as pending 2026-11-01 00:00 UTC',
    );
  });
});

describe('the capacity encoding that worked', () => {
  it('is journaled with each invitation, and the next run starts with it', async () => {
    const fake = new FakeFreshBooks().addBusiness(BUSINESS, 'Acme Books Inc.', TEAM);
    fake.takesEncoding = 'api';
    const desired = desiredOf(
      policyOf([
        { email: 'alice@acme.example', role: 'admin' },
        { email: 'ben@acme.example', role: 'admin' },
        { email: 'eli@acme.example', role: 'accountant' },
      ]),
    );
    await applyPlan(optionsFor(fake, desired, await planFor(fake, desired), state.dir));
    // The first run asked for the published encoding; FreshBooks took the API name.
    expect(fake.calls.map((c) => c.encoding)).toEqual(['short']);
    const records = await readAllJournals(state.dir);
    expect(records.find((r) => r.type === 'invitation')).toMatchObject({
      email: 'eli@acme.example',
      role: 'accountant',
      capacity: 'business_accountant',
      encoding: 'api',
      answered: true,
    });

    // Another plan, another person: it starts with what worked.
    const later = desiredOf(
      policyOf([
        { email: 'alice@acme.example', role: 'admin' },
        { email: 'ben@acme.example', role: 'admin' },
        { email: 'eli@acme.example', role: 'accountant' },
        { email: 'kim@acme.example', role: 'employee' },
      ]),
    );
    await applyPlan(optionsFor(fake, later, await planFor(fake, later), state.dir));
    expect(fake.calls.map((c) => [c.email, c.encoding])).toEqual([
      ['eli@acme.example', 'short'],
      ['kim@acme.example', 'api'],
    ]);
  });

  it("defaults to the published sample's encoding", () => {
    expect(InvitationLedger.fromJournals([]).preferredEncoding()).toBe('short');
  });
});
