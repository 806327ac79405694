import { displayExpiry, isExpired } from '../plan/expiry.js';
import { removeMembers } from '../policy/edit-policy.js';
import type { PolicySource } from '../policy/validate-documents.js';
import type { PolicyRole } from '../roles.js';
import type { DesiredState } from '../types.js';

/** One expired entry of a policy, as the clean-up pull request lists it. */
export interface CleanupEntry {
  businessId: number;
  businessName?: string;
  file: string;
  email: string;
  role: PolicyRole;
  /** ISO instant (as in `DesiredMember.expires`). */
  expires: string;
  reason?: string;
  ticket?: string;
  /** Set when the person is listed through a team. */
  team?: string;
}

export interface CleanupChoice {
  /** Expired, and no longer holding access in FreshBooks: safe to remove from the policy. */
  remove: CleanupEntry[];
  /**
   * Expired but still holding access (the revoke was refused, failed or is a manual task):
   * kept, because removing the entry first would hide the access from an additive policy and
   * would turn the revoke into an unreviewed `unlisted` one in an authoritative policy.
   */
  kept: CleanupEntry[];
}

/**
 * Which expired entries the clean-up pull request removes. Pure: `holdsAccess` answers from
 * the live state after the revokes (an absent or deactivated member holds none). Only the
 * businesses in `businessIds` are considered: for the others rolecall did not look at
 * FreshBooks in this run.
 */
export function chooseCleanup(
  desired: DesiredState,
  options: {
    now: Date;
    businessIds: ReadonlySet<number>;
    holdsAccess: (businessId: number, email: string) => boolean;
  },
): CleanupChoice {
  const choice: CleanupChoice = { remove: [], kept: [] };
  for (const business of desired.businesses) {
    if (!options.businessIds.has(business.businessId)) continue;
    for (const member of business.members) {
      if (!isExpired(member, options.now) || member.expires === undefined) continue;
      const entry: CleanupEntry = {
        businessId: business.businessId,
        ...(business.name === undefined ? {} : { businessName: business.name }),
        file: business.file,
        email: member.email,
        role: member.role,
        expires: member.expires,
        ...(member.reason === undefined ? {} : { reason: member.reason }),
        ...(member.ticket === undefined ? {} : { ticket: member.ticket }),
        ...(member.via.kind === 'team' ? { team: member.via.team } : {}),
      };
      (options.holdsAccess(business.businessId, member.email) ? choice.kept : choice.remove).push(
        entry,
      );
    }
  }
  const order = (a: CleanupEntry, b: CleanupEntry) =>
    a.file.localeCompare(b.file) || a.email.localeCompare(b.email);
  choice.remove.sort(order);
  choice.kept.sort(order);
  return choice;
}

export interface CleanedFile {
  file: string;
  before: string;
  after: string;
}

/**
 * The policy texts with the entries removed (comments and layout kept): every source, edited
 * where needed, and the list of files that changed.
 */
export function applyCleanup(
  sources: readonly PolicySource[],
  entries: readonly CleanupEntry[],
): { sources: PolicySource[]; changed: CleanedFile[] } {
  const byFile = new Map<string, string[]>();
  for (const entry of entries)
    byFile.set(entry.file, [...(byFile.get(entry.file) ?? []), entry.email]);
  const changed: CleanedFile[] = [];
  const edited = sources.map((source) => {
    const emails = byFile.get(source.file);
    if (!emails) return source;
    const after = removeMembers(source.text, emails);
    if (after !== source.text) changed.push({ file: source.file, before: source.text, after });
    return { file: source.file, text: after };
  });
  return { sources: edited, changed };
}

/** `bob@contractors.example (contractor, Acme Books Inc. 240340, expired 2027-03-31)` */
export function describeCleanupEntry(entry: CleanupEntry): string {
  const business = entry.businessName
    ? `${entry.businessName} ${entry.businessId}`
    : `business ${entry.businessId}`;
  const team = entry.team ? `, team ${entry.team}` : '';
  return `${entry.email} (${entry.role}${team}, ${business}, expired ${displayExpiry(entry.expires)})`;
}
