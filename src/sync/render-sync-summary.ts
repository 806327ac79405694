import { POLICY_ROLES, type KnownRole } from '../roles.js';
import type { LiveBusiness, LiveState } from '../types.js';

/** The owner, then the grantable roles in the order policies and plans list them. */
const ROLE_ORDER: readonly KnownRole[] = ['owner', ...POLICY_ROLES];

export interface SummaryExtras {
  /** Calls to the OAuth token endpoint during the run. */
  tokenRequests?: number;
}

/**
 * The short human summary of `rolecall sync`: per business, members per role, pending
 * invitations and unknown roles; then how many requests and retries it took, and how long.
 * Emails are listed only for the things a reader acts on (pending, unknown roles).
 */
export function renderSyncSummary(state: LiveState, extras: SummaryExtras = {}): string {
  const lines: string[] = [];
  const count = state.businesses.length;
  lines.push(
    `FreshBooks identity ${state.identity.email} (${state.identity.identityId}); ${count} business${count === 1 ? '' : 'es'}`,
  );
  for (const business of state.businesses) lines.push(...renderBusiness(business));
  if (state.stats) {
    const token = extras.tokenRequests ? ` (+${extras.tokenRequests} token)` : '';
    lines.push(
      `${state.stats.requests} request${state.stats.requests === 1 ? '' : 's'}${token}, ${state.stats.retries} retr${state.stats.retries === 1 ? 'y' : 'ies'}, ${(state.stats.elapsedMs / 1000).toFixed(1)} s`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function renderBusiness(business: LiveBusiness): string[] {
  const account = business.accountId === null ? '' : `, account ${business.accountId}`;
  const members = business.members;
  const out = [
    '',
    `${business.businessId} ${business.name}${account}: ${members.length} member${members.length === 1 ? '' : 's'}`,
  ];
  const current = members.filter((m) => m.state !== 'deactivated');
  const byRole = ROLE_ORDER.map(
    (role) => [role, current.filter((m) => m.role === role).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([role, n]) => `${role} ${n}`);
  const unknown = current.filter((m) => m.role === null).length;
  if (unknown > 0) byRole.push(`unknown ${unknown}`);
  out.push(`  roles: ${byRole.length > 0 ? byRole.join(', ') : 'none'} (active and invited)`);
  const pending = members.filter((m) => m.state === 'invited');
  out.push(
    `  pending invitations: ${pending.length}${pending.length > 0 ? ` (${pending.map((m) => m.email).join(', ')})` : ''}`,
  );
  const deactivated = members.filter((m) => m.state === 'deactivated').length;
  if (deactivated > 0) out.push(`  deactivated: ${deactivated}`);
  if (business.unknownRoles.length > 0) {
    const detail = business.unknownRoles.map((role) => {
      const who = members.filter((m) => m.apiRole === role).map((m) => m.email);
      return `${role} (${who.join(', ')})`;
    });
    out.push(`  unknown roles, kept as is and never changed: ${detail.join('; ')}`);
  }
  return out;
}
