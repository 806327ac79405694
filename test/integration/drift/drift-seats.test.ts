/**
 * Paid seats in `rolecall drift` (issue 17), against the real emulator: the seat count against
 * the policy's `seats.limit` in every format, and the drift issue on the fake GitHub, which
 * opens when the business goes over its limit, stays untouched while only the count moves, and
 * closes when the business is back within it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../../src/drift/index.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { firstSeenOf } from '../../../src/github/drift-issue.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import {
  ACME,
  EMULATOR_NOW,
  cleanSeed,
  drift,
  workspace,
  writePolicy,
  type Workspace,
} from './drift-harness.js';

import { withoutSeats } from '../../support/example-policy.js';

const NOW = '2026-11-29T10:00:00Z';

/**
 * The example policy with a `seats:` block. In the clean seed, 11 people hold a paid seat:
 * 2 admins, 2 managers, 3 accountants (kim's invitation included), 3 employees and bob the
 * contractor; not the owner, not ivan or jules (unassigned).
 */
function withSeats(limit: number, ...entries: string[]): (yaml: string) => string {
  return (yaml) => {
    const seats = `\nseats:\n  limit: ${limit}\n  price: { amount: 11, currency: USD, per: month }\n\nmembers:\n`;
    const bare = withoutSeats(yaml);
    const edited = bare.replace('\nmembers:\n', seats);
    if (edited === bare) throw new Error('the example policy has no top-level members:');
    return `${edited.trimEnd()}\n${entries.map((e) => `\n${e}`).join('')}\n`;
  };
}

const NINA = `  - email: nina@acme.example
    role: employee
    reason: New hire`;

let emulator: RunningEmulator;
let ws: Workspace | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, now: () => EMULATOR_NOW });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.control.loadState(cleanSeed());
});
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

describe('rolecall drift: paid seats against the limit', () => {
  it('at the limit: a seat line, no drift; one invitation more by hand: over the limit, exit 2', async () => {
    ws = await workspace(emulator, withSeats(11));
    const clean = await drift(ws, NOW, ['--detailed-exitcode']);
    expect(clean.err).toBe('');
    expect(clean.code).toBe(0);
    expect(clean.out).toContain(
      '  No drift: FreshBooks matches the policy.\n  Seats: 11 of 11 paid seats in use, none free (USD 121/month)\n',
    );

    // Invited by hand: a pending invitation holds a seat, as FreshBooks counts it.
    emulator.control.addMember(ACME, {
      email: 'mallory@acme.example',
      role: 'employee',
      state: 'invited',
    });
    const json = await drift(ws, NOW, ['--format', 'json', '--detailed-exitcode']);
    expect(json.code).toBe(2);
    const business = (JSON.parse(json.out) as DriftReport).businesses[0];
    expect(business?.seats).toMatchObject({ used: 12, limit: 11, cost: 132 });
    expect(business?.items.map((i) => [i.key, i.severity])).toEqual([
      ['240340:unmanaged:mallory@acme.example', 'medium'],
      ['240340:seats-over-limit', 'medium'],
    ]);
    expect(business?.items[1]?.seats).toEqual({ used: 12, limit: 11 });

    const text = await drift(ws, NOW);
    expect(text.out).toContain(
      '  Seats: 12 of 11 paid seats in use, 1 over the limit (USD 132/month)',
    );
    expect(text.out).toContain('  Over the seat limit (1)');
    const markdown = await drift(ws, NOW, ['--format', 'markdown']);
    expect(markdown.out).toContain('💺 **Seats**: 12 of 11 paid seats in use, 1 over the limit');
    expect(markdown.out).toContain('### Over the seat limit (1)');
  });

  it('a policy without a seats: block shows no seat line and no seat drift', async () => {
    ws = await workspace(emulator, withoutSeats);
    emulator.control.addMember(ACME, { email: 'mallory@acme.example', role: 'employee' });
    const result = await drift(ws, NOW, ['--format', 'json']);
    const business = (JSON.parse(result.out) as DriftReport).businesses[0];
    expect(business?.seats).toEqual({
      used: 12,
      paidRoles: ['admin', 'manager', 'accountant', 'employee', 'contractor'],
    });
    expect(business?.items.map((i) => i.class)).toEqual(['unmanaged']);
    expect((await drift(ws, NOW)).out).not.toContain('Seats:');
  });
});

describe('the drift issue and the seat limit', () => {
  let gh: FakeGitHub;
  let repo: FakeRepo;

  beforeAll(async () => {
    gh = await startFakeGitHub();
    addStandardTokens(gh);
  });
  afterAll(() => gh.close());
  beforeEach(() => {
    repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2)}`);
    gh.clearRequests();
  });

  const day = (n: number) => `2026-11-${String(19 + n).padStart(2, '0')}T06:17:00Z`;
  const run = (when: string, workspaceDir: Workspace) =>
    drift(workspaceDir, when, ['--github', '--business', String(ACME)], {
      ...gh.env(TOKENS.actions),
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: repo.fullName,
    });
  const issueWrites = () => gh.writes().filter((r) => !r.path.includes('/actions/secrets/'));

  it('opens over the limit, is not rewritten while only the count moves, closes within it', async () => {
    ws = await workspace(emulator, withSeats(11));
    const control = emulator.control;

    // Day 1: an admin granted by hand: unmanaged, and one seat over the limit.
    const mallory = control.addMember(ACME, { email: 'mallory@acme.example', role: 'admin' });
    const first = await run(day(1), ws);
    expect(first.err).toMatch(/drift issue of business 240340: created #\d+/);
    const issue = [...repo.issues.values()][0];
    if (!issue) throw new Error('no issue');
    expect(issue.body).toContain('### Over the seat limit (1)');
    expect(issue.body).toContain('| Over the seat limit | 1 | medium |');
    // The count is not in the issue (it is in the job's output).
    expect(issue.body).not.toContain('12 of 11');
    expect(first.out).toContain('Seats: 12 of 11 paid seats in use, 1 over the limit');

    // Day 2: a new hire, in the policy and in FreshBooks alike: no new drift, one seat more.
    // The issue is left exactly as it is.
    await writePolicy(ws.cwd, withSeats(11, NINA));
    control.addMember(ACME, { email: 'nina@acme.example', role: 'employee' });
    gh.clearRequests();
    const second = await run(day(2), ws);
    expect(second.out).toContain('Seats: 13 of 11 paid seats in use, 2 over the limit');
    expect(second.err).toContain('drift issue of business 240340: unchanged (no request)');
    expect(issueWrites()).toEqual([]);

    // Day 3: mallory removed by hand; still over the limit (nina). Updated, and the seat item
    // keeps the day it was first seen.
    control.updateMember(ACME, mallory.uuid, { state: 'deactivated' });
    gh.clearRequests();
    const third = await run(day(3), ws);
    expect(third.err).toContain('drift issue of business 240340: updated');
    expect(firstSeenOf(issue.body ?? '')).toEqual([
      { key: '240340:seats-over-limit', firstSeen: '2026-11-20T06:17:00.000Z' },
    ]);

    // Day 4: the subscription has 12 seats; the policy says so now. Back within the limit.
    await writePolicy(ws.cwd, withSeats(12, NINA));
    gh.clearRequests();
    const fourth = await run(day(4), ws);
    expect(fourth.err).toContain('closed (drift cleared)');
    expect(issue.state).toBe('closed');
    expect(fourth.out).toContain('Seats: 12 of 12 paid seats in use, none free');
  });
});
