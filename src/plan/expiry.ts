import type { DesiredMember } from '../types.js';

/**
 * A desired entry is expired iff `now >= expires` (`expires` is the first instant at which the
 * grant is no longer allowed; see `DesiredMember.expires`).
 */
export function isExpired(member: Pick<DesiredMember, 'expires'>, now: Date): boolean {
  return member.expires !== undefined && now.getTime() >= Date.parse(member.expires);
}

const DAY_MS = 86_400_000;

/**
 * How an expiry reads to a human. A policy date `2026-12-31` is stored as the next midnight UTC
 * (`2027-01-01T00:00:00.000Z`); showing that instant would contradict the policy the reader
 * wrote, so an instant at midnight UTC is shown as the last day it was still allowed
 * (`2026-12-31`). Any other instant is shown as ISO-8601 UTC to the minute or second.
 */
export function displayExpiry(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  if (ms % DAY_MS === 0) return new Date(ms - DAY_MS).toISOString().slice(0, 10);
  const text = new Date(ms).toISOString().replace('.000Z', 'Z');
  return text.endsWith(':00Z') ? `${text.slice(0, -4)}Z` : text;
}
