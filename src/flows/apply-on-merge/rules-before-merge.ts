/**
 * The approval rules in force *before* the change: those of the last approved policies
 * (trusted-policies.ts), not merely the merge commit's parent. A pull request can edit
 * `approvals:` in the same change it asks approval for; if only the merged rules counted, it
 * could lower its own bar (`required: 0`, a team rule removed) and grant access nobody with
 * authority reviewed — and a merged-but-refused change must not lower the bar for the next one.
 * So `apply --github` checks the rules at the merge commit *and* these: a change that relaxes
 * the rules must satisfy the old ones.
 *
 * A business absent from the approved policies is new: the default rule (one approval) is its
 * floor. When the approved policies cannot be read or do not validate, or there is no approved
 * state at all, the rules before cannot be known and every business the change touches is
 * refused (`problem`) — never a silent fallback to the default.
 */
import { canonicalJson } from '../../canonical.js';
import { DEFAULT_APPROVAL_RULES } from '../github/approval-gate.js';
import type { ApprovalRules, DesiredState } from '../../types.js';
import type { TrustedPolicies } from '../trusted-policies.js';

export interface RulesBeforeMerge {
  /** The commit the rules were read at, or `null` when there is none. */
  base: string | null;
  /** The rules of a business at `base`; the default rule where the business did not exist. */
  rulesFor(businessId: number): ApprovalRules;
  /** Why the rules before cannot be known: each business judged is refused with it. */
  problem: string | null;
  /**
   * The last approved policies themselves (`null` with `problem`, or with no approved state):
   * what a bot-made request's form is read against (flows/github/bot-made.ts).
   */
  policies: DesiredState | null;
}

export function rulesBeforeMerge(trusted: TrustedPolicies): RulesBeforeMerge {
  const byBusiness = new Map(
    (trusted.desired?.businesses ?? []).map((b) => [
      b.businessId,
      b.approvals ?? DEFAULT_APPROVAL_RULES,
    ]),
  );
  return {
    base: trusted.commit,
    rulesFor: (id) => byBusiness.get(id) ?? DEFAULT_APPROVAL_RULES,
    problem: trusted.problem,
    policies: trusted.problem ? null : trusted.desired,
  };
}

/** True when two rule sets are the same rules (a missing set is the default). */
export function sameRules(a: ApprovalRules | undefined, b: ApprovalRules | undefined): boolean {
  return canonicalJson(a ?? DEFAULT_APPROVAL_RULES) === canonicalJson(b ?? DEFAULT_APPROVAL_RULES);
}
