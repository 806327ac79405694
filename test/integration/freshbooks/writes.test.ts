import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FreshBooksApiError, isManualFallback } from '../../../src/errors.js';
import { connectFreshBooks, type FreshBooksConnection } from '../../../src/freshbooks/connect.js';
import { ACME, fastOptions, startHarness, type Harness } from './emulator-harness.js';

const INVITE = 'POST /auth/api/v1/users/invitation';
const CHANGE = 'PUT /auth/api/v1/businesses/:id/team_members/:uuid';
const REMOVE = 'DELETE /auth/api/v1/businesses/:id/team_members/:uuid';
const MEMBER = 'GET /auth/api/v1/businesses/:id/team_members/:uuid';

/**
 * A `slow` fault answers after SLOW_MS; the impatient connection gives up after IMPATIENT_MS.
 * Only a request meant to time out (and its retry) goes through the impatient connection: the
 * token exchange and every other request use the default timeout, so a loaded machine cannot
 * turn an ordinary answer into a timeout. The held request times out whatever the load (the
 * server holds it for SLOW_MS after it arrives); the retry, a warm loopback read, has
 * IMPATIENT_MS — hundreds of times what it takes.
 */
const IMPATIENT_MS = 1_500;
const SLOW_MS = 3_000;
/** Until a held answer is logged: SLOW_MS, plus room for a loaded machine. */
const LOGGED_WITHIN = { timeout: 20_000 };

let h: Harness;
let fb: FreshBooksConnection;
let impatient: FreshBooksConnection;

beforeAll(async () => {
  h = await startHarness({ slowMs: SLOW_MS });
  fb = await connectFreshBooks(fastOptions(h));
  await fb.whoami(); // the token exchange; the access token is stored in h.cwd for both
  impatient = await connectFreshBooks(fastOptions(h, { timeoutMs: IMPATIENT_MS }));
});
afterAll(async () => {
  await impatient.close();
  await fb.close();
  await h.close();
});
beforeEach(() => {
  h.emulator.control.clearQueuedFaults();
  h.emulator.control.configure({ disabledWrites: [] });
  h.emulator.control.resetRequests();
});

const uuidOf = (email: string) => h.emulator.control.member(ACME, email)?.uuid ?? '';
const entries = (route: string) =>
  h.emulator.control.requests().log.filter((e) => e.route === route);
async function failure(promise: Promise<unknown>): Promise<FreshBooksApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FreshBooksApiError);
  return error as FreshBooksApiError;
}

