import { describe, expect, it } from 'vitest';
import { RolecallError } from '../../../src/errors.js';
import type { AccessReader, IdentityRecord, TeamMemberRecord } from '../../../src/ports.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';

const NOW = new Date('2026-05-01T09:00:00.000Z');

function member(
  email: string,
  apiRole: string,
  extra: Partial<TeamMemberRecord> = {},
): TeamMemberRecord {
  return {
    uuid: `uuid-${email}`,
    businessId: 1,
    email,
    firstName: null,
    middleName: null,
    lastName: null,
    apiRole,
    active: true,
    identityId: 7,
    invitationDateAccepted: '2020-01-01T00:00:00Z',
    createdAt: null,
    updatedAt: null,
    ...extra,
  };
}

const identity: IdentityRecord = {
  identityId: 5001,
  email: 'Alice@Acme.example',
  firstName: 'Alice',
  lastName: null,
  businesses: [
    {
      businessId: 240341,
      businessUuid: null,
      name: 'Acme Holdings LLC',
      accountId: 'Hd7Lm3',
      role: 'owner',
    },
    {
      businessId: 240340,
      businessUuid: null,
      name: 'Acme Books Inc.',
      accountId: 'Xk9Pq2',
      role: 'business_partner',
    },
  ],
};

/** A small in-memory reader that counts calls. */
function fakeReader(teams: Record<number, TeamMemberRecord[]>) {
  const calls: string[] = [];
  let requests = 0;
  const reader: AccessReader & { stats(): { requests: number; retries: number } } = {
    whoami: async () => {
      calls.push('whoami');
      requests++;
      return identity;
    },
    listTeamMembers: async (id) => {
      calls.push(`list ${id}`);
      requests += 2;
      return teams[id] ?? [];
    },
    getTeamMember: async () => null,
    stats: () => ({ requests, retries: 1 }),
  };
  return { reader, calls };
}

describe('syncLiveState', () => {
  it('reads each business once, drops clients, maps and sorts deterministically', async () => {
    const { reader, calls } = fakeReader({
      240340: [
        member(' Zoe@Acme.example', 'business_employee'),
        member('client@customer.example', 'client'),
        member('pat@acme.example', 'time_tracking_admin'),
        member('hana@acme.example', 'business_employee', {
          active: false,
          identityId: null,
          invitationDateAccepted: null,
        }),
      ],
      240341: [],
    });
    const state = await syncLiveState(reader, [240341, 240340, 240340], { now: NOW });
    expect(calls.sort()).toEqual(['list 240340', 'list 240341', 'whoami']);
    expect(state.version).toBe(1);
    expect(state.syncedAt).toBe('2026-05-01T09:00:00.000Z');
    expect(state.identity).toEqual({ identityId: 5001, email: 'alice@acme.example' });
    expect(state.businesses.map((b) => [b.businessId, b.name, b.accountId])).toEqual([
      [240340, 'Acme Books Inc.', 'Xk9Pq2'],
      [240341, 'Acme Holdings LLC', 'Hd7Lm3'],
    ]);
    const acme = state.businesses[0];
    expect(acme?.members.map((m) => [m.email, m.role, m.state])).toEqual([
      ['hana@acme.example', 'employee', 'invited'],
      ['pat@acme.example', null, 'active'],
      ['zoe@acme.example', 'employee', 'active'],
    ]);
    expect(acme?.unknownRoles).toEqual(['time_tracking_admin']);
    expect(state.businesses[1]?.members).toEqual([]);
    expect(state.stats).toMatchObject({ requests: 5, retries: 0 });
  });

  it('the same data in another order gives the same state', async () => {
    const rows = [
      member('a@acme.example', 'business_partner'),
      member('b@acme.example', 'contractor'),
      member('c@acme.example', 'no_seat_employee'),
    ];
    const one = await syncLiveState(fakeReader({ 240340: rows }).reader, [240340], { now: NOW });
    const two = await syncLiveState(fakeReader({ 240340: [...rows].reverse() }).reader, [240340], {
      now: NOW,
    });
    delete one.stats;
    delete two.stats;
    expect(two).toEqual(one);
  });

  it('names an unreachable business and lists the reachable ones', async () => {
    const { reader, calls } = fakeReader({});
    const error = await syncLiveState(reader, [240340, 999], { now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolecallError);
    expect((error as Error).message).toBe(
      'business 999 is not reachable with these FreshBooks credentials (identity alice@acme.example); reachable: 240340 "Acme Books Inc.", 240341 "Acme Holdings LLC"',
    );
    // Nothing is listed before the check: no partial reads.
    expect(calls).toEqual(['whoami']);
  });

  it('reports progress once per business', async () => {
    const seen: string[] = [];
    await syncLiveState(fakeReader({}).reader, [240340, 240341], {
      now: NOW,
      concurrency: 1,
      onBusiness: (b, done, total) => seen.push(`${b.businessId} ${done}/${total}`),
    });
    expect(seen).toEqual(['240340 1/2', '240341 2/2']);
  });
});
