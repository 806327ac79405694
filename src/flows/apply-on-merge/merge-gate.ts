/**
 * The gate `apply --github` hands to `runApply`: the library's `GitHubApprovalGate` (merged as
 * the pushed commit, the plan's effect is the one last posted, the approval rules are met by
 * reviews of the head commit), with three additions that only make sense at merge time:
 *
 * 1. **Rules before the change also apply** (rules-before-merge.ts): where the change (since
 *    the last approved policies) alters a business's `approvals:`, the reviews must satisfy the
 *    old rules as well; where those cannot be known, the business is refused.
 * 2. **Resume within the approval**: when an earlier run for the same merge commit started
 *    writing (the apply comment says `applying` or `partial`) and every change of the re-plan is,
 *    unchanged, one of the approved changes, the approval is judged against the approved plan
 *    itself — the rest of exactly what was approved, nothing newer, nothing else.
 * 3. **A durable mark before the first write**: once approved, the apply comment is set to
 *    `applying` before `decide` returns (after which the applier writes).
 *
 * `evaluation` keeps what was decided, for the refusal comment.
 */
import { canonicalJson } from '../../canonical.js';
import {
  DEFAULT_APPROVAL_RULES,
  GitHubApprovalGate,
  type GateEvaluation,
} from '../github/approval-gate.js';
import type { GitHubSession } from '../../github/session.js';
import type { MergedPullRequest } from '../../github/merged-pull-request.js';
import type { ApprovedPlan } from '../github/plan-comment.js';
import { planFromEffect, withoutSource, type PlanEffect } from '../../plan/compare-plans.js';
import type { IdentityLink } from '../../github/approvals.js';
import { toolVersion } from '../../paths.js';
import type { BusinessPolicyChange } from '../../plan/policy-changes.js';
import type { ApprovalDecision, ApprovalGate } from '../../ports.js';
import type { ApprovalRules, Plan } from '../../types.js';
import { sameRules, type RulesBeforeMerge } from './rules-before-merge.js';

export interface MergeGateOptions {
  session: Pick<GitHubSession, 'octokit' | 'teamOctokit' | 'repo' | 'identity'>;
  pullRequest: MergedPullRequest;
  approvedPlan: ApprovedPlan;
  /** The `approvals:` at the merge commit. */
  rulesNow: (businessId: number) => ApprovalRules | undefined;
  rulesBefore: RulesBeforeMerge;
  /** Policy fact changes since the last approved policies (policy-changes.ts). */
  policyChanges: readonly BusinessPolicyChange[];
  /** Nothing is written to FreshBooks: only the policy changes must be the approved ones. */
  policyOnly?: boolean;
  /** An earlier run for this merge commit and this approval started writing. */
  resume: boolean;
  /** `identities:` of the policies before and after the change, united (approvals.ts). */
  identities?: IdentityLink[];
  /** Called once approved, before the first write: marks the apply comment `applying`. */
  onApproved: (decision: ApprovalDecision) => Promise<void>;
}

export interface MergeGateEvaluation {
  approved: boolean;
  /** Every unmet condition, exactly; rules of the earlier policy say so. */
  unmet: string[];
  /** "Plan changed since approval": one line per difference. */
  difference: string[];
  counted: string[];
  ignored: GateEvaluation['ignored'];
  /** Judged against the approved plan because this run finishes an earlier one. */
  resumed: boolean;
}

export class MergeGate implements ApprovalGate {
  evaluation: MergeGateEvaluation | null = null;

  constructor(private readonly options: MergeGateOptions) {}

  async decide(plan: Plan): Promise<ApprovalDecision> {
    const { approvedPlan, pullRequest } = this.options;
    const effect = approvedPlan.effect;
    const resumed = this.options.resume && effect !== null && withinApproved(plan, effect);
    const judged = resumed && effect ? planFromEffect(effect, plan) : plan;

    const now = await this.gate(this.options.rulesNow).evaluate(judged);
    const unmet = [...now.unmet];
    const { rulesBefore, policyChanges } = this.options;
    const touched = [
      ...new Set([
        ...judged.businesses.filter((b) => b.changes.length > 0).map((b) => b.businessId),
        ...policyChanges.map((c) => c.businessId),
      ]),
    ];
    if (rulesBefore.problem && touched.length > 0) {
      unmet.push(
        `the rules before this change cannot be known for business ${touched.join(', ')}: ${rulesBefore.problem}`,
      );
    }
    const relaxed = touched.filter(
      (id) => !sameRules(this.options.rulesNow(id), rulesBefore.rulesFor(id)),
    );
    if (relaxed.length > 0 && !rulesBefore.problem) {
      const before = await this.gate((id) => rulesBefore.rulesFor(id)).evaluate(judged);
      const where = rulesBefore.base
        ? `as the policy was when last approved (${rulesBefore.base.slice(0, 7)})`
        : 'the default rule for a new policy';
      for (const line of before.unmet) {
        if (!unmet.includes(line)) unmet.push(`${where}: ${line}`);
      }
    }
    const approved = unmet.length === 0;
    this.evaluation = {
      approved,
      unmet,
      difference: now.difference,
      counted: now.counted,
      ignored: now.ignored,
      resumed,
    };
    const decision: ApprovalDecision = {
      approved,
      reason: approved
        ? `${now.reason}${resumed ? ' (finishing an earlier run of this approval)' : ''}`
        : `#${pullRequest.number}: ${unmet.join('; ')}`,
      ...(now.counted.length ? { approvers: now.counted } : {}),
    };
    if (approved) await this.options.onApproved(decision);
    return decision;
  }

  private gate(rulesFor: (businessId: number) => ApprovalRules | undefined): GitHubApprovalGate {
    const { session, pullRequest } = this.options;
    return new GitHubApprovalGate({
      octokit: session.octokit,
      teamOctokit: session.teamOctokit,
      repo: session.repo,
      pullNumber: pullRequest.number,
      login: session.identity.login,
      rulesFor,
      defaultRules: DEFAULT_APPROVAL_RULES,
      mergeCommitSha: pullRequest.mergeCommitSha,
      policyChanges: this.options.policyChanges,
      ...(this.options.policyOnly ? { policyOnly: true } : {}),
      ...(this.options.identities ? { identities: this.options.identities } : {}),
      approvedPolicies: this.options.rulesBefore.policies,
    });
  }
}

/**
 * True when every change of `plan` is, field for field, a change of the approved effect, in a
 * business of the same mode — what is left of an approved plan after part of it was applied.
 */
export function withinApproved(plan: Plan, effect: PlanEffect): boolean {
  const approved = new Map(effect.businesses.map((b) => [b.businessId, b]));
  return plan.businesses.every((business) => {
    if (business.changes.length === 0) return true;
    const was = approved.get(business.businessId);
    if (!was || was.mode !== business.mode) return false;
    const known = new Set(was.changes.map((c) => canonicalJson(c)));
    return business.changes.every((c) => known.has(canonicalJson(withoutSource(c))));
  });
}

/** A plan of no business: what the gate judges when only the policies changed. */
export function noBusinessPlan(now: Date): Plan {
  return {
    version: 1,
    tool: { name: 'rolecall', version: toolVersion() },
    createdAt: now.toISOString(),
    businesses: [],
    digest: '',
  };
}
