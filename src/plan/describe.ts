import { API_ROLE_BY_POLICY_ROLE } from '../roles.js';
import type { Action, BusinessPlan, Change, Plan, PolicyCommit } from '../types.js';

/** Words shared by every renderer, so text, markdown and comparisons say the same thing. */

export type ChangeCounts = Record<Action, number>;

export function countChanges(changes: readonly Change[]): ChangeCounts {
  const counts: ChangeCounts = { grant: 0, change: 0, revoke: 0 };
  for (const change of changes) counts[change.action] += 1;
  return counts;
}

/** Changes in all businesses, of a plan or of its effect (`planChangesOnly`). */
export function totalChanges(plan: {
  businesses: readonly { changes: readonly unknown[] }[];
}): number {
  let total = 0;
  for (const business of plan.businesses) total += business.changes.length;
  return total;
}

/** True when any business has a change (what `--detailed-exitcode` reports as 2). */
export function planHasChanges(plan: Plan): boolean {
  return plan.businesses.some((business) => business.changes.length > 0);
}

/** True when every business may be applied (no failed guard without an override). */
export function planIsApplyable(plan: Plan): boolean {
  return plan.businesses.every((business) => business.applyable);
}

/** "Plan: 2 to grant, 2 to change, 2 to revoke." */
export function summaryLine(counts: ChangeCounts): string {
  return `Plan: ${counts.grant} to grant, ${counts.change} to change, ${counts.revoke} to revoke.`;
}

export function noChangesLine(business: Pick<BusinessPlan, 'name'>): string {
  return `No changes. ${business.name} matches the policy.`;
}

export function businessTitle(business: Pick<BusinessPlan, 'name' | 'businessId'>): string {
  return `${business.name} (${business.businessId})`;
}

const KNOWN_ROLE_NAMES: ReadonlySet<string> = new Set(Object.keys(API_ROLE_BY_POLICY_ROLE));

/** `RoleState.role` holds the verbatim API name when rolecall does not know the role. */
export function isKnownRoleName(role: string): boolean {
  return KNOWN_ROLE_NAMES.has(role);
}

export function roleLabel(role: string): string {
  return isKnownRoleName(role) ? role : `${role} (unknown role)`;
}

const STATE_LABEL = { active: 'active', invited: 'pending invitation', deactivated: 'deactivated' };

export function stateLabel(state: keyof typeof STATE_LABEL): string {
  return STATE_LABEL[state];
}

/** "grant accountant", "change manager → employee", "revoke employee" — no email, no colour. */
export function describeChangeShort(change: Change): string {
  const from = change.from === null ? '' : roleLabel(change.from.role);
  switch (change.action) {
    case 'grant':
      return `grant ${change.to?.role ?? '?'}`;
    case 'change':
      return `change ${from} → ${change.to?.role ?? '?'}`;
    case 'revoke':
      return `revoke ${from}`;
  }
}

/**
 * One line per change, longer than `describeChangeShort`: direction, re-invite, state of the
 * record being revoked. "change manager → employee (downgrade)", "revoke accountant (pending
 * invitation)".
 */
export function describeChange(change: Change): string {
  const short = describeChangeShort(change);
  if (change.action === 'change' && change.direction !== undefined) {
    return `${short} (${change.direction})`;
  }
  if (change.action === 'grant' && change.cause === 'reinvite') return `${short} (re-invite)`;
  if (change.action === 'revoke' && change.from !== null && change.from.state !== 'active') {
    return `${short} (${stateLabel(change.from.state)})`;
  }
  return short;
}

/** The role a summary table files a change under: the role granted or changed to, or revoked. */
export function summaryRoleOf(change: Change): string {
  return change.to?.role ?? change.from?.role ?? '?';
}

export function shortSha(commit: PolicyCommit): string {
  if (commit.sha === null) return 'uncommitted';
  return `${commit.sha.slice(0, 7)}${commit.dirty ? ' + uncommitted edits' : ''}`;
}

export function sourceText(source: { file: string; line: number }): string {
  return `${source.file}:${source.line}`;
}
