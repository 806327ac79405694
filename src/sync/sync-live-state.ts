import { RolecallError } from '../errors.js';
import type { AccessReader, BusinessMembershipRecord } from '../ports.js';
import { NON_TEAM_API_ROLES } from '../roles.js';
import type { LiveBusiness, LiveState, SyncStats } from '../types.js';
import { liveBusinessOf, liveMemberOf, normalizeEmail } from './live-member.js';

export interface SyncOptions {
  /** `syncedAt`. */
  now: Date;
  /** Businesses read at once (each pages on its own). Default 2. */
  concurrency?: number;
  /** Called when a business is done, for progress output. */
  onBusiness?: (business: LiveBusiness, done: number, total: number) => void;
}

/** A reader that can say how many requests it made (a `FreshBooksConnection` can). */
interface CountingReader {
  stats(): { requests: number; retries: number };
}

function isCounting(reader: AccessReader): reader is AccessReader & CountingReader {
  return typeof (reader as Partial<CountingReader>).stats === 'function';
}

/**
 * Reads FreshBooks into a `LiveState`: one `whoami`, then the members of each business (page 1,
 * then the other pages at once). Clients are not team members and are left out; unknown roles
 * are kept verbatim and listed. Deterministic: the same FreshBooks data gives the same state,
 * byte for byte, apart from `syncedAt` and `stats`.
 */
export async function syncLiveState(
  reader: AccessReader,
  businessIds: number[],
  options: SyncOptions,
): Promise<LiveState> {
  const started = performance.now();
  const before = isCounting(reader) ? reader.stats() : null;
  const identity = await reader.whoami();
  const reachable = new Map(identity.businesses.map((b) => [b.businessId, b]));
  const wanted = [...new Set(businessIds)].sort((a, b) => a - b);
  const missing = wanted.filter((id) => !reachable.has(id));
  if (missing.length > 0) throw unreachable(missing, identity.email, identity.businesses);

  const businesses: LiveBusiness[] = new Array<LiveBusiness>(wanted.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      const index = next++;
      const membership = reachable.get(wanted[index] as number) as BusinessMembershipRecord;
      const records = await reader.listTeamMembers(membership.businessId);
      const business = liveBusinessOf({
        businessId: membership.businessId,
        name: membership.name,
        accountId: membership.accountId,
        members: records.filter((r) => !NON_TEAM_API_ROLES.has(r.apiRole)).map(liveMemberOf),
      });
      businesses[index] = business;
      options.onBusiness?.(business, ++done, wanted.length);
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? 2, wanted.length));
  await Promise.all(Array.from({ length: width }, worker));

  const state: LiveState = {
    version: 1,
    syncedAt: options.now.toISOString(),
    identity: { identityId: identity.identityId, email: normalizeEmail(identity.email) },
    businesses,
  };
  if (before && isCounting(reader)) {
    const after = reader.stats();
    const stats: SyncStats = {
      requests: after.requests - before.requests,
      retries: after.retries - before.retries,
      elapsedMs: Math.round(performance.now() - started),
    };
    state.stats = stats;
  }
  return state;
}

function unreachable(
  missing: number[],
  email: string,
  reachable: BusinessMembershipRecord[],
): RolecallError {
  const list =
    reachable.length === 0
      ? 'none'
      : [...reachable]
          .sort((a, b) => a.businessId - b.businessId)
          .map((b) => `${b.businessId} "${b.name}"`)
          .join(', ');
  const which =
    missing.length === 1 ? `business ${missing[0]} is` : `businesses ${missing.join(', ')} are`;
  return new RolecallError(
    'BUSINESS_UNREACHABLE',
    `${which} not reachable with these FreshBooks credentials (identity ${normalizeEmail(email)}); reachable: ${list}`,
  );
}
