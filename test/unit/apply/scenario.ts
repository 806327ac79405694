import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from '../../../src/canonical.js';
import type { ApplyPlanOptions } from '../../../src/apply/apply-plan.js';
import { yesGate } from '../../../src/apply/approval-gates.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import type { PolicyRole } from '../../../src/roles.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';
import type {
  Action,
  BusinessPolicy,
  DesiredState,
  GuardName,
  Plan,
  ProvisioningMode,
  Rules,
} from '../../../src/types.js';
import { FakeFreshBooks, type FakeMember } from './fake-freshbooks.js';

export const BUSINESS = 240340;
export const NOW = new Date('2026-11-29T10:00:00.000Z');

/** A clock that ticks one second per reading, so records have distinct, ordered times. */
export function tickingClock(start = NOW) {
  let t = start.getTime();
  return { now: () => new Date((t += 1000)) };
}

export interface PolicyOptions {
  rules?: Partial<Rules>;
  provisioning?: Partial<Record<Action, ProvisioningMode>>;
  overrides?: GuardName[];
  businessId?: number;
}

export function policyOf(
  members: ReadonlyArray<{ email: string; role: PolicyRole }>,
  options: PolicyOptions = {},
): BusinessPolicy {
  const businessId = options.businessId ?? BUSINESS;
  const rules: Rules = {
    protected: [],
    minAdmins: 2,
    maxRevokes: { fraction: 0.25 },
    requireExpiry: [],
    maxDurationMs: {},
    allowedDomains: [],
    requireReason: false,
    autoApproveExpiry: false,
    expiringSoonDays: 7,
    pendingInvitationDays: 14,
    ...options.rules,
  };
  const provisioning = {
    grant: 'api',
    change: 'api',
    revoke: 'api',
    ...options.provisioning,
  } as const;
  const source = { file: `policies/${businessId}.yaml`, line: 1, col: 1 };
  const desiredMembers = [...members]
    .sort((a, b) => (a.email < b.email ? -1 : 1))
    .map((m, i) => ({
      email: m.email,
      role: m.role,
      via: { kind: 'member' as const },
      source: { ...source, line: 10 + i },
    }));
  const content = { members: desiredMembers, mode: 'authoritative', rules, provisioning };
  return {
    businessId,
    name: 'Acme Books Inc.',
    file: source.file,
    mode: 'authoritative',
    rules,
    provisioning,
    overrides: (options.overrides ?? []).map((guard) => ({
      guard,
      reason: 'test override',
      ticket: 'T-1',
      source,
    })),
    members: desiredMembers,
    digest: digestOf(content),
    source,
  };
}

/** A small Acme: the seed's drift in miniature (every kind of change). */
export function acmeLive(): FakeMember[] {
  return [
    { email: 'olivia@acme.example', apiRole: 'owner' },
    { email: 'alice@acme.example', apiRole: 'business_partner', identityId: 5001 },
    { email: 'ben@acme.example', apiRole: 'business_partner' },
    { email: 'grace@acme.example', apiRole: 'business_manager' },
    { email: 'maya@acme.example', apiRole: 'business_employee' },
    { email: 'hana@acme.example', apiRole: 'business_employee', state: 'invited' },
    { email: 'jules@acme.example', apiRole: 'no_seat_employee', state: 'deactivated' },
    { email: 'zoe@acme.example', apiRole: 'business_employee' },
    { email: 'sam@oldfirm.example', apiRole: 'business_accountant', state: 'invited' },
  ];
}

export const ACME_DESIRED: ReadonlyArray<{ email: string; role: PolicyRole }> = [
  { email: 'alice@acme.example', role: 'admin' },
  { email: 'ben@acme.example', role: 'admin' },
  { email: 'eli@acme.example', role: 'accountant' },
  { email: 'grace@acme.example', role: 'employee' },
  { email: 'hana@acme.example', role: 'employee' },
  { email: 'jules@acme.example', role: 'unassigned' },
  { email: 'maya@acme.example', role: 'manager' },
];

export function acmeFake(members = acmeLive()): FakeFreshBooks {
  return new FakeFreshBooks().addBusiness(BUSINESS, 'Acme Books Inc.', members);
}

export function desiredOf(...policies: BusinessPolicy[]): DesiredState {
  return { businesses: [...policies].sort((a, b) => a.businessId - b.businessId) };
}

export async function planFor(fake: FakeFreshBooks, desired: DesiredState): Promise<Plan> {
  const live = await syncLiveState(
    fake,
    desired.businesses.map((b) => b.businessId),
    { now: NOW },
  );
  return buildPlan({
    desired,
    live,
    now: NOW,
    toolVersion: '0.1.0',
    policyCommits: Object.fromEntries(
      desired.businesses.map((b) => [
        b.file,
        { sha: 'c0ffee0000000000000000000000000000000000', dirty: false },
      ]),
    ),
  });
}

export function optionsFor(
  fake: FakeFreshBooks,
  desired: DesiredState,
  plan: Plan,
  stateDir: string,
  extra: Partial<ApplyPlanOptions> = {},
): ApplyPlanOptions {
  return {
    plan,
    desired,
    reader: fake,
    writer: fake,
    gate: yesGate({}),
    stateDir,
    clock: tickingClock(),
    actor: 'tester',
    resync: (ids) => syncLiveState(fake, ids, { now: NOW }),
    retry: { attempts: 4, backoffMs: 0, sleep: async () => undefined },
    ...extra,
  };
}

export async function tempStateDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'rolecall-apply-'));
  return { dir: join(dir, '.rolecall'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
