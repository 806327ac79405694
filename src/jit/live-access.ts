import type { LiveState } from '../types.js';

/**
 * Who still holds access after an expire run: live before it, minus what it revoked
 * (`revoked` holds `"<businessId> <email>"`). Absent and deactivated members hold none; a
 * business this run did not read is assumed to hold access, so nothing is removed blindly.
 */
export function liveAccess(live: LiveState, revoked: ReadonlySet<string>) {
  return (businessId: number, email: string): boolean => {
    if (revoked.has(`${businessId} ${email}`)) return false;
    const business = live.businesses.find((b) => b.businessId === businessId);
    if (!business) return true;
    return business.members.some((m) => m.email === email && m.state !== 'deactivated');
  };
}
