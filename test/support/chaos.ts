/**
 * The apply chaos suite's pieces: a seeded scenario generator (a random live business against
 * one fixed policy, so every run's plan mixes grants, re-invites, changes on active and pending
 * members, and revokes) and the invariant checks run after each scenario.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJournal } from '../../src/apply/journal.js';
import type {
  AuditOperationRecord,
  AuditRecord,
  JournalRecord,
  OutcomeRecord,
} from '../../src/apply/records.js';
import type { EmulatorSeed, RequestLogEntry, SeedMember } from '../../src/emulator/index.js';
import { mulberry32 } from '../../src/emulator/faults.js';
import { apiRoleOf, type PolicyRole } from '../../src/roles.js';
import type { Plan } from '../../src/types.js';

export const CHAOS_BUSINESS = 880001;
export const OWNER = 'owner@chaos.example';
export const STRANGER = 'pat@chaos.example';
export const IDENTITY = { id: 5001, email: 'alice@acme.example' };
const ROLES: PolicyRole[] = [
  'admin',
  'manager',
  'accountant',
  'employee',
  'contractor',
  'unassigned',
];

export { mulberry32 };

/** The fixed policy: alice (the token's identity) and `size` people with a mix of roles. */
export function chaosPolicy(size: number): {
  yaml: string;
  members: Array<{ email: string; role: PolicyRole }>;
} {
  const members = [
    { email: IDENTITY.email, role: 'admin' as PolicyRole },
    ...Array.from({ length: size }, (_, i) => ({
      email: `p${String(i).padStart(2, '0')}@chaos.example`,
      role: ROLES[i % ROLES.length] as PolicyRole,
    })),
  ];
  const yaml = [
    `business: ${CHAOS_BUSINESS}`,
    'name: Chaos Co.',
    'mode: authoritative',
    'rules:',
    `  protected: [${OWNER}]`,
    '  minAdmins: 1',
    '  maxRevokes: { fraction: 1 }',
    'members:',
    ...members.flatMap((m) => [`  - email: ${m.email}`, `    role: ${m.role}`]),
    '',
  ].join('\n');
  return { yaml, members };
}

type Variant =
  'absent' | 'same-active' | 'same-invited' | 'other-active' | 'other-invited' | 'deactivated';
const VARIANTS: Variant[] = [
  'absent',
  'same-active',
  'same-invited',
  'other-active',
  'other-invited',
  'deactivated',
];

/** A random live business for the policy; `pending` lists the people already invited correctly. */
export function chaosSeed(
  rng: () => number,
  members: Array<{ email: string; role: PolicyRole }>,
  client: EmulatorSeed['clients'][number],
): { seed: EmulatorSeed; pendingCorrect: string[] } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
  const live: SeedMember[] = [
    { email: OWNER, role: 'owner', state: 'active', identity_id: 5000, first_name: 'Olive' },
    { email: IDENTITY.email, role: 'business_partner', state: 'active', identity_id: IDENTITY.id },
    // An unknown role, not in the policy: reported, never touched.
    { email: STRANGER, role: 'time_tracking_admin', state: 'active' },
  ];
  const pendingCorrect: string[] = [];
  for (const m of members.slice(1)) {
    const variant = pick(VARIANTS);
    const other = pick(ROLES.filter((r) => r !== m.role));
    if (variant === 'absent') continue;
    const role = variant.startsWith('other') ? apiRoleOf(other) : apiRoleOf(m.role);
    const state = variant.endsWith('invited')
      ? 'invited'
      : variant === 'deactivated'
        ? 'deactivated'
        : 'active';
    if (variant === 'same-invited') pendingCorrect.push(m.email);
    live.push({ email: m.email, role, state });
  }
  const extras = Math.floor(rng() * 4);
  for (let i = 0; i < extras; i += 1) {
    live.push({
      email: `x${i}@chaos.example`,
      role: apiRoleOf(pick(ROLES)),
      state: rng() < 0.3 ? 'invited' : 'active',
    });
  }
  return {
    seed: {
      identities: [
        { id: IDENTITY.id, email: IDENTITY.email, first_name: 'Alice' },
        { id: 5000, email: OWNER, first_name: 'Olive' },
      ],
      businesses: [{ id: CHAOS_BUSINESS, name: 'Chaos Co.', account_id: 'Ch4os1', members: live }],
      clients: [client],
    },
    pendingCorrect,
  };
}

/**
 * A fault mix at a high rate (up to about a third of requests): 429, 5xx before the request
 * is processed, 5xx and connection resets *after* the write took effect (the answer is lost),
 * and, optionally, access tokens that die early. (`slow` is left out: a lost answer to a write
 * is what `-after` faults already produce, and a client timeout on the token endpoint would
 * burn the single-use refresh token, which is the token store's subject, not the applier's.)
 */
export function faultSpec(rng: () => number, withExpiry: boolean): string {
  const r = (max: number) => Math.round(rng() * max * 1000) / 1000;
  return [
    `429=${r(0.08)}`,
    `500=${r(0.03)}`,
    `502=${r(0.03)}`,
    `503=${r(0.03)}`,
    `reset=${r(0.03)}`,
    `500-after=${r(0.04)}`,
    `502-after=${r(0.03)}`,
    `503-after=${r(0.03)}`,
    `reset-after=${r(0.04)}`,
    ...(withExpiry ? [`expire=${r(0.03)}`] : []),
  ].join(',');
}

// ───────────────────────────── invariants ─────────────────────────────

