/**
 * What `rolecall review close` decides from the ticks: who is removed (the unchecked boxes that
 * are policy entries a pull request may remove), who is kept, and why.
 */
import type { ParsedReviewIssue } from './parse-review-issue.js';
import type { BusinessPolicy, DesiredMember } from '../types.js';

export interface ReviewOutcome {
  /** Unchecked policy entries: the pull request removes them. */
  remove: DesiredMember[];
  /** Unchecked, but in `rules.protected`: a policy edit must not remove them. */
  protectedKept: string[];
  /** Unchecked, but no longer in the policy (removed since the review opened). */
  alreadyGone: string[];
  /** Checked, plus every other way of keeping someone (see `parseReviewIssueBody`). */
  kept: string[];
}

/**
 * Only an unchecked box removes, and only a policy entry of this business (at the base the pull
 * request starts from). The owner and people granted by hand have no checkbox; protected people
 * are kept (the planner would refuse to revoke them anyway) and reported.
 */
export function decideRemovals(review: ParsedReviewIssue, policy: BusinessPolicy): ReviewOutcome {
  const byEmail = new Map(policy.members.map((member) => [member.email, member]));
  const protectedEmails = new Set(policy.rules.protected);
  const outcome: ReviewOutcome = {
    remove: [],
    protectedKept: [],
    alreadyGone: [],
    kept: [...review.keep, ...review.conflicting, ...review.missing].sort(),
  };
  for (const email of review.remove) {
    const member = byEmail.get(email);
    if (member === undefined) outcome.alreadyGone.push(email);
    else if (protectedEmails.has(email)) outcome.protectedKept.push(email);
    else outcome.remove.push(member);
  }
  return outcome;
}
