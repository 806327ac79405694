/**
 * Small `Plan` builders for the GitHub tests, shaped like the example business (240340, Acme
 * Books). Plans here are data only; the planner is not involved.
 */
import type { PolicyRole } from '../../../src/roles.js';
import type { BusinessPlan, Change, Plan } from '../../../src/types.js';

export function grant(email: string, role: PolicyRole, extra: Partial<Change> = {}): Change {
  return {
    businessId: 240340,
    email,
    action: 'grant',
    from: null,
    to: { role },
    reason: 'in policy, not in FreshBooks',
    provisioning: 'api',
    ...extra,
  };
}

export function change(
  email: string,
  from: string,
  to: PolicyRole,
  extra: Partial<Change> = {},
): Change {
  return {
    businessId: 240340,
    email,
    action: 'change',
    from: { role: from, state: 'active' },
    to: { role: to },
    uuid: `uuid-${email}`,
    reason: `role ${from} → ${to}`,
    provisioning: 'api',
    ...extra,
  };
}

export function revoke(email: string, from: string, extra: Partial<Change> = {}): Change {
  return {
    businessId: 240340,
    email,
    action: 'revoke',
    from: { role: from, state: 'active' },
    to: null,
    uuid: `uuid-${email}`,
    reason: 'not in policy (authoritative)',
    provisioning: 'api',
    ...extra,
  };
}

export function businessPlan(changes: Change[], extra: Partial<BusinessPlan> = {}): BusinessPlan {
  const businessId = extra.businessId ?? changes[0]?.businessId ?? 240340;
  return {
    businessId,
    name: 'Acme Books Inc.',
    policyFile: 'policies/acme-books.yaml',
    policyCommit: { sha: 'c'.repeat(40), dirty: false },
    desiredDigest: `sha256:${'d'.repeat(64)}`,
    liveFingerprint: `sha256:${'e'.repeat(64)}`,
    memberFingerprints: {},
    mode: 'authoritative',
    changes: changes.map((c) => ({ ...c, businessId })),
    unmanaged: [],
    guards: [
      { guard: 'protected', ok: true, message: 'nobody protected is touched' },
      { guard: 'minAdmins', ok: true, message: '3 admins remain (minimum 2)' },
    ],
    applyable: true,
    ...extra,
  };
}

export function plan(businesses: BusinessPlan[], extra: Partial<Plan> = {}): Plan {
  return {
    version: 1,
    tool: { name: 'rolecall', version: '0.1.0' },
    createdAt: '2026-05-01T10:00:00.000Z',
    businesses,
    digest: `sha256:${'f'.repeat(64)}`,
    ...extra,
  };
}

/** The demo's plan: one grant, an upgrade, a downgrade, two revokes. */
export function demoPlan(extra: Partial<Plan> = {}): Plan {
  return plan(
    [
      businessPlan([
        grant('eli@acme.example', 'accountant'),
        grant('jules@acme.example', 'unassigned'),
        change('maya@acme.example', 'employee', 'manager', { direction: 'upgrade' }),
        change('grace@acme.example', 'manager', 'employee', { direction: 'downgrade' }),
        revoke('zoe@acme.example', 'employee'),
        revoke('sam@oldfirm.example', 'accountant'),
      ]),
    ],
    extra,
  );
}

/** A plain markdown rendering for tests (the planner's renderer is not needed here). */
export function renderForTest(p: Plan, maxChars: number): string {
  const lines = [`### rolecall plan`, ''];
  for (const b of p.businesses) {
    lines.push(`**${b.name}** (${b.businessId}): ${b.changes.length} change(s)`, '');
    for (const c of b.changes)
      lines.push(`- ${c.action} \`${c.email}\` ${c.from?.role ?? '∅'} → ${c.to?.role ?? '∅'}`);
  }
  const full = lines.join('\n');
  return full.length <= maxChars
    ? full
    : `### rolecall plan\n\n${p.businesses.reduce((n, b) => n + b.changes.length, 0)} changes (summary only)`;
}