export async function readAllAudit(stateDir: string): Promise<AuditRecord[]> {
  const dir = join(stateDir, 'audit');
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  const records: AuditRecord[] = [];
  for (const file of files) {
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line) as AuditRecord);
      } catch {
        // A torn record from a killed run (its outcome is repaired from the journal).
      }
    }
  }
  return records;
}

export async function readJournalFile(stateDir: string, plan: Plan): Promise<JournalRecord[]> {
  const text = await readFile(
    join(stateDir, 'journal', `${plan.digest.slice('sha256:'.length)}.jsonl`),
    'utf8',
  );
  return parseJournal(text).records;
}

/** The op key of a write the emulator saw: `<business>/<email>/<action>`. */
export function opOfRequest(entry: RequestLogEntry, plan: Plan): string | null {
  const changes = plan.businesses.flatMap((b) => b.changes);
  if (entry.route === 'POST /auth/api/v1/users/invitation') {
    const body = entry.body as { to_email?: string; invitable_id?: number | string };
    const email = String(body.to_email ?? '')
      .trim()
      .toLowerCase();
    return `${Number(body.invitable_id)}/${email}/grant`;
  }
  const match = /\/businesses\/(\d+)\/team_members\/([^/?]+)/.exec(entry.path);
  if (!match) return null;
  const change = changes.find(
    (c) => c.uuid === match[2] && c.action === (entry.method === 'DELETE' ? 'revoke' : 'change'),
  );
  return change
    ? `${change.businessId}/${change.email}/${change.action}`
    : `${match[1]}/?${match[2]}/${entry.method}`;
}

export interface ConsistencyInput {
  plan: Plan;
  journal: JournalRecord[];
  audit: AuditRecord[];
  /** Every request the emulator logged during the apply runs (writes carry `applied`). */
  log: RequestLogEntry[];
  /** People invited correctly before the apply: must never get an invitation. */
  pendingCorrect: string[];
}

/**
 * Returns every violated invariant, as sentences (empty when all hold):
 * - each write that took effect belongs to a planned operation that has an intent on record;
 * - at most one write took effect per operation (so never a second invitation);
 * - no invitation to someone already invited;
 * - the journal's final outcome of each operation is `applied` exactly when FreshBooks saw its
 *   write take effect, else `already`;
 * - the audit log has exactly one record per journal outcome, with the same outcome, and a
 *   request id an `applied` record names is that of the write that took effect.
 */
export function consistencyProblems(input: ConsistencyInput): string[] {
  const problems: string[] = [];
  const { plan, journal, audit, log } = input;
  const planned = new Set(
    plan.businesses.flatMap((b) => b.changes.map((c) => `${c.businessId}/${c.email}/${c.action}`)),
  );
  const intents = new Set(journal.flatMap((r) => (r.type === 'intent' ? [r.op] : [])));
  const final = new Map<string, OutcomeRecord>();
  for (const r of journal) if (r.type === 'outcome') final.set(r.op, r);

  const appliedWrites = new Map<string, RequestLogEntry[]>();
  for (const entry of log) {
    if (entry.applied === undefined) continue;
    const op = opOfRequest(entry, plan);
    if (op === null || !planned.has(op)) {
      problems.push(`a write nobody planned reached FreshBooks: ${entry.method} ${entry.path}`);
      continue;
    }
    if (!intents.has(op)) problems.push(`${op}: a write was sent without an intent in the journal`);
    if (entry.applied) appliedWrites.set(op, [...(appliedWrites.get(op) ?? []), entry]);
  }
  for (const email of input.pendingCorrect) {
    if (
      log.some(
        (e) =>
          e.route === 'POST /auth/api/v1/users/invitation' &&
          (e.body as { to_email?: string }).to_email === email,
      )
    ) {
      problems.push(`${email} was already invited, yet an invitation was sent`);
    }
  }
  for (const op of planned) {
    const writes = appliedWrites.get(op) ?? [];
    if (writes.length > 1) problems.push(`${op}: ${writes.length} writes took effect (duplicate)`);
    const outcome = final.get(op)?.outcome;
    const expected = writes.length > 0 ? 'applied' : 'already';
    if (outcome !== expected)
      problems.push(
        `${op}: journal says ${outcome ?? 'nothing'}, FreshBooks saw ${writes.length} effective write(s)`,
      );
  }

  const auditOps = audit.filter((r): r is AuditOperationRecord => r.type === 'operation');
  const outcomes = journal.filter((r): r is OutcomeRecord => r.type === 'outcome');
  const byId = new Map<string, AuditOperationRecord[]>();
  for (const r of auditOps) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  for (const outcome of outcomes) {
    const records = byId.get(outcome.auditId) ?? [];
    if (records.length !== 1)
      problems.push(
        `${outcome.op}: ${records.length} audit records for outcome ${outcome.auditId}`,
      );
    const record = records[0];
    if (record && record.outcome !== outcome.outcome)
      problems.push(`${outcome.op}: audit says ${record.outcome}, journal ${outcome.outcome}`);
    // An `applied` record's request id is the write that took effect (a failed one's is the
    // request FreshBooks refused).
    if (record?.requestId && record.outcome === 'applied') {
      const write = log.find((e) => e.requestId === record.requestId);
      if (!write?.applied)
        problems.push(
          `${outcome.op}: audit request id ${record.requestId} is not an effective write`,
        );
    }
  }
  const known = new Set(outcomes.map((o) => o.auditId));
  for (const r of auditOps)
    if (!known.has(r.id)) problems.push(`audit record ${r.id} has no journal outcome`);
  return problems;
}
