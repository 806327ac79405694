/** Small builders for review tests: a policy and a live state, with only what a test cares about. */
import { apiRoleOf, policyRoleOf, type PolicyRole } from '../../../src/roles.js';
import type {
  BusinessPolicy,
  DesiredMember,
  DesiredState,
  LiveBusiness,
  LiveMember,
  LiveState,
  MemberState,
  Provenance,
  Rules,
} from '../../../src/types.js';

export const NOW = new Date('2026-05-01T12:00:00Z');
export const FILE = 'policies/acme-books.yaml';

let nextLine = 10;

/** `reason: null` leaves the reason out. */
export function desired(
  email: string,
  role: PolicyRole,
  extra: Partial<Omit<DesiredMember, 'email' | 'role' | 'reason'>> & {
    reason?: string | null;
  } = {},
): DesiredMember {
  nextLine += 3;
  const { reason, ...rest } = extra;
  const member: DesiredMember = {
    email,
    role,
    via: { kind: 'member' },
    source: { file: FILE, line: nextLine, col: 5 },
    ...rest,
  };
  if (reason !== null) member.reason = reason ?? 'Needed for the job';
  return member;
}

export function rules(extra: Partial<Rules> = {}): Rules {
  return {
    protected: [],
    minAdmins: 1,
    maxRevokes: { fraction: 0.25 },
    requireExpiry: [],
    maxDurationMs: {},
    allowedDomains: [],
    requireReason: true,
    autoApproveExpiry: false,
    expiringSoonDays: 7,
    pendingInvitationDays: 14,
    ...extra,
  };
}

export function policy(
  members: DesiredMember[],
  extra: Partial<Omit<BusinessPolicy, 'members'>> = {},
): BusinessPolicy {
  return {
    businessId: 240340,
    name: 'Acme Books Inc.',
    file: FILE,
    mode: 'authoritative',
    rules: rules(),
    provisioning: { grant: 'api', change: 'api', revoke: 'api' },
    overrides: [],
    members: [...members].sort((a, b) => (a.email < b.email ? -1 : 1)),
    digest: 'sha256:test',
    source: { file: FILE, line: 1, col: 1 },
    ...extra,
  };
}

let nextUuid = 1;

/** `role` is a rolecall role name, or an API name rolecall does not know. */
export function live(
  email: string,
  role: string,
  state: MemberState = 'active',
  extra: Partial<LiveMember> = {},
): LiveMember {
  const known = policyRoleOf(role) ?? (role === 'owner' ? 'owner' : null);
  const isRolecallName = [
    'owner',
    'admin',
    'manager',
    'accountant',
    'employee',
    'contractor',
    'unassigned',
  ].includes(role);
  const apiRole = isRolecallName ? apiRoleOf(role as PolicyRole) : role;
  return {
    uuid: `uuid-${String(nextUuid++).padStart(4, '0')}`,
    email,
    apiRole,
    role: isRolecallName ? (role as PolicyRole | 'owner') : known,
    state,
    identityId: null,
    invitationAcceptedAt: state === 'invited' ? null : '2024-01-01T00:00:00Z',
    firstName: null,
    lastName: null,
    createdAt: '2023-06-01T00:00:00Z',
    updatedAt: null,
    fingerprint: 'sha256:x',
    ...extra,
  };
}

export function liveBusiness(
  members: LiveMember[],
  extra: Partial<LiveBusiness> = {},
): LiveBusiness {
  return {
    businessId: 240340,
    name: 'Acme Books Inc.',
    accountId: 'Xk9Pq2',
    members: [...members].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)),
    unknownRoles: [],
    fingerprint: 'sha256:live',
    ...extra,
  };
}

export function liveState(businesses: LiveBusiness[]): LiveState {
  return {
    version: 1,
    syncedAt: NOW.toISOString(),
    identity: { identityId: 5001, email: 'alice@acme.example' },
    businesses,
  };
}

export function desiredState(businesses: BusinessPolicy[]): DesiredState {
  return { businesses };
}

export function provenance(extra: Partial<Provenance> = {}): Provenance {
  return {
    sha: 'a'.repeat(40),
    authorName: 'Dana Reyes',
    authorEmail: 'dana@acme.example',
    date: '2026-04-01T09:00:00.000Z',
    committedAt: '2026-04-01T09:00:00.000Z',
    subject: 'Add someone (#12)',
    prNumber: 12,
    ...extra,
  };
}
