/**
 * The drift report: what differs between live FreshBooks and the policy at HEAD, each
 * difference classified, for a terminal, a machine (JSON) and the drift issue (markdown).
 * Plain JSON-serialisable data, like everything in `types.ts`.
 */
import type { PolicyRole } from '../roles.js';
import type {
  ChangeCause,
  MemberState,
  PolicyCommit,
  PolicyMode,
  SeatPrice,
  SourceRef,
} from '../types.js';

/**
 * The classes, in the order every renderer lists them: excess access first (the security
 * risk), then missing access, then housekeeping (the seat count last: it is the business's,
 * and usually the sum of the items above it), then reminders.
 */
export const DRIFT_CLASSES = [
  'unmanaged',
  'expired-active',
  'role-mismatch',
  'missing',
  'pending-invitation',
  'manual-task',
  'seats-over-limit',
  'expiring-soon',
] as const;
export type DriftClass = (typeof DRIFT_CLASSES)[number];

/** `info` is only ever used for reminders (not drift). */
export type DriftSeverity = 'high' | 'medium' | 'low' | 'info';

/** Human titles, shared by the renderers. */
export const CLASS_TITLES: Readonly<Record<DriftClass, string>> = {
  unmanaged: 'Unmanaged access',
  'expired-active': 'Expired but still active',
  'role-mismatch': 'Role mismatch',
  missing: 'Missing access',
  'pending-invitation': 'Invitation pending too long',
  'manual-task': 'Manual task still pending',
  'seats-over-limit': 'Over the seat limit',
  'expiring-soon': 'Expiring soon',
};

export interface DriftLive {
  uuid: string;
  /** rolecall's role name, or the verbatim API name of a role rolecall does not know. */
  role: string;
  state: MemberState;
}

export interface DriftDesired {
  role: PolicyRole;
  /** ISO instant (the first instant the grant is no longer allowed). */
  expires?: string;
  reason?: string;
  ticket?: string;
}

export interface DriftItem {
  /**
   * `<businessId>:<class>:<email>` — stable across runs, so the drift issue keeps the date an
   * item was first seen. Two FreshBooks records of one email in the same class (a duplicate
   * record) get `/<uuid>` appended, both of them. An item of the whole business (no email:
   * `seats-over-limit`) is `<businessId>:<class>`, whatever the counts, so that a seat more or
   * less keeps its first-seen date.
   */
  key: string;
  businessId: number;
  /** Empty for an item of the whole business (`seats-over-limit`). */
  email: string;
  class: DriftClass;
  severity: DriftSeverity;
  /** False for reminders (`expiring-soon`): listed, never counted as drift. */
  drift: boolean;
  /** The FreshBooks side; `null` when FreshBooks has no record of the person. */
  live: DriftLive | null;
  /** The policy side; `null` when the policy does not list the person. */
  desired: DriftDesired | null;
  /**
   * One line for a human. Never depends on `now` beyond the classification itself (no "3 days
   * ago"): the drift issue is rewritten only when its text changes, so a daily run with the
   * same drift must produce the same words.
   */
  message: string;
  /** The policy line behind the item, where there is one. */
  source?: SourceRef;
  /** The planner's cause, when the item comes from the diff. */
  cause?: ChangeCause;
  /**
   * ISO instant the item dates from, where FreshBooks or the journal knows it: the invitation
   * (`pending-invitation`), the journal entry (`manual-task`), the expiry (`expiring-soon`).
   */
  since?: string;
  /**
   * `seats-over-limit`: paid seats in use and the policy's limit. Kept out of `message`: the
   * drift issue shows the message, and must not be rewritten for every seat more or less.
   */
  seats?: { used: number; limit: number };
}

/**
 * A business's paid seats as drift sees them: in use in FreshBooks (active members and pending
 * invitations with a role in `paidRoles`, as FreshBooks counts invitations) against what the
 * policy's `seats:` declares.
 */
export interface DriftSeats {
  used: number;
  /** `seats.limit`; absent when the policy declares none. */
  limit?: number;
  /** The roles counted as paid, rolecall names, highest first. */
  paidRoles: string[];
  price?: SeatPrice;
  /** `used × price.amount` per `price.per`, rounded to cents; absent without a price. */
  cost?: number;
}

export interface BusinessDrift {
  businessId: number;
  name: string;
  policyFile: string;
  /** The commit the policy was read at, when the caller knows it. */
  policyCommit?: PolicyCommit;
  mode: PolicyMode;
  thresholds: { pendingInvitationDays: number; expiringSoonDays: number };
  /** Paid seats in use, with the policy's limit and price (default paid roles without `seats:`). */
  seats: DriftSeats;
  /** Ordered by class (`DRIFT_CLASSES`), then severity (high first), then email, then key. */
  items: DriftItem[];
  counts: Record<DriftClass, number>;
  /** Members outside an additive policy: allowed by it, so not drift; counted for context. */
  outsideAdditivePolicy: number;
  /** Manual tasks in the journal that the current policy no longer wants (not reported). */
  obsoleteManualTasks: number;
  /** True when any item is drift (reminders alone are not). */
  hasDrift: boolean;
}

export interface DriftReport {
  version: 1;
  /** The instant the report was judged at (`now`). */
  generatedAt: string;
  /** When the live state was read. */
  syncedAt: string;
  businesses: BusinessDrift[];
}

export function emptyCounts(): Record<DriftClass, number> {
  return {
    unmanaged: 0,
    'expired-active': 0,
    'role-mismatch': 0,
    missing: 0,
    'pending-invitation': 0,
    'manual-task': 0,
    'seats-over-limit': 0,
    'expiring-soon': 0,
  };
}

/** True when any business has drift: what `--detailed-exitcode` reports as 2. */
export function reportHasDrift(report: Pick<DriftReport, 'businesses'>): boolean {
  return report.businesses.some((business) => business.hasDrift);
}

/** Items of a report that are drift, and reminders, over every business. */
export function countItems(report: Pick<DriftReport, 'businesses'>): {
  drift: number;
  reminders: number;
} {
  let drift = 0;
  let reminders = 0;
  for (const business of report.businesses) {
    for (const item of business.items) {
      if (item.drift) drift += 1;
      else reminders += 1;
    }
  }
  return { drift, reminders };
}
