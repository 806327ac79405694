/**
 * The access review pack: one row per person with access (or granted access by the policy) per
 * business, with the evidence an auditor asks for — who granted it, when, in which commit and
 * pull request, why — and flags that say where to look first.
 */
import type { PolicyRole } from '../roles.js';
import type { MemberState, SeatPrice } from '../types.js';

/** In this order in every rendering. */
export const REVIEW_FLAGS = [
  'privileged',
  'protected',
  'unmanaged',
  'unknown-role',
  'role-mismatch',
  'missing',
  'never-accepted',
  'pending-seat',
  'no-reason',
  'expired',
  'expired-seat',
  'expiring-soon',
] as const;
export type ReviewFlag = (typeof REVIEW_FLAGS)[number];

/** What each flag means, for legends in the renderings and the README. */
export const REVIEW_FLAG_MEANINGS: Readonly<Record<ReviewFlag, string>> = {
  privileged: 'owner, admin, manager or accountant (live or in the policy)',
  protected: 'the owner or in rules.protected: rolecall never changes or removes them',
  unmanaged: 'has access in FreshBooks but is not in the policy (granted by hand)',
  'unknown-role': 'FreshBooks reports a role rolecall does not know',
  'role-mismatch': 'the live role differs from the policy role',
  missing: 'in the policy but without access in FreshBooks (absent or deactivated)',
  'never-accepted': 'invitation still pending: the person never accepted it',
  'pending-seat':
    'a paid seat held by an invitation pending longer than rules.pendingInvitationDays: paid for, unused',
  'no-reason': 'the policy entry gives no reason',
  expired: 'the policy grant has expired (the next apply revokes it)',
  'expired-seat': 'a paid seat still held by a grant past its expiry: paid for, no longer allowed',
  'expiring-soon': 'the policy grant expires within the reminder window',
};

/** `absent`: the policy grants it, FreshBooks has no record of the person. */
export type ReviewState = MemberState | 'absent';

export interface ReviewRow {
  businessId: number;
  businessName: string;
  email: string;
  /** First and last name from FreshBooks; null when it has none or the person is not live. */
  name: string | null;
  /** Live role: rolecall's name, or FreshBooks' name verbatim when unknown; null when absent. */
  role: string | null;
  state: ReviewState;
  inPolicy: boolean;
  policyRole: PolicyRole | null;
  /** `member`, or `team:<name>` for a role given through a team; null when not in the policy. */
  via: string | null;
  reason: string | null;
  ticket: string | null;
  /** ISO instant: the first moment the grant is no longer allowed. */
  expires: string | null;
  /** Provenance of the policy entry: the commit that introduced its current email/role. */
  grantedBy: string | null;
  grantedByEmail: string | null;
  /** ISO author date of that commit. */
  grantedAt: string | null;
  commit: string | null;
  pullRequest: number | null;
  /** Whole days from `grantedAt` to the review's `now` (never negative). */
  daysSinceGranted: number | null;
  /** When FreshBooks created the membership (for people granted by hand, the only date). */
  liveSince: string | null;
  /** `file:line` of the policy entry. */
  policySource: string | null;
  flags: ReviewFlag[];
  /**
   * True when the person holds one of the business's paid seats now: an active member or a
   * pending invitation with a role in `seats.paidRoles` (as FreshBooks counts invitations).
   */
  paidSeat: boolean;
  /**
   * What that seat costs, per the policy's `seats.price` (in its own period); null when the
   * person holds no paid seat or the policy prices none. For a `pending-seat` or
   * `expired-seat` row, this is the cost wasted.
   */
  seatCost: SeatPrice | null;
  /**
   * The key of this person's checkbox in a review issue: set for policy entries (removing them
   * is a policy edit), null for people a policy edit cannot remove (the owner, people not in
   * the policy).
   */
  reviewKey: string | null;
}

export interface ReviewSummary {
  people: number;
  inPolicy: number;
  flags: Record<ReviewFlag, number>;
}

/**
 * Paid seats of one business, as the pack sees them. The limit and price are the policy's
 * (`seats:`); FreshBooks exposes neither. Costs are in the price's own period (`price.per`),
 * as in the plan's seat line: a yearly contract is not turned into a monthly figure it cannot
 * be cancelled by.
 */
export interface ReviewSeats {
  businessId: number;
  businessName: string;
  /** Paid seats in use: active members and pending invitations with a paid role. */
  used: number;
  /** `seats.limit`; null when the policy declares none. */
  limit: number | null;
  /**
   * `limit − used`: seats paid for and free for the next grant (negative: over the limit);
   * null without a limit. Shown, not flagged: see `unusedWords`.
   */
  unused: number | null;
  /** The roles counted as paid, rolecall names, highest first. */
  paidRoles: string[];
  price: SeatPrice | null;
  /** `used × price.amount`, rounded to cents; null without a price. */
  cost: number | null;
  /**
   * Seats paid for and not used: held by an invitation pending too long (`pending-seat`) or
   * by a grant past its expiry (`expired-seat`). `seats` counts people (one holding both
   * flags counts once); `cost` is their seats' cost, null without a price.
   */
  wasted: { seats: number; pendingInvitations: number; expiredGrants: number; cost: number | null };
}
