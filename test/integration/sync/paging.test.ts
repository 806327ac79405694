import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectFreshBooks, type FreshBooksConnection } from '../../../src/freshbooks/connect.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';
import {
  apiCounts,
  fastOptions,
  pagingSeed,
  startHarness,
  type Harness,
} from '../freshbooks/emulator-harness.js';

const SIZES = [0, 1, 100, 101, 250];
const idOf = (size: number) => 1001 + SIZES.indexOf(size);
const NOW = new Date('2026-05-01T09:00:00.000Z');

let h: Harness;
let connection: FreshBooksConnection;

beforeAll(async () => {
  h = await startHarness({ seed: pagingSeed(SIZES) });
  connection = await connectFreshBooks(fastOptions(h));
  await connection.whoami(); // take the token refresh out of the counts below
});
afterAll(async () => {
  await connection.close();
  await h.close();
});
beforeEach(() => h.emulator.control.resetRequests());

describe('paging with per_page=100: 1 + ceil(members/100) requests (an empty team costs 1)', () => {
  it.each(SIZES)('%d members', async (size) => {
    const state = await syncLiveState(connection, [idOf(size)], { now: NOW });
    const pages = Math.max(1, Math.ceil(size / 100));
    expect(apiCounts(h.emulator)).toEqual({ me: 1, team: pages, token: 0, total: 1 + pages });
    expect(state.stats?.requests).toBe(1 + pages);
    expect(state.stats?.retries).toBe(0);
    const business = state.businesses[0];
    expect(business?.members).toHaveLength(size);
    expect(new Set(business?.members.map((m) => m.uuid)).size).toBe(size);
    // Exactly what the emulator holds, every state included.
    const truth = h.emulator.control
      .members(idOf(size))
      .map((m) => m.email)
      .sort();
    expect(business?.members.map((m) => m.email)).toEqual(truth);
    // Every page request asked for 100.
    const log = h.emulator.control.requests().log.filter((e) => e.route.endsWith('team_members'));
    expect(log.every((e) => e.path.includes('per_page=100'))).toBe(true);
    expect(log.map((e) => new URL(e.path, 'http://x').searchParams.get('page')).sort()).toEqual(
      Array.from({ length: pages }, (_, i) => String(i + 1)),
    );
  });

  it('several businesses in one sync: one users/me, and each business’s pages', async () => {
    const state = await syncLiveState(connection, SIZES.map(idOf).reverse(), {
      now: NOW,
      concurrency: 3,
    });
    const pages = SIZES.reduce((sum, size) => sum + Math.max(1, Math.ceil(size / 100)), 0);
    expect(apiCounts(h.emulator)).toEqual({ me: 1, team: pages, token: 0, total: 1 + pages });
    expect(state.businesses.map((b) => [b.businessId, b.members.length])).toEqual(
      SIZES.map((size) => [idOf(size), size]),
    );
  });

  it('maps invited and deactivated members from the wire', async () => {
    const state = await syncLiveState(connection, [idOf(101)], { now: NOW });
    const byState = (s: string) => state.businesses[0]?.members.filter((m) => m.state === s).length;
    const truth = h.emulator.control.members(idOf(101));
    expect(byState('invited')).toBe(
      truth.filter(
        (m) => !m.active && m.identity_id === null && m.invitation_date_accepted === null,
      ).length,
    );
    expect(byState('invited')).toBeGreaterThan(0);
    expect(byState('deactivated')).toBeGreaterThan(0);
    expect(byState('active')).toBe(truth.filter((m) => m.active).length);
  });
});
