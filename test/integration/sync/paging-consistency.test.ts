import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../../src/emulator/index.js';
import { connectFreshBooks } from '../../../src/freshbooks/connect.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';
import {
  fastOptions,
  pagingSeed,
  startHarness,
  type Harness,
} from '../freshbooks/emulator-harness.js';

const NOW = new Date('2026-05-01T09:00:00.000Z');
const BUSINESS = 1001;

let h: Harness;
/** Set by a test: runs after a request the emulator answered (from inside the emulator). */
let onRequest: ((entry: RequestLogEntry) => void) | null = null;

beforeAll(async () => {
  h = await startHarness({ seed: pagingSeed([230]), onRequest: (entry) => onRequest?.(entry) });
});
afterAll(() => h.close());

describe('a team that changes while it is paged', () => {
  it('is read again, and the result is the team as it stands afterwards', async () => {
    let added = false;
    onRequest = (entry) => {
      if (!added && entry.route.endsWith('/team_members') && entry.path.includes('page=1&')) {
        added = true;
        // Behind rolecall's back, between page 1 and the others: shifts every later page.
        h.emulator.control.addMember(BUSINESS, { email: 'a-late@b1001.example', role: 'employee' });
      }
    };
    const connection = await connectFreshBooks(fastOptions(h, { pageConcurrency: 1 }));
    try {
      h.emulator.control.resetRequests();
      const state = await syncLiveState(connection, [BUSINESS], { now: NOW });
      const emails = state.businesses[0]?.members.map((m) => m.email) ?? [];
      expect(emails).toHaveLength(231);
      expect(new Set(emails).size).toBe(231);
      expect(emails).toContain('a-late@b1001.example');
      // First listing: 3 pages (230 → total changes to 231 on page 2); second: 3 pages.
      const pages = h.emulator.control
        .requests()
        .log.filter((e) => e.route.endsWith('/team_members'));
      expect(pages).toHaveLength(6);
    } finally {
      onRequest = null;
      await connection.close();
    }
  });
});
