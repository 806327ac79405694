import { evaluateGuards } from '../plan/guards/evaluate-guards.js';
import { seatPolicyOf } from '../seats.js';
import type { BusinessPlan, Change, DesiredState, LiveState } from '../types.js';
import { findStaleChanges, untouchedDigest } from './check-stale.js';
import { isSettled, type OperationHistory } from './journal.js';
import { operationKey } from './order-operations.js';
import { checkTarget, membersFor, viewOfLive } from './target-state.js';

export type RefusalCode =
  | 'LIVE_UNREADABLE'
  | 'POLICY_MISSING'
  | 'POLICY_CHANGED'
  | 'STALE'
  | 'NOT_APPLYABLE'
  | 'GUARD'
  | 'NOT_APPROVED'
  /** Ctrl-C or SIGTERM before the first write. */
  | 'INTERRUPTED';

/** Why nothing was written. */
export interface Refusal {
  code: RefusalCode;
  message: string;
  details: string[];
}

export interface PreflightInput {
  /** The businesses with changes to apply, each with its (possibly filtered) changes. */
  scope: ReadonlyArray<{ business: BusinessPlan; changes: Change[] }>;
  desired: DesiredState;
  /** Fresh from FreshBooks, read just now. */
  live: LiveState;
  history: ReadonlyMap<string, OperationHistory>;
  /** businessId → `untouchedDigest` recorded when this plan's apply first started. */
  baseline: Readonly<Record<string, string>>;
  strict: boolean;
}

/**
 * Everything checked before the first write, except the approval: the policy is the one the
 * plan was made from (its rules re-check the guards); every business is readable; the plan is
 * not stale; the plan was applyable; and the guards still hold against fresh live state for
 * the changes not yet done. Pure. Returns a refusal, or the baseline to record for `--strict`.
 */
export function preflightChecks(input: PreflightInput): {
  refusal?: Refusal;
  untouched: Record<string, string>;
} {
  const untouched: Record<string, string> = {};
  const stale: string[] = [];
  const guardProblems: string[] = [];
  for (const { business, changes } of input.scope) {
    const title = `${business.name} (${business.businessId})`;
    const policy = input.desired.businesses.find((p) => p.businessId === business.businessId);
    if (!policy) {
      return refuse(
        untouched,
        'POLICY_MISSING',
        `no policy names business ${title}; apply needs it to re-check the guards`,
      );
    }
    if (policy.digest !== business.desiredDigest) {
      return refuse(
        untouched,
        'POLICY_CHANGED',
        `the policy for ${title} changed since the plan (${policy.file}); re-plan`,
      );
    }
    const live = input.live.businesses.find((b) => b.businessId === business.businessId);
    if (!live) {
      return refuse(
        untouched,
        'LIVE_UNREADABLE',
        `business ${title} is not readable with these credentials`,
      );
    }
    if (!business.applyable) {
      const failed = business.guards
        .filter((g) => !g.ok && !g.override)
        .map((g) => `${g.guard}: ${g.message}`);
      return refuse(untouched, 'NOT_APPLYABLE', `the plan for ${title} is not applyable`, failed);
    }
    const key = String(business.businessId);
    const baseline = input.baseline[key];
    untouched[key] = baseline ?? untouchedDigest(business, live);
    stale.push(
      ...findStaleChanges({
        business,
        live,
        changes,
        history: input.history,
        strict: input.strict,
        ...(baseline === undefined ? {} : { baseline }),
      }).map((finding) => finding.message),
    );
    // Judge what will actually be sent now: the changes an earlier run has not finished and
    // FreshBooks does not already show. A run killed between a write and its outcome leaves an
    // unfinished operation whose effect is live; counting it again would let the rerun's
    // guards (maxRevokes above all) refuse the very plan they passed.
    const views = live.members.map(viewOfLive);
    const pending = changes.filter(
      (change) =>
        !isSettled(input.history.get(operationKey(change))) &&
        checkTarget(change, membersFor(change, views)).status !== 'done',
    );
    const evaluation = evaluateGuards({
      rules: policy.rules,
      seats: seatPolicyOf(policy),
      overrides: policy.overrides,
      live,
      identity: input.live.identity,
      changes: pending,
    });
    for (const guard of evaluation.guards) {
      if (!guard.ok && !guard.override)
        guardProblems.push(`${title} ${guard.guard}: ${guard.message}`);
    }
  }
  if (stale.length > 0) {
    return refuse(
      untouched,
      'STALE',
      'the plan is stale: FreshBooks changed since it was made; re-plan',
      stale,
    );
  }
  if (guardProblems.length > 0) {
    return refuse(
      untouched,
      'GUARD',
      'a safety guard fails against live FreshBooks now; re-plan',
      guardProblems,
    );
  }
  return { untouched };
}

function refuse(
  untouched: Record<string, string>,
  code: RefusalCode,
  message: string,
  details: string[] = [],
): { refusal: Refusal; untouched: Record<string, string> } {
  return { refusal: { code, message, details }, untouched };
}
