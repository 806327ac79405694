/**
 * "The approved plan is the applied plan". What a reviewer approves is the plan's *effect* — the
 * planner's `planChangesOnly(plan)`: per business, every change and guard verdict, without
 * `createdAt`, the tool version, the policy commit, fingerprints or source lines, all of which
 * differ between the plan on the pull request and the re-plan at the merge commit even when both
 * would apply exactly the same thing. Its digest (`planChangesDigest`) is salted with the pull
 * request's URL before it is posted, so a digest copied from one pull request's comment never
 * validates another's.
 */
import { digestOf, sha256Hex } from '../canonical.js';
import {
  comparePlans,
  planChangesDigest,
  planFromEffect,
  type PlanEffect,
} from './compare-plans.js';
import { policyChangesDigest, type BusinessPolicyChange } from './policy-changes.js';
import type { Plan } from '../types.js';

/**
 * `sha256:<hex>` of what an approval covers: the plan's effect (the planner's
 * `planChangesDigest`) and, when the policies' facts changed, those policy changes
 * (policy-changes.ts). Without policy changes it is the effect digest alone.
 */
export function approvalDigest(
  plan: Plan,
  policyChanges: readonly BusinessPolicyChange[] = [],
): string {
  return withPolicyChanges(planChangesDigest(plan), policyChanges);
}

/** The effect digest alone, or combined with the policy changes' digest when there are some. */
function withPolicyChanges(effect: string, policyChanges: readonly BusinessPolicyChange[]): string {
  if (policyChanges.length === 0) return effect;
  return digestOf({ effect, policy: policyChangesDigest(policyChanges) });
}

/** `sha256:<hex>` of `prUrl + planDigest`: the value the plan comment carries. */
export function saltedDigest(prUrl: string, planDigest: string): string {
  if (!prUrl) throw new TypeError('saltedDigest: the pull request URL is required');
  return `sha256:${sha256Hex(prUrl + planDigest)}`;
}

/**
 * True when a recorded effect (and the recorded policy changes, if any) are exactly what
 * `saltedDigest` was computed from.
 */
export function effectMatches(
  effect: PlanEffect,
  prUrl: string,
  salted: string,
  policyChanges: readonly BusinessPolicyChange[] = [],
): boolean {
  // digestOf(effect) is planChangesDigest of the plan the effect was recorded from.
  return saltedDigest(prUrl, withPolicyChanges(digestOf(effect), policyChanges)) === salted;
}

/**
 * The planner's `comparePlans` between the approved effect (read back from the comment) and the
 * new plan: one line per difference. The effect has no names; they are taken from the new plan
 * where the business is still there (`planFromEffect`).
 */
export function describeDifference(approved: PlanEffect, current: Plan): string[] {
  return comparePlans(planFromEffect(approved, current), current);
}

/** Shape check for an effect read back from a hidden record (untrusted JSON). */
export function isPlanEffect(value: unknown): value is PlanEffect {
  const businesses = (value as { businesses?: unknown } | null)?.businesses;
  return (
    Array.isArray(businesses) &&
    businesses.every(
      (b: unknown) =>
        !!b &&
        typeof b === 'object' &&
        typeof (b as { businessId?: unknown }).businessId === 'number' &&
        Array.isArray((b as { changes?: unknown }).changes) &&
        Array.isArray((b as { guards?: unknown }).guards),
    )
  );
}
