/**
 * Drift reads the applier's journals: an unconfirmed write is not "put in place", and the item
 * for the change it was about says that rolecall's write was accepted but never shown — for an
 * invitation FreshBooks does not list, that it may be pending rather than missing.
 */
import { describe, expect, it } from 'vitest';
import type { InvitationRecord, JournalRecord, OutcomeRecord } from '../../../src/apply/records.js';
import { classifyDrift } from '../../../src/drift/classify-drift.js';
import {
  ACME_ID,
  TEST_NOW,
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const X = 'x@acme.example';
const BACKGROUND_LIVE = [
  liveMember('olivia@acme.example', 'owner'),
  liveMember('alice@acme.example', 'admin'),
];
const BACKGROUND_DESIRED = [desiredMember('alice@acme.example', 'admin')];

function outcome(
  fields: Partial<OutcomeRecord> & Pick<OutcomeRecord, 'action' | 'outcome' | 'at'>,
): OutcomeRecord {
  return {
    type: 'outcome',
    runId: 'run-1',
    op: `${ACME_ID}/${X}/${fields.action}`,
    businessId: ACME_ID,
    email: X,
    from: null,
    to: null,
    auditId: 'audit-1',
    ...fields,
  };
}

function itemsFor(
  journal: JournalRecord[],
  live = BACKGROUND_LIVE,
  role: 'employee' | 'manager' = 'employee',
) {
  const report = classifyDrift({
    desired: desiredState(
      desiredBusiness({
        mode: 'authoritative',
        members: [...BACKGROUND_DESIRED, desiredMember(X, role)],
      }),
    ),
    live: liveState({ businesses: [liveBusiness({ members: live })] }),
    now: TEST_NOW,
    journal,
  });
  return report.businesses[0]!.items.filter((i) => i.email === X);
}

describe('drift and unconfirmed writes', () => {
  it('an invitation FreshBooks accepted but does not list: "missing", and why it may be pending', () => {
    const invitation: InvitationRecord = {
      type: 'invitation',
      at: '2026-11-20T09:00:00.000Z',
      runId: 'run-1',
      op: `${ACME_ID}/${X}/grant`,
      businessId: ACME_ID,
      email: X,
      role: 'employee',
      capacity: 'employee',
      encoding: 'short',
      answered: true,
    };
    const items = itemsFor([
      invitation,
      outcome({
        action: 'grant',
        outcome: 'unconfirmed',
        at: '2026-11-20T09:00:01.000Z',
        to: { role: 'employee' },
        shows: null,
      }),
    ]);
    expect(items).toHaveLength(1);
    expect(items[0]?.class).toBe('missing');
    // Not "the apply of … had it in place": an unconfirmed write is not in place.
    expect(items[0]?.message).toBe(
      'in the policy as employee, not in FreshBooks: never applied, or removed by hand: no apply journal here shows it in place; rolecall sent an invitation on 2026-11-20 that FreshBooks does not list: it may be pending (FreshBooks may not list pending invitations)',
    );
  });

  it('a role change FreshBooks accepted but did not show: the mismatch says so', () => {
    const items = itemsFor(
      [
        outcome({
          action: 'change',
          outcome: 'unconfirmed',
          at: '2026-11-21T09:00:00.000Z',
          to: { role: 'manager' },
          shows: { uuid: 'u', role: 'employee', state: 'active' },
        }),
      ],
      [...BACKGROUND_LIVE, liveMember(X, 'employee')],
      'manager',
    );
    expect(items.map((i) => i.class)).toEqual(['role-mismatch']);
    expect(items[0]?.message).toMatch(
      /; FreshBooks accepted rolecall's role change on 2026-11-21 but did not show it \(unconfirmed\)$/,
    );
  });

  it('a later confirmed write of the same change ends it', () => {
    const items = itemsFor(
      [
        outcome({
          action: 'change',
          outcome: 'unconfirmed',
          at: '2026-11-21T09:00:00.000Z',
          to: { role: 'manager' },
        }),
        outcome({
          action: 'change',
          outcome: 'applied',
          at: '2026-11-22T09:00:00.000Z',
          to: { role: 'manager' },
        }),
      ],
      [...BACKGROUND_LIVE, liveMember(X, 'employee')],
      'manager',
    );
    expect(items[0]?.message).not.toMatch(/unconfirmed/);
  });
});
