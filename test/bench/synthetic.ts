/**
 * Synthetic data for the benchmarks, generated in code and deterministic (a seeded PRNG): the
 * same size gives the same seeds, policies and live states on every machine.
 *
 * Businesses are numbered from 700001; business `id` has members `m000000@b<id>.example`, …
 * Member 0 is the owner (protected), member 1 is the token's identity (alice, an admin), and
 * the rest cycle through the roles. A policy and a live state of the same business drift
 * apart in a fixed proportion (see `liveRoleOf`), so every plan has grants, changes, revokes.
 */
import type { EmulatorSeed, SeedClient, SeedMember } from '../../src/emulator/index.js';
import { mulberry32 } from '../../src/emulator/faults.js';
import type { TeamMemberRecord } from '../../src/ports.js';
import { apiRoleOf, type PolicyRole } from '../../src/roles.js';
import { liveBusinessOf, liveMemberOf } from '../../src/sync/live-member.js';
import type { LiveBusiness, LiveState } from '../../src/types.js';

/** The instant every synthetic plan is made at. */
export const BENCH_NOW = new Date('2026-05-01T09:00:00.000Z');
export const FIRST_BUSINESS = 700001;
export const IDENTITY = { id: 5001, email: 'alice@acme.example' };

/** Sandbox values, like the default seed's; the emulator only ever runs on loopback. */
export const BENCH_CLIENT: SeedClient = {
  client_id: 'rolecall-bench',
  client_secret: 'sandbox-secret-bench-0123456789abcdef',
  identity_id: IDENTITY.id,
  redirect_uri: 'https://localhost/rolecall/callback',
  scope: 'user:profile:read user:teams:read user:account:read user:teams:write user:account:write',
  refresh_tokens: ['sandbox-refresh-bench-0123456789abcdef01'],
};

const ROLES: readonly PolicyRole[] = [
  'employee',
  'manager',
  'accountant',
  'employee',
  'unassigned',
  'contractor',
];
const REASONS = ['Accounts payable', 'Payroll', 'Month-end close', 'Tax season', 'Audit support'];

export function businessId(index: number): number {
  return FIRST_BUSINESS + index;
}

export function emailOf(business: number, member: number): string {
  return `m${String(member).padStart(6, '0')}@b${business}.example`;
}

/** The policy role of member `i` (i ≥ 2; 0 is the owner, 1 the identity). */
export function roleOf(i: number): PolicyRole {
  if (i < 4) return 'admin';
  return ROLES[i % ROLES.length] as PolicyRole;
}

// ───────────────────────────── emulator seeds (sync, apply, PR scope) ─────────────────────────

/** One team as the emulator seeds it: owner, alice, then `size - 2` people, all active. */
export function seedTeam(business: number, size: number): SeedMember[] {
  const members: SeedMember[] = [
    { email: emailOf(business, 0), role: 'owner', first_name: 'Owner' },
    { email: IDENTITY.email, role: 'business_partner', identity_id: IDENTITY.id },
  ];
  for (let i = 2; i < size; i++) {
    members.push({ email: emailOf(business, i), role: apiRoleOf(roleOf(i)), first_name: 'P' });
  }
  return members;
}

/** A seed with `teams[i]` members in business `businessId(i)`. */
export function syncSeed(teams: readonly number[]): EmulatorSeed {
  return {
    identities: [{ id: IDENTITY.id, email: IDENTITY.email, first_name: 'Alice' }],
    businesses: teams.map((size, i) => ({
      id: businessId(i),
      name: `Client ${i + 1}`,
      account_id: `Bn${String(i).padStart(4, '0')}`,
      members: seedTeam(businessId(i), size),
    })),
    clients: [BENCH_CLIENT],
  };
}

// ───────────────────────────── policies (plan, PR scope) ─────────────────────────────

export interface PolicyShape {
  business: number;
  /** People in the policy (owner excluded, alice included). */
  size: number;
  /** `rules.maxRevokes.fraction`; default 0.25. */
  maxRevokeFraction?: number;
  /** Contractors' `expires`; default 2026-09-30 (within 180 days of `BENCH_NOW`). */
  contractorExpires?: string;
}