describe('writes, per the contract', () => {
  it('invite sends the published body and creates a pending member', async () => {
    const receipt = await fb.invite(ACME, 'eli@acme.example', 'business_accountant');
    expect(receipt.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(entries(INVITE).map((e) => e.body)).toEqual([
      {
        capacity: 'accountant', // the published sample's encoding (the short UI name)
        to_email: 'eli@acme.example',
        invitable_id: ACME,
        invitable_type: 'business',
      },
    ]);
    const eli = await fb.getTeamMember(ACME, uuidOf('eli@acme.example'));
    expect(eli).toMatchObject({ apiRole: 'business_accountant', active: false, identityId: null });
  });

  it('changeRole and remove', async () => {
    const grace = uuidOf('grace@acme.example');
    const changed = await fb.changeRole(ACME, grace, 'business_employee');
    expect(changed.member).toMatchObject({ uuid: grace, apiRole: 'business_employee' });
    expect(entries(CHANGE).map((e) => e.body)).toEqual([
      { team_member: { business_role_name: 'business_employee' } },
    ]);
    const zoe = uuidOf('zoe@acme.example');
    await fb.remove(ACME, zoe);
    expect((await fb.getTeamMember(ACME, zoe))?.active).toBe(false);
  });

  it('an unknown uuid reads as null', async () => {
    expect(await fb.getTeamMember(ACME, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('the owner cannot be changed: 403 errno 1003 is a manual fallback', async () => {
    const error = await failure(
      fb.changeRole(ACME, uuidOf('olivia@acme.example'), 'business_employee'),
    );
    expect(error).toMatchObject({ status: 403, errno: 1003, outcomeUnknown: false });
    expect(isManualFallback(error)).toBe(true);
    expect(error.message).toContain('Permission Denied');
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['invite', () => fb.invite(ACME, 'new@acme.example', 'business_employee')],
    ['changeRole', () => fb.changeRole(ACME, uuidOf('frank@acme.example'), 'business_manager')],
    ['remove', () => fb.remove(ACME, uuidOf('frank@acme.example'))],
  ] as const)(
    'a switched-off %s (404) is a manual fallback, not retried',
    async (operation, call) => {
      h.emulator.control.configure({ disabledWrites: [operation] });
      const error = await failure(call());
      expect(error.status).toBe(404);
      expect(isManualFallback(error)).toBe(true);
      expect(h.emulator.control.requests().total).toBe(1);
    },
  );
});

describe('write retries: only when the write certainly did not happen', () => {
  it('a 429 is retried and the write lands once', async () => {
    h.emulator.control.queueFault('429', CHANGE);
    await fb.changeRole(ACME, uuidOf('maya@acme.example'), 'business_manager');
    expect(entries(CHANGE).map((e) => [e.status, e.applied])).toEqual([
      [429, false],
      [200, true],
    ]);
  });

  it.each([
    ['500-after', 500, true],
    ['503-after', 503, true],
    ['reset-after', null, true],
    ['502', 502, false],
    ['reset', null, false],
    ['slow', null, true],
  ] as const)('after %s: outcomeUnknown, exactly one attempt', async (fault, status, applied) => {
    const email = `victim-${fault}@acme.example`;
    const { uuid } = h.emulator.control.addMember(ACME, { email, role: 'employee' });
    h.emulator.control.queueFault(fault, REMOVE);
    const client = fault === 'slow' ? impatient : fb;
    const error = await failure(client.remove(ACME, uuid));
    expect(error).toMatchObject({ status, outcomeUnknown: true });
    expect(error.route).toBe(`DELETE /auth/api/v1/businesses/${ACME}/team_members/${uuid}`);
    // A slow answer is logged when it finally goes out, after the client gave up on it.
    await vi.waitFor(() => expect(entries(REMOVE)).toHaveLength(1), LOGGED_WITHIN);
    expect(entries(REMOVE)[0]?.applied).toBe(applied);
    // Re-reading tells the caller what really happened.
    expect((await fb.getTeamMember(ACME, uuid))?.active).toBe(!applied);
  });

  it('reads are retried after a timeout', async () => {
    h.emulator.control.queueFault('slow', MEMBER);
    const carol = await impatient.getTeamMember(ACME, uuidOf('carol@acme.example'));
    expect(carol?.email).toBe('carol@acme.example');
    await vi.waitFor(() => expect(entries(MEMBER)).toHaveLength(2), LOGGED_WITHIN);
    expect(impatient.stats().retries).toBeGreaterThan(0);
  });
});

describe('connection refused', () => {
  it('a write to a server that is not there is retried, then fails with a known outcome', async () => {
    const gone = await startHarness();
    const warm = await connectFreshBooks(fastOptions(gone));
    await warm.whoami(); // caches a valid access token in the store
    await warm.close();
    await gone.emulator.close();
    const fbGone = await connectFreshBooks(fastOptions(gone, { maxRetries: 2 }));
    try {
      const error = await failure(fbGone.invite(ACME, 'x@acme.example', 'business_employee'));
      expect(error).toMatchObject({ status: null, outcomeUnknown: false });
      const host = new URL(gone.emulator.url).host;
      expect(error.message).toBe(
        `POST /auth/api/v1/users/invitation failed: cannot reach ${host}: connection refused — check FRESHBOOKS_API_URL and your network, after 3 attempts`,
      );
      expect(fbGone.stats()).toMatchObject({ requests: 3, retries: 2 });
    } finally {
      await fbGone.close();
      await gone.close();
    }
  });
});
