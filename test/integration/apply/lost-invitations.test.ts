/**
 * An invitation whose answer was lost (FreshBooks made it, then the connection broke, or it
 * failed before making it): FreshBooks can only be asked by email, in a listing of the team.
 * `rolecall apply` (the CLI, in-process, the real client over loopback) reads the team's last
 * page first, where the emulator lists a new member; finding the invitee there proves the
 * invitation was made. When the last page does not show it (a re-invited member keeps its
 * place further up, or nothing was made), the whole team is read, as before — and in every
 * case the invitation goes out once.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { bufferIo } from '../../support/buffer-io.js';
import {
  ACME,
  planNow,
  workspace,
  writeLog,
  writePlanFile,
  type Workspace,
} from './apply-harness.js';

const NOW = new Date('2026-11-29T10:00:00.000Z');
const INVITE = 'POST /auth/api/v1/users/invitation';
const LIST = 'GET /auth/api/v1/businesses/:id/team_members';
/** Team members added to the sandbox's business, so that its listing has three pages. */
const EXTRA = 240;

const POLICY = `business: ${ACME}
mode: additive
members:
  - email: newbie@acme.example
    role: employee
    reason: Joins the payroll team
`;

const REINVITE = `business: ${ACME}
mode: additive
members:
  - email: former00@acme.example
    role: employee
    reason: Back for the season
`;

let emulator: RunningEmulator;
let ws: Workspace;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, seed: loadDefaultSeed() });
});
afterAll(() => emulator.close());
afterEach(() => ws.close());

async function setUp(policy: string): Promise<void> {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.configure({ faults: '', disabledWrites: [], listPendingInvitations: true });
  emulator.control.clearQueuedFaults();
  // A deactivated member first: listed at the top, where a re-invitation leaves it.
  emulator.control.addMember(ACME, {
    email: 'former00@acme.example',
    role: 'business_employee',
    state: 'deactivated',
  });
  for (let i = 1; i < EXTRA; i++) {
    emulator.control.addMember(ACME, {
      email: `staff${String(i).padStart(3, '0')}@acme.example`,
      role: 'business_employee',
    });
  }
  ws = await workspace(emulator, policy);
}

async function planAndApply(): Promise<{ code: number; out: string }> {
  const { plan } = await planNow(ws, NOW);
  const file = await writePlanFile(ws, plan);
  emulator.control.resetRequests();
  const io = bufferIo({ env: ws.env, cwd: ws.cwd });
  const code = await main(['apply', file, '--policies', ws.policiesDir, '--yes'], io);
  return { code, out: io.out() };
}

const requests = (route: string) =>
  emulator.control.requests().log.filter((entry) => entry.route === route);
const listingPages = () =>
  requests(LIST).map((entry) => Number(new URL(entry.path, 'http://x').searchParams.get('page')));
const invitationsTo = (email: string) =>
  writeLog(emulator).filter(
    (entry) => entry.route === INVITE && (entry.body as { to_email: string }).to_email === email,
  );

describe('an invitation whose answer was lost', () => {
  beforeEach(() => setUp(POLICY));

  it('made, and shown on the last page: confirmed there, sent once, no listing of the whole team', async () => {
    const pages = Math.ceil(emulator.control.members(ACME).length / 100);
    expect(pages).toBeGreaterThanOrEqual(3);
    emulator.control.queueFault('503-after', INVITE);
    const { code, out } = await planAndApply();
    expect(code).toBe(0);
    expect(out).toContain('newbie@acme.example');
    expect(invitationsTo('newbie@acme.example')).toHaveLength(1);
    expect(emulator.control.member(ACME, 'newbie@acme.example')?.business_role_name).toBe(
      'business_employee',
    );
    // The apply's own sync reads every page once; the re-read only the last one.
    const read = listingPages();
    expect(read.filter((page) => page === 1)).toHaveLength(1);
    expect(read.filter((page) => page === pages)).toHaveLength(2);
    expect(read).toHaveLength(pages + 1);
  });

  it('not made: the last page proves nothing, the whole team is read, then it is sent again once', async () => {
    const pages = Math.ceil(emulator.control.members(ACME).length / 100);
    emulator.control.queueFault('reset', INVITE);
    const { code } = await planAndApply();
    expect(code).toBe(0);
    const sent = invitationsTo('newbie@acme.example');
    expect(sent.map((entry) => entry.applied)).toEqual([false, true]);
    // The sync, the last page, then the whole team again before sending it a second time.
    expect(listingPages()).toHaveLength(pages + 1 + pages);
  });
});

describe('a re-invitation whose answer was lost', () => {
  beforeEach(() => setUp(REINVITE));

  it('is not on the last page (the member keeps its place): found in the whole team, sent once', async () => {
    const pages = Math.ceil(emulator.control.members(ACME).length / 100);
    emulator.control.queueFault('503-after', INVITE);
    const { code } = await planAndApply();
    expect(code).toBe(0);
    expect(invitationsTo('former00@acme.example')).toHaveLength(1);
    expect(listingPages()).toHaveLength(pages + 1 + pages);
    expect(emulator.control.member(ACME, 'former00@acme.example')?.active).toBe(false);
  });
});
