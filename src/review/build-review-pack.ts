/**
 * Builds the access review pack from the policy, the live state and git provenance (which comes
 * in as a function: this module does no I/O and reads no clock).
 *
 * Rows, per business named by the policy:
 * - every live member with access (active, or invited and not yet accepted);
 * - every policy entry without access (state `absent`, or `deactivated` when FreshBooks still
 *   has the removed membership), so that a review also covers grants that are not live yet;
 * - deactivated memberships that no policy names are left out: nobody has that access.
 * `client`s are not team members (sync already excludes them).
 */
import { isPrivilegedRole, type KnownRole } from '../roles.js';
import { holdsSeat, seatPolicyOf } from '../seats.js';
import type {
  BusinessPolicy,
  DesiredMember,
  DesiredState,
  LiveBusiness,
  LiveMember,
  LiveState,
  Provenance,
  SeatPrice,
} from '../types.js';
import {
  REVIEW_FLAGS,
  type ReviewFlag,
  type ReviewRow,
  type ReviewSummary,
} from './review-types.js';

const DAY_MS = 86_400_000;

export interface BuildReviewPackInput {
  desired: DesiredState;
  live: LiveState;
  /** Provenance of a policy line (`file`, 1-based `line`), or undefined when uncommitted. */
  provenance: (file: string, line: number) => Provenance | undefined;
  now: Date;
  /** Reminder window; default: each business's `rules.expiringSoonDays`. */
  expiringSoonDays?: number;
}

function fullName(member: LiveMember): string | null {
  const name = [member.firstName, member.lastName]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part.length > 0)
    .join(' ');
  return name === '' ? null : name;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Context {
  business: BusinessPolicy;
  businessName: string;
  protectedEmails: Set<string>;
  now: Date;
  soonMs: number;
  /** `rules.pendingInvitationDays` in ms: an invitation older than this wastes its seat. */
  pendingMs: number;
  paidRoles: readonly string[];
  price: SeatPrice | null;
  provenance: BuildReviewPackInput['provenance'];
}

function buildRow(ctx: Context, live: LiveMember | null, desired: DesiredMember | null): ReviewRow {
  const email = live?.email ?? desired?.email ?? '';
  const liveRole: KnownRole | null = live?.role ?? null;
  const found =
    desired === null ? undefined : ctx.provenance(desired.source.file, desired.source.line);
  const grantedMs = found === undefined ? Number.NaN : Date.parse(found.date);
  const flags = new Set<ReviewFlag>();
  const hasAccess = live !== null && live.state !== 'deactivated';
  const paidSeat = live !== null && holdsSeat(live, ctx.paidRoles);

  if (isPrivilegedRole(liveRole) || (desired !== null && isPrivilegedRole(desired.role))) {
    flags.add('privileged');
  }
  if (liveRole === 'owner' || ctx.protectedEmails.has(email)) flags.add('protected');
  if (hasAccess && desired === null && liveRole !== 'owner') flags.add('unmanaged');
  if (live !== null && live.role === null) flags.add('unknown-role');
  if (hasAccess && desired !== null && liveRole !== desired.role) flags.add('role-mismatch');
  if (desired !== null && !hasAccess) flags.add('missing');
  if (live?.state === 'invited') flags.add('never-accepted');
  // FreshBooks dates an invitation by the membership's createdAt; without one it has no age.
  if (paidSeat && live.state === 'invited' && live.createdAt !== null) {
    if (ctx.now.getTime() - Date.parse(live.createdAt) > ctx.pendingMs) flags.add('pending-seat');
  }
  if (desired !== null && (desired.reason ?? '').trim() === '') flags.add('no-reason');
  if (desired?.expires !== undefined) {
    const left = Date.parse(desired.expires) - ctx.now.getTime();
    if (left <= 0) {
      flags.add('expired');
      if (paidSeat) flags.add('expired-seat');
    } else if (left <= ctx.soonMs) flags.add('expiring-soon');
  }

  return {
    businessId: ctx.business.businessId,
    businessName: ctx.businessName,
    email,
    name: live === null ? null : fullName(live),
    role: live === null ? null : (live.role ?? live.apiRole),
    state: live?.state ?? 'absent',
    inPolicy: desired !== null,
    policyRole: desired?.role ?? null,
    via:
      desired === null ? null : desired.via.kind === 'team' ? `team:${desired.via.team}` : 'member',
    reason: desired?.reason ?? null,
    ticket: desired?.ticket ?? null,
    expires: desired?.expires ?? null,
    grantedBy: found?.authorName ?? null,
    grantedByEmail: found?.authorEmail ?? null,
    grantedAt: found?.date ?? null,
    commit: found?.sha ?? null,
    pullRequest: found?.prNumber ?? null,
    daysSinceGranted: Number.isNaN(grantedMs)
      ? null
      : Math.max(0, Math.floor((ctx.now.getTime() - grantedMs) / DAY_MS)),
    liveSince: live?.createdAt ?? null,
    policySource: desired === null ? null : `${desired.source.file}:${desired.source.line}`,
    flags: REVIEW_FLAGS.filter((flag) => flags.has(flag)),
    paidSeat,
    seatCost: paidSeat && ctx.price !== null ? { ...ctx.price } : null,
    reviewKey: desired === null ? null : desired.email,
  };
}

