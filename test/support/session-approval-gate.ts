/**
 * The approval gate of a merged pull request, built from an open GitHub session (its clients,
 * repository and login). Tests only: the apply-on-merge flow builds its gate itself.
 */
import { GitHubApprovalGate } from '../../src/flows/github/approval-gate.js';
import type { GitHubSession } from '../../src/github/session.js';
import type { ApprovalRules } from '../../src/types.js';

/** Pass the pushed commit as `mergeCommitSha` to check the pull request was merged as it. */
export function sessionApprovalGate(
  session: GitHubSession,
  pullNumber: number,
  rulesFor: (businessId: number) => ApprovalRules | undefined,
  mergeCommitSha?: string,
): GitHubApprovalGate {
  return new GitHubApprovalGate({
    octokit: session.octokit,
    teamOctokit: session.teamOctokit,
    repo: session.repo,
    pullNumber,
    login: session.identity.login,
    rulesFor,
    ...(mergeCommitSha === undefined ? {} : { mergeCommitSha }),
  });
}
