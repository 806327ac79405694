import { describe, expect, it } from 'vitest';
import type { TeamMemberRecord } from '../../../src/ports.js';
import { liveBusinessOf, liveMemberOf } from '../../../src/sync/live-member.js';
import { renderSyncSummary } from '../../../src/sync/render-sync-summary.js';

function row(
  email: string,
  apiRole: string,
  state: 'active' | 'invited' | 'deactivated' = 'active',
): TeamMemberRecord {
  return {
    uuid: `u-${email}`,
    businessId: 240340,
    email,
    firstName: null,
    middleName: null,
    lastName: null,
    apiRole,
    active: state === 'active',
    identityId: state === 'invited' ? null : 1,
    invitationDateAccepted: state === 'invited' ? null : '2020-01-01T00:00:00Z',
    createdAt: null,
    updatedAt: null,
  };
}

describe('renderSyncSummary', () => {
  it('counts roles, lists pending invitations and unknown roles, and the cost of the run', () => {
    const text = renderSyncSummary(
      {
        version: 1,
        syncedAt: '2026-05-01T09:00:00.000Z',
        identity: { identityId: 5001, email: 'alice@acme.example' },
        businesses: [
          liveBusinessOf({
            businessId: 240340,
            name: 'Acme Books Inc.',
            accountId: 'Xk9Pq2',
            members: [
              row('olivia@acme.example', 'owner'),
              row('alice@acme.example', 'business_partner'),
              row('ben@acme.example', 'business_partner'),
              row('hana@acme.example', 'business_employee', 'invited'),
              row('jules@acme.example', 'no_seat_employee', 'deactivated'),
              row('pat@acme.example', 'time_tracking_admin'),
            ].map(liveMemberOf),
          }),
          liveBusinessOf({
            businessId: 240341,
            name: 'Acme Holdings LLC',
            accountId: null,
            members: [],
          }),
        ],
        stats: { requests: 3, retries: 1, elapsedMs: 1234 },
      },
      { tokenRequests: 1 },
    );
    expect(text).toBe(
      [
        'FreshBooks identity alice@acme.example (5001); 2 businesses',
        '',
        '240340 Acme Books Inc., account Xk9Pq2: 6 members',
        '  roles: owner 1, admin 2, employee 1, unknown 1 (active and invited)',
        '  pending invitations: 1 (hana@acme.example)',
        '  deactivated: 1',
        '  unknown roles, kept as is and never changed: time_tracking_admin (pat@acme.example)',
        '',
        '240341 Acme Holdings LLC: 0 members',
        '  roles: none (active and invited)',
        '  pending invitations: 0',
        '3 requests (+1 token), 1 retry, 1.2 s',
        '',
      ].join('\n'),
    );
  });
});
