import type { ApprovalDecision, ApprovalGate } from '../ports.js';
import type { Change, Plan } from '../types.js';

/** The audit log's record of why an expiry was applied without a pull-request approval. */
export const AUTO_APPROVE_EXPIRY_REASON = 'autoApproveExpiry: the plan only removes expired access';

/** The changes `rolecall expire` may apply: revokes whose cause is an expired grant. */
export function isExpiredRevoke(change: Change): boolean {
  return change.action === 'revoke' && change.cause === 'expired';
}

/**
 * The gate for businesses whose policy says `rules.autoApproveExpiry: true`. It approves only a
 * plan that does nothing but revoke expired grants, and only for businesses that opted in: the
 * check is repeated here (not only in the caller that built the plan) so that the gate cannot
 * approve more than the rule allows whatever plan it is handed.
 */
export function autoApproveExpiryGate(allowed: (businessId: number) => boolean): ApprovalGate {
  return {
    async decide(plan: Plan): Promise<ApprovalDecision> {
      for (const business of plan.businesses) {
        if (business.changes.length > 0 && !allowed(business.businessId)) {
          return {
            approved: false,
            reason: `business ${business.businessId} does not set rules.autoApproveExpiry: true`,
          };
        }
        const other = business.changes.find((change) => !isExpiredRevoke(change));
        if (other) {
          return {
            approved: false,
            reason: `autoApproveExpiry covers only revokes of expired grants, and the plan also has a ${other.action} of ${other.email}`,
          };
        }
      }
      return { approved: true, reason: AUTO_APPROVE_EXPIRY_REASON };
    },
  };
}
