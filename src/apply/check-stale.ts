import { digestOf } from '../canonical.js';
import type { BusinessPlan, Change, LiveBusiness, LiveMember, RoleState } from '../types.js';
import type { OperationHistory } from './journal.js';
import { isSettled } from './journal.js';
import { operationKey } from './order-operations.js';
import { checkTarget, membersFor, viewOfLive } from './target-state.js';

/** One reason a plan no longer describes live FreshBooks. */
export interface StaleFinding {
  businessId: number;
  email?: string;
  message: string;
}

export interface StaleCheckInput {
  business: BusinessPlan;
  live: LiveBusiness;
  /** The changes about to be applied (the plan's, possibly filtered). */
  changes: readonly Change[];
  history: ReadonlyMap<string, OperationHistory>;
  strict: boolean;
  /** `untouchedDigest` recorded when this plan's apply first started, if it has. */
  baseline?: string;
}

/**
 * Refuses a plan that is no longer what was reviewed. Each member a change touches must be as
 * the plan saw it (its fingerprint), and a grant's person must still be absent. An operation
 * an earlier run of this plan already started may also be found in its target state — that is
 * our own write, not someone else's. With `strict`, nothing else in the business may have
 * changed either: before the first write the whole business fingerprint must match; once a run
 * has written, the members no change touches must match what that run saw.
 */
export function findStaleChanges(input: StaleCheckInput): StaleFinding[] {
  const { business, live, changes, history, strict } = input;
  const findings: StaleFinding[] = [];
  const views = live.members.map(viewOfLive);
  let started = false;
  for (const change of changes) {
    const entry = history.get(operationKey(change));
    if (entry) started = true;
    if (isSettled(entry)) continue;
    if (entry && checkTarget(change, membersFor(change, views)).status === 'done') continue;
    const message = staleMessage(change, business, live);
    if (message) findings.push({ businessId: business.businessId, email: change.email, message });
  }
  if (strict) {
    const label = `${business.name} (${business.businessId})`;
    if (!started && live.fingerprint !== business.liveFingerprint) {
      findings.push({
        businessId: business.businessId,
        message: `${label}: members outside the plan changed since the plan (--strict)`,
      });
    } else if (
      started &&
      input.baseline !== undefined &&
      input.baseline !== untouchedDigest(business, live)
    ) {
      findings.push({
        businessId: business.businessId,
        message: `${label}: members outside the plan changed since this apply began (--strict)`,
      });
    }
  }
  return dedupe(findings);
}

function staleMessage(change: Change, business: BusinessPlan, live: LiveBusiness): string | null {
  if (change.uuid === undefined) {
    // A grant to someone FreshBooks did not know at plan time: they must still be unknown.
    const now = live.members.filter((m) => m.email === change.email);
    const first = now[0];
    if (!first) return null;
    return `${change.email}: appeared since the plan (now ${first.state} as ${roleName(first)})`;
  }
  const expected = business.memberFingerprints[change.uuid];
  const member = live.members.find((m) => m.uuid === change.uuid);
  if (!member) return `${change.email}: no longer in FreshBooks since the plan`;
  if (expected === undefined)
    return `${change.email}: the plan carries no fingerprint for this member`;
  if (member.fingerprint === expected) return null;
  return `${change.email}: ${describeDifference(change.from, member)} since the plan`;
}

/**
 * A live member's role as every other line of output names it: the policy's name (`manager`),
 * or FreshBooks' own name verbatim when rolecall does not know the role. The plan's `from` is
 * named the same way, so the two compare as names.
 */
function roleName(member: LiveMember): string {
  return member.role ?? member.apiRole;
}

function describeDifference(from: RoleState | null, member: LiveMember): string {
  const parts: string[] = [];
  if (from && from.role !== roleName(member)) parts.push(`role ${from.role} → ${roleName(member)}`);
  if (from && from.state !== member.state) parts.push(`state ${from.state} → ${member.state}`);
  if (parts.length === 0) parts.push('details changed (name, identity or dates)');
  return parts.join(', ');
}

/** A digest of the live members no change of the plan touches (by uuid or email). */
export function untouchedDigest(business: BusinessPlan, live: LiveBusiness): string {
  const uuids = new Set(business.changes.flatMap((c) => (c.uuid === undefined ? [] : [c.uuid])));
  const emails = new Set(business.changes.map((c) => c.email));
  const rest = live.members
    .filter((m) => !uuids.has(m.uuid) && !emails.has(m.email))
    .map((m) => [m.uuid, m.fingerprint])
    .sort(([a], [b]) => ((a ?? '') < (b ?? '') ? -1 : 1));
  return digestOf({ businessId: live.businessId, members: rest });
}

function dedupe(findings: StaleFinding[]): StaleFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.businessId}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
