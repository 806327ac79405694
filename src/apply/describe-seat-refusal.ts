import type { FreshBooksApiError } from '../errors.js';
import type { BusinessPlan, Change } from '../types.js';

const WRITE: Readonly<Record<Change['action'], string>> = {
  grant: 'the invitation',
  change: 'the role change',
  revoke: 'the removal',
};

/**
 * What an operation FreshBooks refused for lack of a paid seat says: that, where, and the fix —
 * free a seat or buy one and say so in the policy, so that the next plan's seats guard knows.
 * "FreshBooks refused the invitation (422): no paid seat is free in Acme Books Inc. (240340).
 * Free one (revoke someone or change them to unassigned) or buy more seats in FreshBooks and
 * raise seats.limit in policies/acme-books.yaml, then run apply again."
 */
export function describeSeatRefusal(
  change: Pick<Change, 'action'>,
  business: Pick<BusinessPlan, 'businessId' | 'name' | 'policyFile' | 'seats'>,
  error: Pick<FreshBooksApiError, 'status' | 'errno'>,
): string {
  const answer = [error.status, error.errno === null ? null : `errno ${error.errno}`]
    .filter((part) => part !== null)
    .join(' ');
  const where = business.name
    ? `${business.name} (${business.businessId})`
    : `business ${business.businessId}`;
  const limit = business.seats?.limit;
  const policy =
    limit === undefined
      ? `declare the new count as seats.limit in ${business.policyFile}`
      : `raise seats.limit (${limit}) in ${business.policyFile}`;
  return `FreshBooks refused ${WRITE[change.action]} (${answer}): no paid seat is free in ${where}. Free one (revoke someone or change them to unassigned) or buy more seats in FreshBooks and ${policy}, then run apply again.`;
}
