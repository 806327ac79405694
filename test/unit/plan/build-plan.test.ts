import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/canonical.js';
import { RolecallError } from '../../../src/errors.js';
import { buildPlan, planHasChanges, recomputePlanDigest } from '../../../src/plan/index.js';
import {
  TEST_NOW,
  acmeExample,
  desiredBusiness,
  desiredMember,
  desiredState,
  liveBusiness,
  liveMember,
  liveState,
} from '../../support/builders.js';

const COMMIT = { sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', dirty: false };

function acmePlan(extra: Partial<Parameters<typeof buildPlan>[0]> = {}) {
  const { desired, live, now } = acmeExample();
  return buildPlan({
    desired,
    live,
    now,
    toolVersion: '0.1.0',
    policyCommits: { 'policies/acme-books.yaml': COMMIT },
    ...extra,
  });
}

describe('buildPlan on the example business', () => {
  const plan = acmePlan();
  const business = plan.businesses[0]!;

  it('plans exactly the drift the seed was built with', () => {
    expect(business.changes.map((change) => `${change.action} ${change.email}`)).toEqual([
      'grant eli@acme.example',
      'grant jules@acme.example',
      'change grace@acme.example',
      'change maya@acme.example',
      'revoke sam@oldfirm.example',
      'revoke zoe@acme.example',
    ]);
    expect(business.unmanaged.map((member) => `${member.email} ${member.role}`)).toEqual([
      'pat@acme.example time_tracking_admin',
    ]);
    expect(business.applyable).toBe(true);
    expect(planHasChanges(plan)).toBe(true);
  });

  it('records where everything came from', () => {
    const { desired, live } = acmeExample();
    expect(plan).toMatchObject({
      version: 1,
      tool: { name: 'rolecall', version: '0.1.0' },
      createdAt: '2026-05-01T09:00:00.000Z',
    });
    expect(business).toMatchObject({
      businessId: 240340,
      name: 'Acme Books Inc.',
      policyFile: 'policies/acme-books.yaml',
      policyCommit: COMMIT,
      mode: 'authoritative',
      desiredDigest: desired.businesses[0]!.digest,
      liveFingerprint: live.businesses[0]!.fingerprint,
    });
  });

  it('fingerprints exactly the live members a change touches', () => {
    const { live } = acmeExample();
    const touched = live.businesses[0]!.members.filter((member) =>
      [
        'jules@acme.example',
        'grace@acme.example',
        'maya@acme.example',
        'sam@oldfirm.example',
        'zoe@acme.example',
      ].includes(member.email),
    );
    expect(business.memberFingerprints).toEqual(
      Object.fromEntries(touched.map((member) => [member.uuid, member.fingerprint])),
    );
  });

  it('digests the canonical content of everything but the digest', () => {
    const { digest, ...content } = plan;
    expect(digest).toBe(digestOf(content));
    expect(recomputePlanDigest(plan)).toBe(digest);
    expect(acmePlan().digest).toBe(digest);
    expect(acmePlan({ now: new Date(TEST_NOW.getTime() + 1) }).digest).not.toBe(digest);
  });

  it('records unknown provenance as not clean', () => {
    const { desired, live, now } = acmeExample();
    expect(
      buildPlan({ desired, live, now, toolVersion: '0.1.0' }).businesses[0]!.policyCommit,
    ).toEqual({ sha: null, dirty: true });
  });

  it('restricts to expired revokes with only: expired, and judges the guards on that', () => {
    const { desired, live, now } = acmeExample();
    const later = new Date('2027-06-01T00:00:00Z'); // bob's contractor grant expired 2027-03-31
    const expiring = buildPlan({
      desired,
      live,
      now: later,
      toolVersion: '0.1.0',
      only: 'expired',
    });
    expect(
      expiring.businesses[0]!.changes.map((change) => [
        change.action,
        change.email,
        change.cause,
        change.reason,
      ]),
    ).toEqual([['revoke', 'bob@contractors.example', 'expired', 'expired 2027-03-31']]);
    expect(
      expiring.businesses[0]!.guards.find((guard) => guard.guard === 'maxRevokes')!.message,
    ).toMatch(/^1 revoke of 15/);
    expect(
      buildPlan({ desired, live, now, toolVersion: '0.1.0', only: 'expired' }).businesses[0]!
        .changes,
    ).toEqual([]);
  });
});

describe('buildPlan across businesses', () => {
  const one = desiredBusiness({
    businessId: 2,
    file: 'policies/b.yaml',
    members: [desiredMember('a@b.example', 'admin')],
  });
  const two = desiredBusiness({
    businessId: 1,
    file: 'policies/a.yaml',
    members: [desiredMember('a@a.example', 'admin')],
  });
  const live = liveState({
    businesses: [
      liveBusiness({ businessId: 1, name: 'A', members: [liveMember('a@a.example', 'admin')] }),
      liveBusiness({ businessId: 2, name: 'B' }),
      liveBusiness({ businessId: 3, name: 'Not in any policy' }),
    ],
  });

  it('keeps policy order and plans only businesses a policy names', () => {
    const plan = buildPlan({
      desired: desiredState(one, two),
      live,
      now: TEST_NOW,
      toolVersion: '0.1.0',
    });
    expect(
      plan.businesses.map((business) => [
        business.businessId,
        business.name,
        business.changes.length,
      ]),
    ).toEqual([
      [1, 'A', 0],
      [2, 'B', 1],
    ]);
  });

  it('scopes to businessIds', () => {
    const plan = buildPlan({
      desired: desiredState(one, two),
      live,
      now: TEST_NOW,
      toolVersion: '0.1.0',
      businessIds: [2],
    });
    expect(plan.businesses.map((business) => business.businessId)).toEqual([2]);
  });

  it('refuses a scope outside the policies with a user error', () => {
    expect(() =>
      buildPlan({
        desired: desiredState(one, two),
        live,
        now: TEST_NOW,
        toolVersion: '0.1.0',
        businessIds: [3],
      }),
    ).toThrow(
      new RolecallError('PLAN_SCOPE', 'business 3 is not in any policy; policies name 1, 2'),
    );
  });

  it('throws a programming error when the live state misses a planned business', () => {
    const missing = desiredBusiness({ businessId: 9, file: 'policies/z.yaml' });
    let error: unknown;
    try {
      buildPlan({ desired: desiredState(missing), live, now: TEST_NOW, toolVersion: '0.1.0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RolecallError);
    expect((error as Error).message).toBe(
      'buildPlan: business 9 (policies/z.yaml) is missing from the live state',
    );
  });

  it('a plan with no businesses in scope is empty but valid', () => {
    const plan = buildPlan({ desired: desiredState(), live, now: TEST_NOW, toolVersion: '0.1.0' });
    expect(plan.businesses).toEqual([]);
    expect(planHasChanges(plan)).toBe(false);
  });
});
