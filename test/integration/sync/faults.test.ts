import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefaultSeed, type EmulatorSeed } from '../../../src/emulator/index.js';
import { connectFreshBooks } from '../../../src/freshbooks/connect.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';
import type { LiveState } from '../../../src/types.js';
import {
  ACME,
  HOLDINGS,
  fastOptions,
  members,
  startHarness,
  type Harness,
} from '../freshbooks/emulator-harness.js';

/** The default seed plus two large businesses, so a sync makes enough requests to meet faults. */
function seed(): EmulatorSeed {
  const base = loadDefaultSeed();
  const alice = base.identities.find((i) => i.id === 5001);
  if (alice) alice.admin_of = [...(alice.admin_of ?? []), 7001, 7002];
  base.businesses.push(
    { id: 7001, name: 'Big One', account_id: 'Big1xx', members: members(250, 'big1.example') },
    { id: 7002, name: 'Big Two', account_id: 'Big2xx', members: members(420, 'big2.example') },
  );
  return base;
}

const IDS = [ACME, HOLDINGS, 7001, 7002];
const NOW = new Date('2026-05-01T09:00:00.000Z');
const withoutRunData = ({ syncedAt: _s, stats: _t, ...rest }: LiveState) => rest;

let h: Harness;
let clean: LiveState;

beforeAll(async () => {
  h = await startHarness({ seed: seed(), slowMs: 600 });
  const connection = await connectFreshBooks(fastOptions(h));
  try {
    clean = await syncLiveState(connection, IDS, { now: NOW });
  } finally {
    await connection.close();
  }
});
afterAll(() => h.close());

describe('sync under injected faults', () => {
  it('a clean run makes no retries', () => {
    expect(clean.stats).toMatchObject({ retries: 0, requests: 1 + 1 + 1 + 3 + 5 });
  });

  it.each([1, 2, 3, 4, 5, 6])(
    'fault seed %i (429 10 percent, 5xx 5 percent, resets 2 percent, slow 1 percent): the same LiveState, retries reported',
    async (faultSeed) => {
      h.emulator.control.configure({
        faults: '429=0.1,500=0.02,502=0.015,503=0.015,reset=0.02,slow=0.01',
        faultSeed,
      });
      h.emulator.control.resetRequests();
      const connection = await connectFreshBooks(fastOptions(h, { timeoutMs: 400 }));
      let state: LiveState;
      try {
        // Three syncs per seed: more requests, more faults met.
        for (let round = 0; round < 3; round++) {
          state = await syncLiveState(connection, IDS, { now: NOW });
          expect(withoutRunData(state)).toEqual(withoutRunData(clean));
        }
      } finally {
        await connection.close();
        h.emulator.control.configure({ faults: '' });
      }
      const log = h.emulator.control.requests().log;
      const faulted = log.filter((e) => e.fault !== undefined);
      // Each failed attempt (an error status, a reset, an answer too slow to wait for) was
      // retried, and each retry was counted; nothing else was sent.
      const failedAttempts = log.filter(
        (e) => e.status < 200 || e.status >= 300 || e.fault === 'slow',
      );
      const stats = connection.stats();
      expect(faulted.length).toBeGreaterThan(0);
      // (At least: on a loaded machine an ordinary answer can also miss the timeout.)
      expect(stats.retries).toBeGreaterThanOrEqual(failedAttempts.length);
      expect(stats.requests - stats.retries).toBe(3 * (clean.stats?.requests ?? NaN));
    },
  );

  it('expired tokens and every other kind of fault, read one request at a time (deterministic)', async () => {
    h.emulator.control.configure({
      faults: '429=0.1,500=0.03,502=0.01,503=0.01,reset=0.03,expire=0.02',
      faultSeed: 13,
    });
    h.emulator.control.resetRequests();
    const connection = await connectFreshBooks(fastOptions(h, { pageConcurrency: 1 }));
    try {
      for (let round = 0; round < 4; round++) {
        const state = await syncLiveState(connection, IDS, { now: NOW, concurrency: 1 });
        expect(withoutRunData(state)).toEqual(withoutRunData(clean));
      }
    } finally {
      await connection.close();
      h.emulator.control.configure({ faults: '' });
    }
    const log = h.emulator.control.requests().log;
    const kinds = new Set(log.map((e) => e.fault).filter(Boolean));
    expect([...kinds].sort()).toEqual(['429', '500', '502', '503', 'expire', 'reset']);
    const expired = log.filter((e) => e.fault === 'expire').length;
    // One refresh per expired token, no more (the run starts from the access token the clean
    // run cached in the token store).
    expect(expired).toBeGreaterThan(0);
    expect(connection.stats().tokenRequests).toBe(expired);
    expect(connection.stats().retries).toBe(
      log.filter((e) => e.status < 200 || e.status >= 300).length,
    );
  });
});
