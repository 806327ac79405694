import { describe, expect, it } from 'vitest';
import {
  AUTO_APPROVE_EXPIRY_REASON,
  autoApproveExpiryGate,
  isExpiredRevoke,
} from '../../../src/jit/expiry-gate.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import {
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const NOW = new Date('2026-04-02T00:00:00Z');

function plans() {
  const desired = desiredState(
    desiredBusiness({
      rules: { autoApproveExpiry: true },
      members: [
        desiredMember('alice@acme.example', 'admin'),
        desiredMember('bob@contractors.example', 'contractor', { expires: '2026-03-31' }),
      ],
    }),
  );
  const live = liveState({
    businesses: [
      liveBusiness({
        members: [
          liveMember('olivia@acme.example', 'owner'),
          liveMember('alice@acme.example', 'admin'),
          liveMember('bob@contractors.example', 'contractor'),
          liveMember('zoe@acme.example', 'employee'),
        ],
      }),
    ],
  });
  return {
    expired: buildPlan({ desired, live, now: NOW, toolVersion: 't', only: 'expired' }),
    full: buildPlan({ desired, live, now: NOW, toolVersion: 't' }),
  };
}

describe('autoApproveExpiryGate', () => {
  it('approves a plan of expired revokes for a business that opted in, saying why', async () => {
    const decision = await autoApproveExpiryGate(() => true).decide(plans().expired);
    expect(decision).toEqual({ approved: true, reason: AUTO_APPROVE_EXPIRY_REASON });
    expect(AUTO_APPROVE_EXPIRY_REASON).toBe(
      'autoApproveExpiry: the plan only removes expired access',
    );
  });

  it('refuses a plan that does anything else (here: revoking someone not in the policy)', async () => {
    const decision = await autoApproveExpiryGate(() => true).decide(plans().full);
    expect(decision.approved).toBe(false);
    expect(decision.reason).toMatch(/only revokes of expired grants.*revoke of zoe@acme\.example/);
  });

  it('refuses a business that did not opt in', async () => {
    const decision = await autoApproveExpiryGate(() => false).decide(plans().expired);
    expect(decision).toEqual({
      approved: false,
      reason: 'business 240340 does not set rules.autoApproveExpiry: true',
    });
  });

  it('isExpiredRevoke accepts exactly revokes caused by expiry', () => {
    const changes = plans().full.businesses[0]?.changes ?? [];
    expect(changes.filter(isExpiredRevoke).map((c) => c.email)).toEqual([
      'bob@contractors.example',
    ]);
  });
});
