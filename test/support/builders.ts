/**
 * Small builders for fake desired and live states, shared by every test that needs one.
 *
 *   desiredBusiness({ mode: 'additive', members: [desiredMember('a@acme.example', 'admin')] })
 *   liveBusiness({ members: [liveMember('olivia@acme.example', 'owner'),
 *                            liveMember('x@acme.example', 'admin', { state: 'invited' })] })
 *   liveState({ businesses: [...] }) · desiredState(business, …) · acmeExample()
 *
 * Everything is deterministic (uuids and identity ids derive from the email), and fingerprints
 * are computed by the sync's own helpers, so a built state is exactly what a sync could return.
 * Imports from `src/` only; no emulator or client code.
 */
import { digestOf, sha256Hex } from '../../src/canonical.js';
import { apiRoleOf, policyRoleOf, type KnownRole, type PolicyRole } from '../../src/roles.js';
import { liveBusinessOf, memberFingerprint } from '../../src/sync/live-member.js';
import type {
  Action,
  BusinessPolicy,
  DesiredMember,
  DesiredState,
  GuardName,
  LiveBusiness,
  LiveIdentity,
  LiveMember,
  LiveState,
  MemberState,
  Override,
  PolicyMode,
  ProvisioningMode,
  Rules,
  SeatPolicy,
} from '../../src/types.js';

/** The instant tests plan at unless they say otherwise. */
export const TEST_NOW = new Date('2026-05-01T09:00:00.000Z');
export const ACME_ID = 240340;
export const ACME_FILE = 'policies/acme-books.yaml';
export const ACME_IDENTITY: LiveIdentity = { identityId: 5001, email: 'alice@acme.example' };

// ───────────────────────────── desired ─────────────────────────────

export interface DesiredMemberExtra {
  reason?: string;
  ticket?: string;
  /** `2027-03-31` (end of that day UTC, as the policy loader stores it) or an ISO instant. */
  expires?: string;
  team?: string;
  /** Policy line; by default `desiredBusiness` numbers members in order. */
  line?: number;
}

export function desiredMember(
  email: string,
  role: PolicyRole,
  extra: DesiredMemberExtra = {},
): DesiredMember {
  const member: DesiredMember = {
    email,
    role,
    via: extra.team === undefined ? { kind: 'member' } : { kind: 'team', team: extra.team },
    source: { file: '', line: extra.line ?? 0, col: 5 },
  };
  if (extra.reason !== undefined) member.reason = extra.reason;
  if (extra.ticket !== undefined) member.ticket = extra.ticket;
  if (extra.expires !== undefined) member.expires = expiryInstant(extra.expires);
  return member;
}

/** A policy date means "through the end of that day UTC": the next midnight. */
export function expiryInstant(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return new Date(Date.parse(`${value}T00:00:00.000Z`) + 86_400_000).toISOString();
  }
  return new Date(value).toISOString();
}

export function defaultRules(rules: Partial<Rules> = {}): Rules {
  return {
    protected: [],
    minAdmins: 1,
    maxRevokes: { fraction: 0.25 },
    requireExpiry: [],
    maxDurationMs: {},
    allowedDomains: [],
    requireReason: false,
    autoApproveExpiry: false,
    expiringSoonDays: 7,
    pendingInvitationDays: 14,
    ...rules,
  };
}

export interface DesiredBusinessSpec {
  businessId?: number;
  name?: string;
  file?: string;
  mode?: PolicyMode;
  rules?: Partial<Rules>;
  provisioning?: Partial<Record<Action, ProvisioningMode>>;
  overrides?: Array<{ guard: GuardName; reason?: string; ticket?: string; line?: number }>;
  members?: DesiredMember[];
  seats?: SeatPolicy;
}

