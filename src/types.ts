/**
 * The data that flows through rolecall, left to right:
 *
 *   policies/*.yaml ─load+validate─▶ DesiredState ─┐
 *                                                  ├─▶ plan ─▶ Plan ─▶ apply ─▶ ApplyResult
 *   FreshBooks API ─────sync───────▶ LiveState ────┘
 *
 * Everything here is plain JSON-serialisable data. Emails are always normalised
 * (trimmed, lower-case) before they enter these structures. ApplyResult and the records an
 * apply writes down live beside the applier, in apply/records.ts.
 */
import type { KnownRole, PolicyRole } from './roles.js';

// ───────────────────────────── diagnostics ─────────────────────────────

/** A position in a policy file. `file` is relative to the working directory; line/col 1-based. */
export interface SourceRef {
  file: string;
  line: number;
  col: number;
}

export type Severity = 'error' | 'warning';

/** One problem with the input. Printed as `file:line:col: severity CODE message`. */
export interface Diagnostic {
  severity: Severity;
  /** Stable, upper-case code, e.g. `DUPLICATE_MEMBER`. */
  code: string;
  message: string;
  source?: SourceRef;
}

/** What parsing and validation return: they never throw on bad input. */
export interface Validated<T> {
  value: T | undefined;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

// ───────────────────────────── desired state (policy) ─────────────────────────────

export type PolicyMode = 'authoritative' | 'additive';
export type ProvisioningMode = 'api' | 'manual';
export type Action = 'grant' | 'change' | 'revoke';

/** The names of the safety guards; `overrides[].guard` uses the same names. */
export const GUARD_NAMES = ['protected', 'minAdmins', 'maxRevokes', 'self', 'seats'] as const;
export type GuardName = (typeof GUARD_NAMES)[number];

export interface Rules {
  /** Normalised emails that rolecall never changes or removes (the owner is always protected). */
  protected: string[];
  /** Owner + admins that must remain after any plan. Default 1. */
  minAdmins: number;
  /** Mass-change guard: at most `count` revokes (if set) and at most `fraction` of members. */
  maxRevokes: { count?: number; fraction: number };
  /** Roles that must carry `expires`. */
  requireExpiry: PolicyRole[];
  /** Longest allowed grant per role, in milliseconds (parsed from `8h`, `14d`, …). */
  maxDurationMs: Partial<Record<PolicyRole, number>>;
  /** Lower-case domains; empty means any domain. */
  allowedDomains: string[];
  requireReason: boolean;
  /** Expired grants may be revoked without a pull-request approval. */
  autoApproveExpiry: boolean;
  /** Reminder window for `expires` ("expiring soon"), days. Default 7. */
  expiringSoonDays: number;
  /** An invitation pending longer than this is drift, days. Default 14. */
  pendingInvitationDays: number;
}

export interface Override {
  guard: GuardName;
  reason: string;
  ticket: string;
  source: SourceRef;
}

/** Approval rules for the pull-request gate (see the GitHub issue). */
export interface ApprovalRule {
  required: number;
  /** `org/team-slug`; when present, only members of one of these teams count. */
  teams?: string[];
  /** GitHub logins that count (in addition to team members). */
  users?: string[];
}
export interface ApprovalRules extends ApprovalRule {
  /** Stricter rules for changes that grant or change *to* a role. */
  roles?: Partial<Record<PolicyRole, ApprovalRule>>;
}

/**
 * A policy's `identities:` entry: the GitHub user `login` is the person with these `emails`, so
 * their approval never counts for a change to those emails' access. Login lower-case, emails
 * normalised.
 */
export interface GitHubIdentity {
  login: string;
  emails: string[];
}

export interface DesiredMember {
  email: string;
  role: PolicyRole;
  reason?: string;
  ticket?: string;
  /**
   * The first instant at which the grant is no longer allowed, ISO-8601 UTC (`…Z`). A policy
   * date `2026-12-31` means "through the end of that day UTC", stored as
   * `2027-01-01T00:00:00.000Z`. A grant is expired iff `now >= expires`.
   */
  expires?: string;
  /** Listed directly, or through a team. */
  via: { kind: 'member' } | { kind: 'team'; team: string };
  source: SourceRef;
}

/** What one paid seat costs: `amount` in `currency` (ISO 4217) per `per`. */
export interface SeatPrice {
  amount: number;
  currency: string;
  per: 'month' | 'year';
}

/**
 * The policy's `seats:` block. FreshBooks exposes no seat count, so the limit and the price are
 * what the policy says. `paidRoles` is sorted by privilege (highest first); by default every
 * role but `unassigned` and the owner (who is the subscription, not a team-member seat).
 */
export interface SeatPolicy {
  limit?: number;
  price?: SeatPrice;
  paidRoles: KnownRole[];
}

export interface BusinessPolicy {
  businessId: number;
  name?: string;
  /** Path of the policy file, relative to the working directory. */
  file: string;
  mode: PolicyMode;
  rules: Rules;
  provisioning: Record<Action, ProvisioningMode>;
  approvals?: ApprovalRules;
  /** Who is who on GitHub (`identities:`), sorted by login; absent when the policy has none. */
  identities?: GitHubIdentity[];
  /** The `seats:` block; absent when the policy has none (the default paid roles then apply). */
  seats?: SeatPolicy;
  overrides: Override[];
  /** Sorted by email; one entry per person. */
  members: DesiredMember[];
  /** Digest of the canonical desired content (members, mode, rules, provisioning). */
  digest: string;
  source: SourceRef;
}

export interface DesiredState {
  /** Sorted by business id. */
  businesses: BusinessPolicy[];
}

// ───────────────────────────── live state (FreshBooks) ─────────────────────────────

/** `invited`: pending invitation; `deactivated`: removed (inactive with an accepted invitation). */
export type MemberState = 'active' | 'invited' | 'deactivated';

export interface LiveMember {
  uuid: string;
  email: string;
  /** `business_role_name` exactly as FreshBooks sent it. */
  apiRole: string;
  /** rolecall's name for it, or `null` for a role rolecall does not know. */
  role: KnownRole | null;
  state: MemberState;
  identityId: number | null;
  invitationAcceptedAt: string | null;
  firstName: string | null;
  lastName: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  /** sha256 of the canonical JSON of every field above. */
  fingerprint: string;
}

export interface LiveBusiness {
  businessId: number;
  name: string;
  accountId: string | null;
  /** Sorted by email, then uuid. `client` members are not team members and are excluded. */
  members: LiveMember[];
  /** API role names rolecall does not know, as seen in this business (sorted, unique). */
  unknownRoles: string[];
  /** sha256 over the business id and every member fingerprint. */
  fingerprint: string;
}

export interface LiveIdentity {
  identityId: number;
  email: string;
}

export interface SyncStats {
  requests: number;
  retries: number;
  elapsedMs: number;
}

export interface LiveState {
  version: 1;
  syncedAt: string;
  /** Who the token belongs to: the planner never revokes or downgrades this person. */
  identity: LiveIdentity;
  /** Sorted by business id. */
  businesses: LiveBusiness[];
  stats?: SyncStats;
}

// ───────────────────────────── plan ─────────────────────────────

export interface RoleState {
  /** rolecall's role name, or the verbatim API name of an unknown role. */
  role: string;
  state: MemberState;
}

/**
 * Why a change exists, for machines (the human version is `reason`): `missing` grant (absent
 * from FreshBooks), `reinvite` grant (deactivated), `role` change, `expired` revoke, `unlisted`
 * revoke (not in an authoritative policy). `rolecall expire` and drift filter on it.
 */
export type ChangeCause = 'missing' | 'reinvite' | 'role' | 'expired' | 'unlisted';

export interface Change {
  businessId: number;
  email: string;
  action: Action;
  /** Live side; `null` for a grant to someone FreshBooks does not know. */
  from: RoleState | null;
  /** Desired side; `null` for a revoke. */
  to: { role: PolicyRole } | null;
  /** Live uuid when the person exists in FreshBooks (change, revoke, re-invite). */
  uuid?: string;
  /** For `change`: the direction, which decides the apply order. */
  direction?: 'upgrade' | 'downgrade';
  /** Why, for a human: "not in policy (authoritative)", "expired 2026-01-31", … */
  reason: string;
  /** The policy line behind it, where there is one. */
  source?: SourceRef;
  /** The grant is time-bound: ISO instant of its expiry. */
  expires?: string;
  /** The policy's reason/ticket for the entry, carried to audit and review. */
  policyReason?: string;
  ticket?: string;
  provisioning: ProvisioningMode;
  /** Why, for machines; always set by the planner. */
  cause?: ChangeCause;
}

/** A live member not in an additive policy: reported, never touched. */
export interface UnmanagedMember {
  email: string;
  uuid: string;
  role: string;
  state: MemberState;
  /** Why it is not managed: "not in policy (additive)", "unknown role, not named by the policy", … */
  reason?: string;
}

export interface GuardResult {
  guard: GuardName;
  ok: boolean;
  message: string;
  /** Present when the guard failed and the policy records an override for it. */
  override?: { reason: string; ticket: string; source: SourceRef };
}

export interface PolicyCommit {
  sha: string | null;
  dirty: boolean;
}

/**
 * Where a committed policy line came from (`git blame`): the commit that last changed it, and
 * the pull request that brought it in when the commit message or its merge names one.
 * Uncommitted lines have no provenance.
 */
export interface Provenance {
  sha: string;
  authorName: string;
  authorEmail: string;
  /** Author date, ISO-8601 UTC. */
  date: string;
  /** Committer date, ISO-8601 UTC. */
  committedAt: string;
  subject: string;
  prNumber: number | null;
  /** The merge commit that brought `sha` into the first-parent line, when there was one. */
  mergeSha?: string;
}

/**
 * Paid seats of one business: in use now (active members and pending invitations holding a paid
 * role, as FreshBooks counts invitations) and after the plan, with the declared limit and, when
 * the policy prices a seat, what the plan changes in the bill.
 */
export interface SeatSummary {
  before: number;
  after: number;
  /** From `seats.limit`; absent when the policy declares none. */
  limit?: number;
  /** The roles counted as paid, rolecall names, highest first. */
  paidRoles: string[];
  price?: SeatPrice;
  /** `after × price.amount`, rounded to cents; absent without a price. */
  cost?: number;
  /** `(after − before) × price.amount`, rounded to cents; absent without a price. */
  costChange?: number;
}

export interface BusinessPlan {
  businessId: number;
  name: string;
  policyFile: string;
  policyCommit: PolicyCommit;
  desiredDigest: string;
  liveFingerprint: string;
  /** uuid → fingerprint of every live member a change touches (stale-plan check). */
  memberFingerprints: Record<string, string>;
  mode: PolicyMode;
  /** Deterministic order: by action (grant, change, revoke), then email. */
  changes: Change[];
  unmanaged: UnmanagedMember[];
  guards: GuardResult[];
  /** False when a guard failed without an override. */
  applyable: boolean;
  /** Paid seats before and after; absent in plans made before rolecall counted seats. */
  seats?: SeatSummary;
}

export interface Plan {
  version: 1;
  tool: { name: 'rolecall'; version: string };
  createdAt: string;
  businesses: BusinessPlan[];
  /** `sha256:<hex>` over the canonical content of everything above; detects tampering. */
  digest: string;
}
