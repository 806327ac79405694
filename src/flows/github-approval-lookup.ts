/**
 * The `ApprovalLookup` for trusted-policies.ts, from rolecall's own records on GitHub: the
 * merged pull request whose merge commit is the commit, and rolecall's apply comment on it
 * (only comments by the token's own login are read, so a pasted record is never trusted).
 *
 * - `approved`: the apply comment's record is for exactly this merge commit and says the gate
 *   approved it (or found nothing that needed approval);
 * - `unapproved`: rolecall knew the pull request (an apply or plan comment) but never approved it
 *   — refused, or the apply run never got as far;
 * - `none`: no merged pull request, or one rolecall never commented on (before rolecall ran).
 */
import { findMergedPullRequest } from '../github/merged-pull-request.js';
import { readApprovedPlan } from './github/plan-comment.js';
import type { GitHubSession } from '../github/session.js';
import { ApplyComment } from './apply-on-merge/apply-comment.js';
import type { ApprovalLookup } from './trusted-policies.js';

export function githubApprovalLookup(
  session: Pick<GitHubSession, 'octokit' | 'repo' | 'identity'>,
): ApprovalLookup {
  return async (sha) => {
    const lookup = await findMergedPullRequest(session.octokit, { ...session.repo, sha });
    if (lookup.kind === 'none') return 'none';
    if (lookup.kind === 'several') return 'unapproved';
    const pr = lookup.pullRequest;
    const earlier = await new ApplyComment(session, pr).read();
    if (earlier) {
      return earlier.record.mergeCommitSha === sha && earlier.record.approved
        ? 'approved'
        : 'unapproved';
    }
    const plan = await readApprovedPlan(
      session.octokit,
      { ...session.repo, number: pr.number, htmlUrl: pr.htmlUrl },
      session.identity.login,
    );
    return plan ? 'unapproved' : 'none';
  };
}