export function desiredBusiness(spec: DesiredBusinessSpec = {}): BusinessPolicy {
  const file = spec.file ?? ACME_FILE;
  const members = (spec.members ?? [])
    .map((member, index) => ({
      ...member,
      source: {
        file: member.source.file || file,
        line: member.source.line || 20 + index,
        col: member.source.col,
      },
    }))
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  const mode = spec.mode ?? 'authoritative';
  const rules = defaultRules(spec.rules);
  const provisioning = {
    grant: 'api',
    change: 'api',
    revoke: 'api',
    ...spec.provisioning,
  } as const;
  const overrides: Override[] = (spec.overrides ?? []).map((override, index) => ({
    guard: override.guard,
    reason: override.reason ?? `override ${override.guard}`,
    ticket: override.ticket ?? `SEC-${index + 1}`,
    source: { file, line: override.line ?? 10 + index, col: 5 },
  }));
  const policy: BusinessPolicy = {
    businessId: spec.businessId ?? ACME_ID,
    file,
    mode,
    rules,
    provisioning,
    overrides,
    members,
    digest: digestOf({ members, mode, rules, provisioning }),
    source: { file, line: 1, col: 1 },
  };
  if (spec.name !== undefined) policy.name = spec.name;
  if (spec.seats !== undefined) policy.seats = spec.seats;
  return policy;
}

export function desiredState(...businesses: BusinessPolicy[]): DesiredState {
  return { businesses: [...businesses].sort((a, b) => a.businessId - b.businessId) };
}

// ───────────────────────────── live ─────────────────────────────

export interface LiveMemberExtra {
  state?: MemberState;
  uuid?: string;
  identityId?: number | null;
  firstName?: string | null;
  lastName?: string | null;
}

/**
 * `role` is a rolecall role (`admin`, `owner`), an API name (`business_partner`), or anything
 * else, which becomes an unknown role kept verbatim (`time_tracking_admin`).
 */
export function liveMember(email: string, role: string, extra: LiveMemberExtra = {}): LiveMember {
  const known = knownRoleOf(role);
  const state = extra.state ?? 'active';
  const hash = sha256Hex(email);
  const accepted = state !== 'invited';
  const content = {
    uuid: extra.uuid ?? uuidFrom(hash),
    email,
    apiRole: known === null ? role : apiRoleOf(known),
    role: known,
    state,
    identityId:
      extra.identityId !== undefined
        ? extra.identityId
        : accepted
          ? 1_000_000 + parseInt(hash.slice(0, 6), 16)
          : null,
    invitationAcceptedAt: accepted ? '2025-01-15T10:00:00Z' : null,
    firstName:
      extra.firstName !== undefined ? extra.firstName : capitalise(email.split('@')[0] ?? ''),
    lastName: extra.lastName !== undefined ? extra.lastName : null,
    createdAt: '2025-01-10T10:00:00Z',
    updatedAt: '2025-01-15T10:00:00Z',
  };
  return { ...content, fingerprint: memberFingerprint(content) };
}

export interface LiveBusinessSpec {
  businessId?: number;
  name?: string;
  accountId?: string | null;
  members?: LiveMember[];
}

export function liveBusiness(spec: LiveBusinessSpec = {}): LiveBusiness {
  return liveBusinessOf({
    businessId: spec.businessId ?? ACME_ID,
    name: spec.name ?? 'Acme Books Inc.',
    accountId: spec.accountId === undefined ? 'Xk9Pq2' : spec.accountId,
    members: spec.members ?? [],
  });
}

export function liveState(
  spec: { businesses?: LiveBusiness[]; identity?: LiveIdentity; syncedAt?: string } = {},
): LiveState {
  return {
    version: 1,
    syncedAt: spec.syncedAt ?? TEST_NOW.toISOString(),
    identity: spec.identity ?? ACME_IDENTITY,
    businesses: [...(spec.businesses ?? [])].sort((a, b) => a.businessId - b.businessId),
  };
}

