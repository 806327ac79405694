/**
 * What a pull request's plan shows besides FreshBooks changes (render-policy-review.ts): the
 * policy facts it changes against the last approved policies — computed exactly as
 * `apply --github` will compute them after the merge, so the digest the approver approves is
 * the one the gate checks — and the revocations the merged policy schedules by expiry.
 */
import { RolecallError } from '../../errors.js';
import { mergeBase } from '../../git/repo-info.js';
import type { GitHubSession } from '../../github/session.js';
import { diffPolicies } from '../../plan/policy-changes.js';
import { scheduledRevocations, type PolicyReview } from '../../plan/render-policy-review.js';
import type { DesiredState, Plan } from '../../types.js';
import { trustedPolicies } from '../trusted-policies.js';
import { githubApprovalLookup } from '../github-approval-lookup.js';

export async function planReview(
  cwd: string,
  options: {
    session: Pick<GitHubSession, 'octokit' | 'repo' | 'identity'>;
    policiesDir: string;
    /** The pull request's base and head commits. */
    baseSha: string;
    headSha: string;
    /** The policies at the head, as planned. */
    desired: DesiredState;
    plan: Plan;
    now: Date;
    /** The pull request changed files under the policy directory. */
    touchedPolicies: boolean;
  },
): Promise<PolicyReview & { problem: string | null }> {
  const from = await mergeBase(cwd, options.baseSha, options.headSha);
  if (!from) {
    throw new RolecallError(
      'GIT_NO_MERGE_BASE',
      `${options.baseSha.slice(0, 12)} and ${options.headSha.slice(0, 12)} have no common ancestor in this clone: ` +
        'fetch the history (actions/checkout with fetch-depth: 0)',
    );
  }
  const trusted = await trustedPolicies(cwd, {
    policiesDir: options.policiesDir,
    from,
    now: options.now,
    lookup: githubApprovalLookup(options.session),
  });
  const changes = trusted.problem ? [] : diffPolicies(trusted.desired, options.desired);
  const ids = new Set([
    ...options.plan.businesses.map((b) => b.businessId),
    ...changes.map((c) => c.businessId),
  ]);
  return {
    base: trusted.commit,
    changes,
    scheduled: scheduledRevocations(options.desired, options.now, ids),
    touchedPolicies: options.touchedPolicies,
    problem: trusted.problem,
  };
}
