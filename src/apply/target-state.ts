import { apiRoleOf, policyRoleOf, type PolicyRole } from '../roles.js';
import { memberStateOf, normalizeEmail } from '../sync/live-member.js';
import type { TeamMemberRecord } from '../ports.js';
import type { Change, LiveMember, MemberState } from '../types.js';

/** What the applier needs to know of a live member to decide whether a change is done. */
export interface MemberView {
  uuid: string;
  email: string;
  apiRole: string;
  state: MemberState;
}

export function viewOfRecord(record: TeamMemberRecord): MemberView {
  return {
    uuid: record.uuid,
    email: normalizeEmail(record.email),
    apiRole: record.apiRole,
    state: memberStateOf(record),
  };
}

export function viewOfLive(member: LiveMember): MemberView {
  return { uuid: member.uuid, email: member.email, apiRole: member.apiRole, state: member.state };
}

/** The members a change concerns: by uuid when the plan knows one, otherwise by email. */
export function membersFor(change: Change, members: readonly MemberView[]): MemberView[] {
  if (change.action === 'grant') return members.filter((m) => m.email === change.email);
  if (change.uuid !== undefined) return members.filter((m) => m.uuid === change.uuid);
  return members.filter((m) => m.email === change.email);
}

const HOLDS_ACCESS: ReadonlySet<MemberState> = new Set(['active', 'invited']);

/**
 * Where the member stands relative to the change:
 * - `done`: already in the target state (nothing to write);
 * - `ready`: the write the change needs is safe to send now;
 * - `conflict`: neither — someone else moved the member; the write is not sent.
 */
export type TargetCheck =
  | { status: 'done' }
  | { status: 'ready'; member: MemberView | null }
  | { status: 'conflict'; detail: string };

export function checkTarget(change: Change, candidates: readonly MemberView[]): TargetCheck {
  const holding = candidates.filter((m) => HOLDS_ACCESS.has(m.state));
  if (change.action === 'revoke') {
    // Removed members list as inactive; a cancelled invitation may vanish altogether.
    const current = holding[0];
    if (!current) return { status: 'done' };
    if (current.apiRole === 'owner')
      return { status: 'conflict', detail: 'the member is the owner' };
    return { status: 'ready', member: current };
  }
  const target = apiRoleOf(requireRole(change));
  if (holding.some((m) => m.apiRole === target)) return { status: 'done' };
  if (change.action === 'grant') {
    // Never invite someone who holds access under another role (or a pending invitation):
    // that would be a second invitation. Only absent or deactivated people are invited.
    const other = holding[0];
    if (other) {
      return {
        status: 'conflict',
        detail: `${change.email} is now ${other.state} as ${policyRoleOf(other.apiRole) ?? other.apiRole}; re-plan`,
      };
    }
    return { status: 'ready', member: candidates[0] ?? null };
  }
  const current = holding[0];
  if (!current) {
    return { status: 'conflict', detail: `${change.email} is no longer a member; re-plan` };
  }
  if (current.apiRole === 'owner') return { status: 'conflict', detail: 'the member is the owner' };
  return { status: 'ready', member: current };
}

function requireRole(change: Change): PolicyRole {
  if (!change.to) throw new TypeError(`${change.action} for ${change.email} has no target role`);
  return change.to.role;
}