function knownRoleOf(role: string): KnownRole | null {
  if (role in KNOWN_ROLES) return role as KnownRole;
  return policyRoleOf(role);
}
const KNOWN_ROLES: Readonly<Record<KnownRole, true>> = {
  owner: true,
  admin: true,
  manager: true,
  accountant: true,
  employee: true,
  contractor: true,
  unassigned: true,
};

function uuidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

// ───────────────────────────── the example business ─────────────────────────────

/**
 * `policies/acme-books.yaml` against the emulator's default seed (see the brief): the plan has
 * 2 grants (eli; jules re-invited), 2 changes (grace down, maya up), 2 revokes (zoe, sam) and
 * pat's unknown role reported as unmanaged.
 */
export function acmeExample(): { desired: DesiredState; live: LiveState; now: Date } {
  const m = desiredMember;
  const policy = desiredBusiness({
    name: 'Acme Books Inc.',
    rules: {
      protected: ['olivia@acme.example'],
      minAdmins: 2,
      maxRevokes: { count: 5, fraction: 0.25 },
      requireExpiry: ['contractor'],
      maxDurationMs: { contractor: 180 * 86_400_000 },
      allowedDomains: ['acme.example', 'contractors.example', 'cpa-partners.example'],
      requireReason: true,
    },
    members: [
      m('alice@acme.example', 'admin', { reason: 'Finance lead', line: 24 }),
      m('ben@acme.example', 'admin', { reason: 'Controller', line: 26 }),
      m('carol@acme.example', 'manager', { reason: 'Office manager', line: 28 }),
      m('maya@acme.example', 'manager', { reason: 'Operations', line: 30 }),
      m('dana@acme.example', 'accountant', {
        reason: 'Bookkeeping team',
        team: 'bookkeeping',
        line: 12,
      }),
      m('eli@acme.example', 'accountant', {
        reason: 'Bookkeeping team',
        team: 'bookkeeping',
        line: 13,
      }),
      m('kim@cpa-partners.example', 'accountant', {
        reason: 'External tax accountant',
        ticket: 'FIN-7',
        line: 32,
      }),
      m('frank@acme.example', 'employee', { reason: 'Accounts payable', line: 35 }),
      m('grace@acme.example', 'employee', { reason: 'Accounts receivable', line: 37 }),
      m('hana@acme.example', 'employee', { reason: 'Payroll', line: 39 }),
      m('ivan@acme.example', 'unassigned', { reason: 'Time tracking only', line: 41 }),
      m('jules@acme.example', 'unassigned', { reason: 'Seasonal help', line: 43 }),
      m('bob@contractors.example', 'contractor', {
        reason: 'Year-end audit',
        ticket: 'FIN-42',
        expires: '2027-03-31',
        line: 45,
      }),
    ],
  });
  const l = liveMember;
  const business = liveBusiness({
    members: [
      l('olivia@acme.example', 'owner', { lastName: 'Park' }),
      l('alice@acme.example', 'admin', { identityId: ACME_IDENTITY.identityId }),
      l('ben@acme.example', 'admin'),
      l('carol@acme.example', 'manager'),
      l('dana@acme.example', 'accountant'),
      l('kim@cpa-partners.example', 'accountant'),
      l('frank@acme.example', 'employee'),
      l('grace@acme.example', 'manager'),
      l('maya@acme.example', 'employee'),
      l('hana@acme.example', 'employee', { state: 'invited' }),
      l('ivan@acme.example', 'unassigned'),
      l('jules@acme.example', 'unassigned', { state: 'deactivated' }),
      l('bob@contractors.example', 'contractor'),
      l('zoe@acme.example', 'employee'),
      l('sam@oldfirm.example', 'accountant', { state: 'invited' }),
      l('pat@acme.example', 'time_tracking_admin'),
    ],
  });
  return {
    desired: desiredState(policy),
    live: liveState({ businesses: [business] }),
    now: TEST_NOW,
  };
}