function businessRows(
  business: BusinessPolicy,
  live: LiveBusiness | undefined,
  input: BuildReviewPackInput,
): ReviewRow[] {
  const seats = seatPolicyOf(business);
  const ctx: Context = {
    business,
    businessName: live?.name ?? business.name ?? `business ${business.businessId}`,
    protectedEmails: new Set(business.rules.protected.map((email) => email.toLowerCase())),
    now: input.now,
    soonMs: (input.expiringSoonDays ?? business.rules.expiringSoonDays) * DAY_MS,
    pendingMs: business.rules.pendingInvitationDays * DAY_MS,
    paidRoles: seats.paidRoles,
    price: seats.price ?? null,
    provenance: input.provenance,
  };
  const desiredByEmail = new Map(business.members.map((member) => [member.email, member]));
  const liveByEmail = new Map<string, LiveMember[]>();
  for (const member of live?.members ?? []) {
    liveByEmail.set(member.email, [...(liveByEmail.get(member.email) ?? []), member]);
  }
  const rows: ReviewRow[] = [];
  for (const [email, records] of liveByEmail) {
    const desired = desiredByEmail.get(email) ?? null;
    const withAccess = records.filter((record) => record.state !== 'deactivated');
    if (withAccess.length > 0) {
      for (const record of withAccess) rows.push(buildRow(ctx, record, desired));
    } else if (desired !== null) {
      // Only removed memberships: the policy still grants it; show the latest record.
      rows.push(buildRow(ctx, records[records.length - 1] ?? null, desired));
    }
  }
  for (const desired of business.members) {
    if (!liveByEmail.has(desired.email)) rows.push(buildRow(ctx, null, desired));
  }
  return rows;
}

/** One row per person with (or granted) access, per business the policy names. Deterministic. */
export function buildReviewPack(input: BuildReviewPackInput): ReviewRow[] {
  const liveById = new Map(
    input.live.businesses.map((business) => [business.businessId, business]),
  );
  const rows = input.desired.businesses.flatMap((business) =>
    businessRows(business, liveById.get(business.businessId), input),
  );
  return rows.sort(
    (a, b) =>
      a.businessId - b.businessId ||
      compareText(a.email, b.email) ||
      compareText(a.state, b.state) ||
      compareText(a.role ?? '', b.role ?? '') ||
      compareText(a.liveSince ?? '', b.liveSince ?? ''),
  );
}

/** Counts of people, policy entries and each flag. */
export function summarizeReview(rows: readonly ReviewRow[]): ReviewSummary {
  const flags = Object.fromEntries(REVIEW_FLAGS.map((flag) => [flag, 0])) as Record<
    ReviewFlag,
    number
  >;
  for (const row of rows) for (const flag of row.flags) flags[flag] += 1;
  return { people: rows.length, inPolicy: rows.filter((row) => row.inPolicy).length, flags };
}
