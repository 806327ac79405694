import { canonicalJson, digestOf } from '../canonical.js';
import type { BusinessPlan, Change, GuardResult, Plan } from '../types.js';
import { businessTitle, describeChange } from './describe.js';
import { displayExpiry } from './expiry.js';

/**
 * What a plan *does*, without what merely describes when and from where it was made: no
 * `createdAt`, tool version, policy commit, digests or fingerprints, and no `source` positions
 * (a merge that shifts lines in a policy file does not change what is applied). Two plans
 * with the same projection apply the same operations under the same guard verdicts.
 */
export interface PlanEffect {
  businesses: Array<{
    businessId: number;
    mode: BusinessPlan['mode'];
    applyable: boolean;
    changes: Array<Omit<Change, 'source'>>;
    guards: Array<
      Pick<GuardResult, 'guard' | 'ok'> & { override?: { reason: string; ticket: string } }
    >;
  }>;
}

export function planChangesOnly(plan: Plan): PlanEffect {
  return {
    businesses: plan.businesses.map((business) => ({
      businessId: business.businessId,
      mode: business.mode,
      applyable: business.applyable,
      changes: business.changes.map(withoutSource),
      guards: business.guards.map((result) => {
        const guard: PlanEffect['businesses'][number]['guards'][number] = {
          guard: result.guard,
          ok: result.ok,
        };
        if (result.override !== undefined) {
          guard.override = { reason: result.override.reason, ticket: result.override.ticket };
        }
        return guard;
      }),
    })),
  };
}

/**
 * Digest of `planChangesOnly(plan)`: stable across re-plans that would apply the same thing
 * (unlike `plan.digest`, which covers `createdAt`). The GitHub gate compares these.
 */
export function planChangesDigest(plan: Plan): string {
  return digestOf(planChangesOnly(plan));
}

/**
 * The inverse of `planChangesOnly`, as far as there is one: a plan with exactly `effect`'s
 * changes and guard verdicts (so its effect digest is `effect`'s by construction), and the
 * names, files and commits of `current`'s businesses where `current` has them. Used to judge or
 * compare an approved plan read back from its record.
 */
export function planFromEffect(effect: PlanEffect, current: Plan): Plan {
  const byId = new Map(current.businesses.map((b) => [b.businessId, b]));
  const businesses: BusinessPlan[] = effect.businesses.map((b) => {
    const now = byId.get(b.businessId);
    return {
      businessId: b.businessId,
      name: now?.name ?? `business ${b.businessId}`,
      policyFile: now?.policyFile ?? '',
      policyCommit: now?.policyCommit ?? { sha: null, dirty: false },
      desiredDigest: now?.desiredDigest ?? '',
      liveFingerprint: now?.liveFingerprint ?? '',
      memberFingerprints: {},
      mode: b.mode,
      changes: b.changes as Change[],
      unmanaged: [],
      guards: b.guards.map((g) => ({
        guard: g.guard,
        ok: g.ok,
        message: '',
        ...(g.override
          ? { override: { ...g.override, source: { file: '', line: 0, col: 0 } } }
          : {}),
      })),
      applyable: b.applyable,
    };
  });
  return { ...current, businesses };
}

/**
 * The differences between an approved plan `a` and a new plan `b`, one human line each, in
 * business order then change order; empty when they apply the same thing.
 */
export function comparePlans(a: Plan, b: Plan): string[] {
  const lines: string[] = [];
  const before = new Map(a.businesses.map((business) => [business.businessId, business]));
  const after = new Map(b.businesses.map((business) => [business.businessId, business]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort((x, y) => x - y);
  for (const id of ids) {
    const old = before.get(id);
    const now = after.get(id);
    if (old === undefined && now !== undefined) {
      lines.push(
        `${businessTitle(now)}: not in the approved plan (now ${now.changes.length} changes)`,
      );
    } else if (old !== undefined && now === undefined) {
      lines.push(
        `${businessTitle(old)}: no longer in the plan (had ${old.changes.length} changes)`,
      );
    } else if (old !== undefined && now !== undefined) {
      lines.push(...compareBusiness(old, now).map((line) => `${businessTitle(now)}: ${line}`));
    }
  }
  return lines;
}

function compareBusiness(old: BusinessPlan, now: BusinessPlan): string[] {
  const lines: string[] = [];
  if (old.mode !== now.mode) lines.push(`mode ${old.mode} → ${now.mode}`);
  const oldByEmail = new Map(old.changes.map((change) => [change.email, change]));
  const newByEmail = new Map(now.changes.map((change) => [change.email, change]));
  for (const change of old.changes) {
    const next = newByEmail.get(change.email);
    if (next === undefined) {
      lines.push(`removed: ${describeChange(change)} ${change.email}`);
    } else if (canonicalJson(withoutSource(change)) !== canonicalJson(withoutSource(next))) {
      const [was, is] = describePair(change, next);
      lines.push(`changed: ${change.email}: was ${was}; now ${is}`);
    }
  }
  for (const change of now.changes) {
    if (!oldByEmail.has(change.email))
      lines.push(`added: ${describeChange(change)} ${change.email}`);
  }
  const oldGuards = new Map(old.guards.map((result) => [result.guard, result]));
  for (const result of now.guards) {
    const was = oldGuards.get(result.guard);
    const wasText = was === undefined ? 'not evaluated' : guardState(was);
    if (wasText !== guardState(result))
      lines.push(`guard ${result.guard}: ${wasText} → ${guardState(result)}`);
  }
  if (old.applyable !== now.applyable) {
    lines.push(`applyable: ${old.applyable ? 'yes' : 'no'} → ${now.applyable ? 'yes' : 'no'}`);
  }
  return lines;
}

/** A change without its policy position: what it does, wherever the policy file put it. */
export function withoutSource(change: Change): Omit<Change, 'source'> {
  const { source: _source, ...rest } = change;
  return rest;
}

type Field = 'expires' | 'provisioning' | 'ticket' | 'policyReason' | 'uuid';
const SECONDARY: ReadonlyArray<[Field, (value: string | undefined) => string]> = [
  ['expires', (value) => (value === undefined ? 'no expiry' : `until ${displayExpiry(value)}`)],
  ['provisioning', (value) => `${value ?? 'api'} provisioning`],
  ['ticket', (value) => (value === undefined ? 'no ticket' : `ticket ${value}`)],
  ['policyReason', (value) => (value === undefined ? 'no reason' : `reason "${value}"`)],
  ['uuid', (value) => (value === undefined ? 'no uuid' : `uuid ${value}`)],
];

/**
 * Both sides of a changed change: the one-line description plus exactly the secondary fields
 * that differ (in brackets), so the reader never sees "was X; now X".
 */
function describePair(a: Change, b: Change): [string, string] {
  const was: string[] = [];
  const is: string[] = [];
  for (const [field, show] of SECONDARY) {
    if (a[field] === b[field]) continue;
    was.push(show(a[field]));
    is.push(show(b[field]));
  }
  let left = describeChange(a);
  let right = describeChange(b);
  if (was.length === 0 && left === right) {
    // Only the explanation differs (a member moved from a team to a direct entry, …).
    was.push(a.reason);
    is.push(b.reason);
  }
  if (was.length > 0) {
    left += ` [${was.join(', ')}]`;
    right += ` [${is.join(', ')}]`;
  }
  return [left, right];
}

function guardState(result: GuardResult): string {
  if (result.ok) return 'passed';
  return result.override === undefined
    ? 'failed'
    : `failed, overridden (${result.override.ticket})`;
}
