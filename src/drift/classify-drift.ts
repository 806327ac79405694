/**
 * Drift: a refresh-only plan. The planner's own diff (`diffBusiness`) says what an apply would
 * change; drift classifies each of those changes (and what the diff reports but never
 * touches) by what must have happened in FreshBooks, and adds what only time reveals: stale
 * invitations and grants about to end. Pure: `now` and the journal come in as data.
 */
import type { JournalRecord, ManualTask } from '../apply/records.js';
import { diffBusiness } from '../plan/diff-business.js';
import { isExpired } from '../plan/expiry.js';
import { countSeats, roundToCents, seatPolicyOf } from '../seats.js';
import type {
  BusinessPolicy,
  Change,
  DesiredMember,
  DesiredState,
  LiveBusiness,
  LiveMember,
  LiveState,
  PolicyCommit,
} from '../types.js';
import {
  itemOfChange,
  itemOfExpiringSoon,
  itemOfManualTask,
  itemOfPendingInvitation,
  itemOfSeatsOverLimit,
  itemOfUnmanaged,
} from './drift-items.js';
import {
  DRIFT_CLASSES,
  emptyCounts,
  type BusinessDrift,
  type DriftItem,
  type DriftReport,
  type DriftSeats,
} from './drift-report.js';
import { journalEvidence, personKey, type JournalEvidence } from './journal-evidence.js';

const DAY_MS = 86_400_000;
const SEVERITY_ORDER = { high: 0, medium: 1, low: 2, info: 3 } as const;
const CLASS_ORDER = new Map<string, number>(DRIFT_CLASSES.map((name, index) => [name, index]));

export interface ClassifyDriftInput {
  desired: DesiredState;
  live: LiveState;
  /** The clock is an argument: expiry, stale invitations and reminders are judged against it. */
  now: Date;
  /** Every record of the applier's journals (`.rolecall/journal/*.jsonl`), in any order. */
  journal?: readonly JournalRecord[];
  /** Only these businesses (each must be in `desired`); default: all of them. */
  businessIds?: readonly number[];
  /** Policy file → the commit it was read at, recorded in the report. */
  policyCommits?: Record<string, PolicyCommit>;
}

/**
 * (DesiredState, LiveState, now, journal) → DriftReport. Deterministic: the same inputs give
 * the same report, whatever the order of members and journal records.
 *
 * "Missing" covers both "removed by hand" and "never applied": FreshBooks keeps no record of a
 * cancelled invitation, so the two look alike. The message says which when there is evidence
 * (a deactivated record means someone removed the person; an apply journal that had them in
 * place means they were removed since), and says it cannot tell otherwise.
 */
export function classifyDrift(input: ClassifyDriftInput): DriftReport {
  const { desired, live, now } = input;
  const evidence = journalEvidence(input.journal ?? [], live);
  const liveById = new Map(live.businesses.map((business) => [business.businessId, business]));
  let policies = desired.businesses;
  if (input.businessIds !== undefined) {
    const scope = new Set(input.businessIds);
    policies = policies.filter((policy) => scope.has(policy.businessId));
  }
  const businesses = policies.map((policy) => {
    const business = liveById.get(policy.businessId);
    if (business === undefined) {
      throw new Error(
        `classifyDrift: business ${policy.businessId} (${policy.file}) is missing from the live state`,
      );
    }
    const commit = input.policyCommits?.[policy.file];
    return classifyBusiness(policy, business, now, evidence, commit);
  });
  return {
    version: 1,
    generatedAt: now.toISOString(),
    syncedAt: live.syncedAt,
    businesses,
  };
}