/** A realistic policy file: rules, one team, members with reasons, contractors with expiry. */
export function policyYaml(shape: PolicyShape): string {
  const { business } = shape;
  const lines = [
    `# Client business ${business}: who has access, and why.`,
    `business: ${business}`,
    `name: Client ${business}`,
    'mode: authoritative',
    '',
    'rules:',
    `  protected: [${emailOf(business, 0)}]`,
    '  minAdmins: 2',
    `  maxRevokes: { fraction: ${shape.maxRevokeFraction ?? 0.25} }`,
    '  requireExpiry: [contractor]',
    '  maxDuration:',
    '    contractor: 180d',
    `  allowedDomains: [b${business}.example, acme.example]`,
    '  requireReason: true',
    '',
    'teams:',
    '  - name: bookkeeping',
    '    role: accountant',
    '    reason: Day-to-day bookkeeping',
    '    members:',
  ];
  // Team members are the last ten people; they are not listed again below.
  const teamStart = Math.max(2, shape.size + 1 - 10);
  for (let i = teamStart; i <= shape.size; i++) lines.push(`      - ${emailOf(business, i)}`);
  lines.push(
    '',
    'members:',
    `  - email: ${IDENTITY.email}`,
    '    role: admin',
    '    reason: Finance lead',
  );
  for (let i = 2; i < teamStart; i++) {
    const role = roleOf(i);
    lines.push(`  - email: ${emailOf(business, i)}`, `    role: ${role}`);
    lines.push(`    reason: ${REASONS[i % REASONS.length] as string}`);
    if (role === 'contractor') {
      lines.push(`    expires: ${shape.contractorExpires ?? '2026-09-30'}`, `    ticket: FIN-${i}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** `count` policies of `perFile` people each, as `{file name → text}`. */
export function policyFiles(count: number, perFile: number): Map<string, string> {
  const files = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const business = businessId(i);
    files.set(`client-${business}.yaml`, policyYaml({ business, size: perFile }));
  }
  return files;
}

// ───────────────────────────── live states (plan) ─────────────────────────────

/**
 * How member `i` of a policy looks in FreshBooks: about 3% absent (grant), 2% another role
 * (change), 1% pending invitation with the right role (nothing to do), the rest as desired.
 * Plus 1% of extra people nobody listed (revoke) — added by `liveBusiness`.
 */
function liveRoleOf(i: number, desired: PolicyRole, rng: () => number): PolicyRole | 'absent' {
  if (i < 2) return desired;
  const draw = rng();
  if (draw < 0.03) return 'absent';
  if (draw < 0.05) return desired === 'employee' ? 'manager' : 'employee';
  return desired;
}

function record(
  business: number,
  email: string,
  apiRole: string,
  n: number,
  invited = false,
): TeamMemberRecord {
  const created = `2024-0${1 + (n % 9)}-1${n % 10}T10:00:00Z`;
  return {
    uuid: `u-${business}-${n}`,
    businessId: business,
    email,
    firstName: 'P',
    middleName: null,
    lastName: `Person ${n}`,
    apiRole,
    active: !invited,
    identityId: invited ? null : 900_000 + n,
    invitationDateAccepted: invited ? null : created,
    createdAt: created,
    updatedAt: created,
  };
}

/** The live business matching `policyYaml(shape)`, with the drift of `liveRoleOf`. */
export function liveBusiness(shape: PolicyShape, seed = 1): LiveBusiness {
  const { business, size } = shape;
  const rng = mulberry32(seed * 7919 + business);
  const records: TeamMemberRecord[] = [
    record(business, emailOf(business, 0), 'owner', 0),
    { ...record(business, IDENTITY.email, 'business_partner', 1), identityId: IDENTITY.id },
  ];
  const teamStart = Math.max(2, size + 1 - 10);
  for (let i = 2; i <= size; i++) {
    const desired = i >= teamStart ? 'accountant' : roleOf(i);
    const live = liveRoleOf(i, desired, rng);
    if (live === 'absent') continue;
    records.push(record(business, emailOf(business, i), apiRoleOf(live), i, rng() < 0.01));
  }
  const extras = Math.max(1, Math.round(size / 100));
  for (let k = 0; k < extras; k++) {
    const n = size + 1 + k;
    records.push(record(business, `gone${k}@b${business}.example`, 'business_employee', n));
  }
  return liveBusinessOf({
    businessId: business,
    name: `Client ${business}`,
    accountId: `Bn${business}`,
    members: records.map(liveMemberOf),
  });
}

export function liveState(shapes: readonly PolicyShape[]): LiveState {
  return {
    version: 1,
    syncedAt: BENCH_NOW.toISOString(),
    identity: { identityId: IDENTITY.id, email: IDENTITY.email },
    businesses: shapes.map((shape) => liveBusiness(shape)),
  };
}
