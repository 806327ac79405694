import { RolecallError } from '../errors.js';
import type {
  BusinessPlan,
  DesiredState,
  LiveBusiness,
  LiveState,
  Plan,
  PolicyCommit,
} from '../types.js';
import { seatPolicyOf, summarizeSeats } from '../seats.js';
import { diffBusiness } from './diff-business.js';
import { evaluateGuards } from './guards/evaluate-guards.js';
import { planDigestOf } from './plan-digest.js';

export const PLAN_VERSION = 1 as const;

/** What a plan records when the caller could not say which commit the policy came from. */
export const UNKNOWN_POLICY_COMMIT: Readonly<PolicyCommit> = { sha: null, dirty: true };

export interface BuildPlanInput {
  desired: DesiredState;
  live: LiveState;
  /** The clock is an argument: expiry is judged against it and it becomes `createdAt`. */
  now: Date;
  toolVersion: string;
  /**
   * Policy file (as in `BusinessPolicy.file`) → the commit it was read at. A file missing here
   * is recorded as `{sha: null, dirty: true}`: provenance unknown is never reported as clean.
   */
  policyCommits?: Record<string, PolicyCommit>;
  /** Plan only these businesses (each must be in the desired state); default: all of them. */
  businessIds?: readonly number[];
  /**
   * `expired`: keep only the revokes of expired grants (`rolecall expire`). The guards judge
   * what will actually be applied, so they run on the restricted list.
   */
  only?: 'expired';
}

/**
 * (DesiredState, LiveState, now) → Plan. Pure and deterministic: the same inputs give the same
 * plan, byte for byte, whatever the order of members in the inputs.
 *
 * Throws a plain `Error` when a planned business is missing from the live state: the sync
 * reads every business the policies name, so that is a programming error, not a user error.
 */
export function buildPlan(input: BuildPlanInput): Plan {
  const { desired, live, now } = input;
  const liveById = new Map<number, LiveBusiness>();
  for (const business of live.businesses) liveById.set(business.businessId, business);

  let policies = desired.businesses;
  if (input.businessIds !== undefined) {
    const known = new Set(desired.businesses.map((policy) => policy.businessId));
    const unknown = input.businessIds.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new RolecallError(
        'PLAN_SCOPE',
        `business ${unknown.join(', ')} is not in any policy; policies name ${
          [...known].join(', ') || 'no business'
        }`,
      );
    }
    const scope = new Set(input.businessIds);
    policies = policies.filter((policy) => scope.has(policy.businessId));
  }

  const businesses = policies.map((policy): BusinessPlan => {
    const liveBusiness = liveById.get(policy.businessId);
    if (liveBusiness === undefined) {
      throw new Error(
        `buildPlan: business ${policy.businessId} (${policy.file}) is missing from the live state`,
      );
    }
    const diff = diffBusiness(policy, liveBusiness, now);
    const changes =
      input.only === 'expired'
        ? diff.changes.filter((change) => change.cause === 'expired')
        : diff.changes;

    // The fingerprints of the members the plan changes (a few of the whole team): a lookup of
    // those uuids only, not a map of every member.
    const changed = new Map<string, string | undefined>();
    for (const change of changes)
      if (change.uuid !== undefined) changed.set(change.uuid, undefined);
    if (changed.size > 0) {
      for (const member of liveBusiness.members)
        if (changed.has(member.uuid)) changed.set(member.uuid, member.fingerprint);
    }
    const memberFingerprints: Record<string, string> = {};
    for (const change of changes) {
      if (change.uuid === undefined) continue;
      const fingerprint = changed.get(change.uuid);
      if (fingerprint !== undefined) memberFingerprints[change.uuid] = fingerprint;
    }

    const seats = seatPolicyOf(policy);
    const seatSummary = summarizeSeats(seats, liveBusiness.members, changes);
    const { guards, applyable } = evaluateGuards({
      rules: policy.rules,
      seats,
      seatSummary,
      overrides: policy.overrides,
      live: liveBusiness,
      identity: live.identity,
      changes,
    });
    const commit = input.policyCommits?.[policy.file] ?? UNKNOWN_POLICY_COMMIT;
    return {
      businessId: policy.businessId,
      name: liveBusiness.name || policy.name || `business ${policy.businessId}`,
      policyFile: policy.file,
      policyCommit: { sha: commit.sha, dirty: commit.dirty },
      mode: policy.mode,
      desiredDigest: policy.digest,
      liveFingerprint: liveBusiness.fingerprint,
      applyable,
      guards,
      changes,
      unmanaged: diff.unmanaged,
      memberFingerprints,
      seats: seatSummary,
    };
  });

  const content: Omit<Plan, 'digest'> = {
    version: PLAN_VERSION,
    tool: { name: 'rolecall', version: input.toolVersion },
    createdAt: now.toISOString(),
    businesses,
  };
  // Equal to `digestOf(content)` from canonical.ts, computed faster (see plan-digest.ts).
  return { ...content, digest: planDigestOf(content) };
}
