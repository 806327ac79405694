import { digestOf, inCanonicalOrder } from '../canonical.js';
import { roleRank, type KnownRole, type PolicyRole } from '../roles.js';
import { DEFAULT_PAID_ROLES } from '../seats.js';
import type {
  ApprovalRule,
  ApprovalRules,
  BusinessPolicy,
  DesiredMember,
  DesiredState,
  GitHubIdentity,
  Override,
  Rules,
  SeatPolicy,
} from '../types.js';
import { normalizeEmail } from './check-email.js';
import type { PolicyDocument } from './model.js';
import { parseDuration } from './parse-time.js';
import type {
  RawApprovalRule,
  RawApprovals,
  RawIdentity,
  RawRules,
  RawSeats,
} from './raw-policy.js';

/** Defaults, as documented in `schemas/policy.schema.json`. */
export const DEFAULTS = {
  mode: 'authoritative',
  minAdmins: 1,
  maxRevokesFraction: 0.25,
  expiringSoonDays: 7,
  pendingInvitationDays: 14,
  provisioning: 'api',
} as const;

function normalizeRules(raw: RawRules | undefined): Rules {
  const maxDurationMs: Partial<Record<PolicyRole, number>> = {};
  for (const [role, text] of Object.entries(raw?.maxDuration ?? {})) {
    const ms = text === undefined ? undefined : parseDuration(text);
    if (ms !== undefined) maxDurationMs[role as PolicyRole] = ms;
  }
  const maxRevokes: Rules['maxRevokes'] = {
    fraction: raw?.maxRevokes?.fraction ?? DEFAULTS.maxRevokesFraction,
  };
  if (raw?.maxRevokes?.count !== undefined) maxRevokes.count = raw.maxRevokes.count;
  return {
    protected: [...new Set((raw?.protected ?? []).map(normalizeEmail))].sort(),
    minAdmins: raw?.minAdmins ?? DEFAULTS.minAdmins,
    maxRevokes,
    requireExpiry: [...(raw?.requireExpiry ?? [])],
    maxDurationMs,
    allowedDomains: [
      ...new Set((raw?.allowedDomains ?? []).map((d) => d.trim().toLowerCase())),
    ].sort(),
    requireReason: raw?.requireReason ?? false,
    autoApproveExpiry: raw?.autoApproveExpiry ?? false,
    expiringSoonDays: raw?.expiringSoonDays ?? DEFAULTS.expiringSoonDays,
    pendingInvitationDays: raw?.pendingInvitationDays ?? DEFAULTS.pendingInvitationDays,
  };
}

/** `seats:` with its defaults filled in; paid roles sorted by privilege for a stable digest. */
function normalizeSeats(raw: RawSeats): SeatPolicy {
  const paidRoles = [...new Set<KnownRole>(raw.paidRoles ?? DEFAULT_PAID_ROLES)].sort(
    (a, b) => roleRank(b) - roleRank(a),
  );
  const seats: SeatPolicy = { paidRoles };
  if (raw.limit !== undefined) seats.limit = raw.limit;
  if (raw.price !== undefined) {
    seats.price = {
      amount: raw.price.amount,
      currency: raw.price.currency,
      per: raw.price.per ?? 'month',
    };
  }
  return seats;
}

function approvalRule(raw: RawApprovalRule): ApprovalRule {
  const rule: ApprovalRule = { required: raw.required };
  if (raw.teams !== undefined) rule.teams = raw.teams.map((t) => t.trim().toLowerCase());
  if (raw.users !== undefined) rule.users = raw.users.map((u) => u.trim().toLowerCase());
  return rule;
}

function normalizeApprovals(raw: RawApprovals): ApprovalRules {
  const rules: ApprovalRules = approvalRule(raw);
  if (raw.roles !== undefined) {
    const roles: Partial<Record<PolicyRole, ApprovalRule>> = {};
    for (const [role, rule] of Object.entries(raw.roles)) {
      if (rule !== undefined) roles[role as PolicyRole] = approvalRule(rule);
    }
    rules.roles = roles;
  }
  return rules;
}

/**
 * `identities:` → logins lower-case with their emails normalised, one entry per login (the
 * validator refuses a login twice; merging keeps this total), sorted for a stable digest.
 */
