/**
 * The real FreshBooks client against the emulator at its seat limit: a refusal for lack of a
 * paid seat is recognised as that, and is never mistaken for an invalid `capacity` — so the
 * invitation is not sent a second time in the other encoding (sending one again is not
 * harmless). The fallback for a capacity FreshBooks really refuses still works.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FreshBooksApiError } from '../../../src/errors.js';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { connectFreshBooks, type FreshBooksConnection } from '../../../src/freshbooks/connect.js';
import { isSeatLimitRefusal } from '../../../src/freshbooks/seat-limit.js';
import { fastConnect, workspace, type Workspace } from '../apply/apply-harness.js';

const ACME = 240340;
const INVITE = 'POST /auth/api/v1/users/invitation';
/** The default seed's paid seats. */
const IN_USE = 13;

let emulator: RunningEmulator;
let ws: Workspace;
let client: FreshBooksConnection;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.configure({ inviteCapacity: 'any' });
  ws = await workspace(emulator);
  client = await connectFreshBooks(fastConnect(ws));
});
afterEach(async () => {
  await client.close();
  await ws.close();
});

/** What the emulator was sent for invitations: [capacity, status]. */
function invitations(): Array<[unknown, number]> {
  return emulator.control
    .requests()
    .log.filter((e) => e.route === INVITE)
    .map((e) => [(e.body as { capacity?: unknown }).capacity, e.status]);
}

async function refusal(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('an invitation at the seat limit', () => {
  it('is refused once, recognised as a seat refusal, and not re-sent in the API encoding', async () => {
    emulator.control.setSeatLimit(ACME, IN_USE);
    emulator.control.resetRequests();
    const error = await refusal(() =>
      client.invite(ACME, 'eli@acme.example', 'business_accountant', { encoding: 'short' }),
    );
    expect(error).toBeInstanceOf(FreshBooksApiError);
    expect(isSeatLimitRefusal(error)).toBe(true);
    expect((error as FreshBooksApiError).status).toBe(422);
    expect(invitations()).toEqual([['accountant', 422]]);
    expect(emulator.control.member(ACME, 'eli@acme.example')).toBeNull();
  });

  it('when the first encoding is refused as invalid, the fallback’s seat refusal is the answer (two sends, one refusal each)', async () => {
    emulator.control.configure({ inviteCapacity: 'api' });
    emulator.control.setSeatLimit(ACME, IN_USE);
    emulator.control.resetRequests();
    const error = await refusal(() =>
      client.invite(ACME, 'eli@acme.example', 'business_accountant', { encoding: 'short' }),
    );
    expect(isSeatLimitRefusal(error)).toBe(true);
    expect(invitations()).toEqual([
      ['accountant', 422],
      ['business_accountant', 422],
    ]);
  });

  it('still falls back to the other encoding for an invalid capacity when a seat is free', async () => {
    emulator.control.configure({ inviteCapacity: 'api' });
    emulator.control.setSeatLimit(ACME, IN_USE + 1);
    emulator.control.resetRequests();
    const receipt = await client.invite(ACME, 'eli@acme.example', 'business_accountant', {
      encoding: 'short',
    });
    expect(receipt.capacity).toEqual({
      sent: 'business_accountant',
      encoding: 'api',
      fellBackFrom: 'short',
    });
    expect(invitations()).toEqual([
      ['accountant', 422],
      ['business_accountant', 200],
    ]);
  });

  it('a role change from Unassigned is refused the same way', async () => {
    emulator.control.setSeatLimit(ACME, IN_USE);
    const ivan = emulator.control.member(ACME, 'ivan@acme.example');
    const error = await refusal(() =>
      client.changeRole(ACME, ivan?.uuid ?? '', 'business_employee'),
    );
    expect(isSeatLimitRefusal(error)).toBe(true);
  });
});
