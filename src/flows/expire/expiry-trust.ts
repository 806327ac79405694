/**
 * Which expired grants `expire --github` may revoke with nobody confirming. An `expires:` is a
 * scheduled revoke; one that rode in with a change nobody approved (a "no FreshBooks change"
 * pull request merged unreviewed) must not take access away hours later on its own. So both
 * the opt-in and each expiry are read from the **last approved policies** (trusted-policies.ts),
 * not from the branch tip:
 *
 * - a business auto-approves expiry only if `rules.autoApproveExpiry: true` was approved;
 * - an expired grant is revoked automatically only if the approved policies already had it
 *   expire at that moment or earlier (extending an expiry needs no new approval to be honoured
 *   late; adding or shortening one does).
 *
 * Everything else is left in place and named, for a human: `rolecall expire` at a terminal,
 * or an approved pull request.
 */
import { resolveCommit } from '../../git/repo-info.js';
import type { BusinessPolicy, DesiredMember, DesiredState } from '../../types.js';
import { trustedPolicies, type ApprovalLookup } from '../trusted-policies.js';

export interface ExpiryTrust {
  /** Businesses whose approved policies set `rules.autoApproveExpiry: true`. */
  autoApprove: Set<number>;
  /** `"<businessId> <email>"` of the expired grants the approved policies expire as early. */
  trusted: Set<string>;
  /** One line per grant (or business) that is not revoked automatically, and why. */
  untrusted: string[];
}

export async function trustedExpiries(
  cwd: string,
  options: {
    policiesDir: string;
    now: Date;
    lookup: ApprovalLookup;
    expired: ReadonlyArray<{ business: BusinessPolicy; members: readonly DesiredMember[] }>;
  },
): Promise<ExpiryTrust> {
  const head = await resolveCommit(cwd, 'HEAD');
  const approved = await trustedPolicies(cwd, {
    policiesDir: options.policiesDir,
    from: head,
    now: options.now,
    lookup: options.lookup,
  });
  const result: ExpiryTrust = { autoApprove: new Set(), trusted: new Set(), untrusted: [] };
  for (const { business, members } of options.expired) {
    const label = business.name ?? `business ${business.businessId}`;
    if (approved.problem) {
      if (business.rules.autoApproveExpiry) result.untrusted.push(`${label}: ${approved.problem}`);
      continue;
    }
    const was = approved.desired?.businesses.find((b) => b.businessId === business.businessId);
    if (!was?.rules.autoApproveExpiry) {
      if (business.rules.autoApproveExpiry) {
        result.untrusted.push(
          `${label}: rules.autoApproveExpiry: true was not approved (the last approved policies${
            approved.commit ? `, ${approved.commit.slice(0, 7)},` : ''
          } do not set it), so no expiry there is revoked without a human`,
        );
      }
      continue;
    }
    result.autoApprove.add(business.businessId);
    for (const member of members) {
      const before = was.members.find((m) => m.email === member.email);
      const ok =
        before?.expires !== undefined &&
        member.expires !== undefined &&
        Date.parse(before.expires) <= Date.parse(member.expires);
      if (ok) result.trusted.add(`${business.businessId} ${member.email}`);
      else
        result.untrusted.push(
          `${member.email} (${member.role}) in ${label}: its expiry did not come through an approved change ` +
            `(the last approved policies${approved.commit ? `, ${approved.commit.slice(0, 7)},` : ''} ${
              before?.expires ? `expire it later` : 'do not expire it'
            }); revoke it at a terminal with \`rolecall expire\`, or approve the change in a pull request`,
        );
    }
  }
  return result;
}

/**
 * `desired` with the `expires` of every untrusted grant removed: for this run such a grant is
 * as if it had no expiry, so nothing plans, approves or applies its revoke.
 */
export function withoutUntrustedExpiries(
  desired: DesiredState,
  trusted: (businessId: number, email: string) => boolean,
): DesiredState {
  return {
    businesses: desired.businesses.map((business) => ({
      ...business,
      members: business.members.map((member) => {
        if (member.expires === undefined || trusted(business.businessId, member.email))
          return member;
        const { expires: _expires, ...rest } = member;
        return rest;
      }),
    })),
  };
}