function normalizeIdentities(raw: RawIdentity[]): GitHubIdentity[] {
  const byLogin = new Map<string, Set<string>>();
  for (const entry of raw) {
    const login = entry.github.trim().toLowerCase();
    const emails = byLogin.get(login) ?? new Set<string>();
    for (const email of entry.emails) emails.add(normalizeEmail(email));
    byLogin.set(login, emails);
  }
  return [...byLogin.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([login, emails]) => ({ login, emails: [...emails].sort() }));
}

/** A member as the digest covers it: every field but its position, keys in canonical order. */
function digestedMember(member: DesiredMember) {
  const { email, expires, reason, role, source: _source, ticket, via, ...more } = member;
  // A field added to DesiredMember fails to compile here until the digest covers it.
  const none: Record<string, never> = more;
  void none;
  return { email, expires, reason, role, ticket, via };
}

function byEmail(a: DesiredMember, b: DesiredMember): number {
  return a.email < b.email ? -1 : a.email > b.email ? 1 : 0;
}

/**
 * A validated document → its `BusinessPolicy`. Precondition: the semantic rules found no error
 * (every email valid, each person once, every `expires` parsed), so this never fails.
 */
export function normalizePolicy(doc: PolicyDocument): BusinessPolicy {
  const { raw, locator } = doc;
  const members: DesiredMember[] = [];
  for (const grant of doc.grants) {
    for (const person of grant.people) {
      const member: DesiredMember = {
        email: person.email ?? normalizeEmail(person.rawEmail),
        role: grant.role,
        via: grant.kind === 'team' ? { kind: 'team', team: grant.team ?? '' } : { kind: 'member' },
        // A direct member points at its entry; a team member at its line in the team's list.
        source: locator.at(grant.kind === 'team' ? person.path : grant.path),
      };
      if (grant.reason !== undefined) member.reason = grant.reason;
      if (grant.ticket !== undefined) member.ticket = grant.ticket;
      if (grant.expiresAt !== undefined) member.expires = grant.expiresAt.toISOString();
      members.push(member);
    }
  }
  members.sort(byEmail);

  const overrides: Override[] = (raw.overrides ?? []).map((o, i) => ({
    guard: o.guard,
    reason: o.reason,
    ticket: o.ticket,
    source: locator.at(['overrides', i]),
  }));
  const mode = raw.mode ?? DEFAULTS.mode;
  const rules = normalizeRules(raw.rules);
  const provisioning = {
    grant: raw.provisioning?.grant ?? DEFAULTS.provisioning,
    change: raw.provisioning?.change ?? DEFAULTS.provisioning,
    revoke: raw.provisioning?.revoke ?? DEFAULTS.provisioning,
  };
  const approvals = raw.approvals === undefined ? undefined : normalizeApprovals(raw.approvals);
  const identities = raw.identities === undefined ? undefined : normalizeIdentities(raw.identities);
  const seats = raw.seats === undefined ? undefined : normalizeSeats(raw.seats);

  // The digest covers what decides a plan and its approval, never positions or comments: moving
  // lines or editing a comment leaves it unchanged.
  // Every key in canonical order, so that canonicalJson writes it all with one JSON.stringify
  // (the same digest, several times faster on a thousand members).
  const digest = digestOf({
    approvals: inCanonicalOrder(approvals),
    businessId: raw.business,
    identities: inCanonicalOrder(identities),
    members: members.map(digestedMember),
    mode,
    overrides: overrides.map(({ guard, reason, ticket }) => ({ guard, reason, ticket })),
    provisioning: inCanonicalOrder(provisioning),
    rules: inCanonicalOrder(rules),
    seats: inCanonicalOrder(seats),
  });

  const policy: BusinessPolicy = {
    businessId: raw.business,
    file: doc.file,
    mode,
    rules,
    provisioning,
    overrides,
    members,
    digest,
    source: locator.at(['business']),
  };
  if (raw.name !== undefined) policy.name = raw.name;
  if (approvals !== undefined) policy.approvals = approvals;
  if (identities !== undefined) policy.identities = identities;
  if (seats !== undefined) policy.seats = seats;
  return policy;
}

/** Every validated document → the `DesiredState`, businesses sorted by id. */
export function normalize(docs: readonly PolicyDocument[]): DesiredState {
  return { businesses: docs.map(normalizePolicy).sort((a, b) => a.businessId - b.businessId) };
}