function classifyBusiness(
  policy: BusinessPolicy,
  live: LiveBusiness,
  now: Date,
  evidence: JournalEvidence,
  commit: PolicyCommit | undefined,
): BusinessDrift {
  const diff = diffBusiness(policy, live, now);
  const desiredByEmail = new Map(policy.members.map((member) => [member.email, member]));
  const recordsByEmail = new Map<string, LiveMember[]>();
  const owners = new Set<string>();
  for (const member of live.members) {
    recordsByEmail.set(member.email, [...(recordsByEmail.get(member.email) ?? []), member]);
    if (member.role === 'owner') owners.add(member.email);
  }

  // A manual task stands for the change it asked a human to make, as long as the refresh-only
  // plan still wants exactly that change. A task the policy has since moved away from (another
  // role, the entry removed) is obsolete: the plan's own item tells the current story.
  const taskOf = new Map<Change, { task: ManualTask; at: string }>();
  let obsoleteManualTasks = 0;
  for (const pending of evidence.pendingTasks) {
    if (pending.task.businessId !== policy.businessId) continue;
    const change = diff.changes.find((c) => !taskOf.has(c) && sameChange(c, pending.task));
    if (change === undefined) obsoleteManualTasks += 1;
    else taskOf.set(change, pending);
  }

  const items: DriftItem[] = [];
  for (const change of diff.changes) {
    const desired = desiredByEmail.get(change.email);
    const task = taskOf.get(change);
    items.push(
      task === undefined
        ? itemOfChange(
            change,
            desired,
            evidence.lastPutInPlace.get(personKey(policy.businessId, change.email)),
            evidence.unconfirmed.get(
              `${personKey(policy.businessId, change.email)}/${change.action}`,
            ),
          )
        : itemOfManualTask(change, desired, task.task, task.at),
    );
  }

  let outsideAdditivePolicy = 0;
  for (const member of diff.unmanaged) {
    const records = (recordsByEmail.get(member.email) ?? []).filter(
      (m) => m.state !== 'deactivated',
    );
    const desired = desiredByEmail.get(member.email);
    // An additive policy allows people it does not list: not drift. Unknown roles and
    // duplicate records are drift in both modes (rolecall cannot manage them).
    const allowed =
      policy.mode === 'additive' &&
      desired === undefined &&
      records.length === 1 &&
      records[0]?.role !== null;
    if (allowed) outsideAdditivePolicy += 1;
    else items.push(itemOfUnmanaged(policy.businessId, member, desired));
  }

  const pendingMs = policy.rules.pendingInvitationDays * DAY_MS;
  const soonMs = policy.rules.expiringSoonDays * DAY_MS;
  for (const desired of policy.members) {
    if (owners.has(desired.email) || isExpired(desired, now)) continue;
    const records = recordsByEmail.get(desired.email) ?? [];
    const invitedAt = evidence.lastInvited.get(personKey(policy.businessId, desired.email));
    const invitation = staleInvitation(records, now, pendingMs, invitedAt);
    if (invitation !== undefined) {
      items.push(
        itemOfPendingInvitation(
          policy.businessId,
          invitation.member,
          invitation.since,
          desired,
          policy.rules.pendingInvitationDays,
        ),
      );
    }
    if (desired.expires !== undefined && Date.parse(desired.expires) - now.getTime() <= soonMs) {
      items.push(
        itemOfExpiringSoon(
          policy.businessId,
          desired as DesiredMember & { expires: string },
          primaryRecord(records),
        ),
      );
    }
  }

  const seats = seatsOf(policy, live);
  if (seats.limit !== undefined && seats.used > seats.limit) {
    items.push(itemOfSeatsOverLimit(policy.businessId, seats.used, seats.limit));
  }

  const sorted = disambiguate(items).sort(compareItems);
  const counts = emptyCounts();
  for (const entry of sorted) counts[entry.class] += 1;
  return {
    businessId: policy.businessId,
    name: live.name || policy.name || `business ${policy.businessId}`,
    policyFile: policy.file,
    ...(commit === undefined ? {} : { policyCommit: { sha: commit.sha, dirty: commit.dirty } }),
    mode: policy.mode,
    thresholds: {
      pendingInvitationDays: policy.rules.pendingInvitationDays,
      expiringSoonDays: policy.rules.expiringSoonDays,
    },
    seats,
    items: sorted,
    counts,
    outsideAdditivePolicy,
    obsoleteManualTasks,
    hasDrift: sorted.some((entry) => entry.drift),
  };
}

/**
 * Paid seats in use in FreshBooks, counted over every live record (people outside an additive
 * policy and unknown roles hold seats too), against the policy's declared limit and price.
 */
function seatsOf(policy: BusinessPolicy, live: LiveBusiness): DriftSeats {
  const declared = seatPolicyOf(policy);
  const used = countSeats(live.members, declared.paidRoles);
  const price = declared.price;
  return {
    used,
    ...(declared.limit === undefined ? {} : { limit: declared.limit }),
    paidRoles: [...declared.paidRoles],
    ...(price === undefined
      ? {}
      : { price: { ...price }, cost: roundToCents(used * price.amount) }),
  };
}

function sameChange(change: Change, task: ManualTask): boolean {
  return (
    change.email === task.email &&
    change.action === task.action &&
    (change.to?.role ?? null) === (task.to?.role ?? null)
  );
}

/**
 * The invitation of a person with no active record, sent more than `pendingMs` ago, with the
 * date it was sent. FreshBooks dates an invitation by the member's `createdAt` (without one
 * there is no age); a re-invitation keeps the original `createdAt`, so a later invitation the
 * journal records (`invitedAt`) wins.
 */
function staleInvitation(
  records: readonly LiveMember[],
  now: Date,
  pendingMs: number,
  invitedAt: string | undefined,
): { member: LiveMember; since: string } | undefined {
  if (records.some((m) => m.state === 'active')) return undefined;
  const member = records
    .filter((m) => m.state === 'invited' && m.createdAt !== null)
    .sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0))[0];
  if (member === undefined) return undefined;
  const created = member.createdAt as string;
  const since =
    invitedAt !== undefined && Date.parse(invitedAt) > Date.parse(created) ? invitedAt : created;
  return now.getTime() - Date.parse(since) > pendingMs ? { member, since } : undefined;
}

/** The record the planner manages for an email: the most alive one (then the lowest uuid). */
function primaryRecord(records: readonly LiveMember[]): LiveMember | undefined {
  const rank = { active: 2, invited: 1, deactivated: 0 } as const;
  return [...records].sort(
    (a, b) => rank[b.state] - rank[a.state] || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0),
  )[0];
}

/** Two records of one email in one class (a duplicate record): both keys get the uuid. */
function disambiguate(items: DriftItem[]): DriftItem[] {
  const seen = new Map<string, number>();
  for (const entry of items) seen.set(entry.key, (seen.get(entry.key) ?? 0) + 1);
  return items.map((entry) =>
    (seen.get(entry.key) ?? 0) > 1 && entry.live !== null
      ? { ...entry, key: `${entry.key}/${entry.live.uuid}` }
      : entry,
  );
}

function compareItems(a: DriftItem, b: DriftItem): number {
  return (
    (CLASS_ORDER.get(a.class) ?? 0) - (CLASS_ORDER.get(b.class) ?? 0) ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    compare(a.email, b.email) ||
    compare(a.key, b.key)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
