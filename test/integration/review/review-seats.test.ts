/**
 * Issue 17's "done when" for reviews: the review pack's CSV and JSON carry the seat columns,
 * the markdown and the review issue show paid seats and their cost per business, and the paid
 * seats held without use are flagged with the cost they waste. The example policy (with a
 * `seats:` block, and bob's contract ended two weeks ago) in a temporary git repository, the
 * emulator's default seed, the fake GitHub, the CLI in-process.
 *
 * Paid seats in the default seed (Acme, at NOW 2026-11-29): alice, ben (admin), carol, grace
 * (manager), dana, kim, sam (accountant; sam invited 2024-09-30), frank, maya, zoe, hana
 * (employee; hana invited 2025-06-02), bob (contractor) and pat (a role rolecall does not know,
 * counted as paid): 13. Not paid: olivia (owner), ivan (unassigned), jules (deactivated), eli
 * (not in FreshBooks).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import type { ReviewRow } from '../../../src/review/index.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js';
import { createTempRepo, type TempRepo } from '../../support/temp-repo.js';
import { emulatorEnv, flagsOf, parseCsv, rolecall, rowOf } from './review-harness.js';
import { withoutSeats } from '../../support/example-policy.js';

let emulator: RunningEmulator;
let gh: FakeGitHub;
let repo: TempRepo;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  gh.world.repo('acme', 'access');
  repo = await createTempRepo();
  const example = await readFile(packagePath('policies', 'acme-books.yaml'), 'utf8');
  const policy = withoutSeats(example)
    .replace(
      '\nmembers:\n',
      '\nseats:\n  limit: 15\n  price: { amount: 11, currency: USD, per: month }\n\nmembers:\n',
    )
    .replace('expires: 2027-03-31', 'expires: 2026-11-15');
  expect(policy).toContain('seats:');
  expect(policy).toContain('expires: 2026-11-15');
  await repo.commit({
    files: { '.gitignore': '.rolecall/\n', 'policies/acme-books.yaml': policy },
    message: 'Access policy with seats (#5)',
    author: { name: 'Olivia Park', email: 'olivia@acme.example' },
    date: '2026-06-01T09:00:00Z',
  });
});

afterAll(async () => {
  await repo.cleanup();
  await gh.close();
  await emulator.close();
});

/** The only thing on stderr: the loader's warning about bob's ended contract. */
const EXPIRED_WARNING =
  /^policies\/acme-books\.yaml:\d+:\d+: warning EXPIRED bob@contractors\.example: [^\n]*\n$/;

const review = (args: string[], extraEnv: Record<string, string> = {}) =>
  rolecall(['review', '--rate', '1000', ...args], {
    cwd: repo.dir,
    env: { ...emulatorEnv(emulator), ...extraEnv },
  });

describe('rolecall review: paid seats', () => {
  it('CSV: who holds a paid seat, what it costs, the limit; stale invitations and expired grants flagged', async () => {
    const result = await review(['--format', 'csv']);
    expect(result.err).toMatch(EXPIRED_WARNING);
    expect(result.code).toBe(0);
    expect(result.out.split('\r\n', 1)[0]).toMatch(
      /,flags,policy_source,paid_seat,seat_cost,seat_currency,seat_period,seat_limit$/,
    );
    const rows = parseCsv(result.out);
    const paid = rows.filter((row) => row['paid_seat'] === 'yes').map((row) => row['email']);
    expect(paid).toHaveLength(13);
    for (const row of rows) expect(row['seat_limit'], row['email']).toBe('15');
    expect(rowOf(rows, 'olivia@acme.example')).toMatchObject({ paid_seat: 'no', seat_cost: '' });
    expect(rowOf(rows, 'ivan@acme.example')).toMatchObject({ paid_seat: 'no' });
    expect(rowOf(rows, 'eli@acme.example')).toMatchObject({ paid_seat: 'no' });
    expect(rowOf(rows, 'pat@acme.example')).toMatchObject({
      paid_seat: 'yes',
      seat_cost: '11',
      seat_currency: 'USD',
      seat_period: 'month',
    });
    // Invited 2025-06-02 and 2024-09-30: far past the 14 days of rules.pendingInvitationDays.
    expect(flagsOf(rowOf(rows, 'hana@acme.example'))).toContain('pending-seat');
    expect(flagsOf(rowOf(rows, 'sam@oldfirm.example'))).toContain('pending-seat');
    // The contract ended on 2026-11-15; bob is still an active contractor.
    expect(flagsOf(rowOf(rows, 'bob@contractors.example'))).toEqual(
      expect.arrayContaining(['expired', 'expired-seat']),
    );
    const wasting = rows.filter((row) =>
      flagsOf(row).some((flag) => flag === 'pending-seat' || flag === 'expired-seat'),
    );
    expect(wasting.map((row) => row['email']).sort()).toEqual([
      'bob@contractors.example',
      'hana@acme.example',
      'sam@oldfirm.example',
    ]);
  });

  it('JSON: the seats of the business, and the seat fields of each row', async () => {
    const result = await review(['--format', 'json']);
    expect(result.code).toBe(0);
    const pack = JSON.parse(result.out) as {
      businesses: Array<{ businessId: number; seats: Record<string, unknown> }>;
      rows: ReviewRow[];
    };
    expect(pack.businesses).toEqual([
      {
        businessId: 240340,
        businessName: 'Acme Books Inc.',
        seats: {
          used: 13,
          limit: 15,
          unused: 2,
          paidRoles: ['admin', 'manager', 'accountant', 'employee', 'contractor'],
          price: { amount: 11, currency: 'USD', per: 'month' },
          cost: 143,
          wasted: { seats: 3, pendingInvitations: 2, expiredGrants: 1, cost: 33 },
        },
      },
    ]);
    expect(pack.rows.filter((row) => row.paidSeat)).toHaveLength(13);
    expect(pack.rows.find((row) => row.email === 'hana@acme.example')?.seatCost).toEqual({
      amount: 11,
      currency: 'USD',
      per: 'month',
    });
  });

  it('markdown: the seat line under the business, the waste’s cost on the flagged rows', async () => {
    const result = await review(['--format', 'markdown']);
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      '💺 **13** of 15 paid seats in use (2 unused) · USD 143/month · seat waste: **3 seats** (2 invitations pending too long, 1 expired grant), USD 33/month',
    );
    const hana = result.out.split('\n').find((line) => line.includes('`hana@acme.example`'));
    expect(hana).toContain('pending-seat (USD 11/month)');
  });

  it('the review issue shows the seat line and the cost each flagged person wastes', async () => {
    const result = await review(['--github'], {
      ...gh.env(TOKENS.actions),
      GITHUB_REPOSITORY: 'acme/access',
    });
    expect(result.err).toMatch(EXPIRED_WARNING);
    expect(result.code).toBe(0);
    const issue = [...gh.world.repo('acme', 'access').issues.values()].find((i) =>
      i.labels.includes('rolecall-review'),
    );
    const body = issue?.body ?? '';
    expect(body).toContain('💺 **13** of 15 paid seats in use (2 unused) · USD 143/month');
    const bob = body
      .split('\n')
      .find((line) => line.includes('<!-- member:bob@contractors.example -->'));
    expect(bob).toContain('expired, expired-seat (USD 11/month)');
    const sam = body.split('\n').find((line) => line.includes('`sam@oldfirm.example`'));
    expect(sam).toContain('pending-seat (USD 11/month)');
  });
});
