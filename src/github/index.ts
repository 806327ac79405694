/**
 * rolecall's GitHub layer: everything the `--github` commands do with GitHub, as functions.
 *
 *   session.ts                    openGitHubSession: context + client + login
 *   client.ts / context.ts        createGitHubClient, githubContext, isForkPullRequest
 *   identity.ts                   resolveTokenLogin (GET /user, or the bot login), isBot
 *   plan-digest.ts                approvalDigest, saltedDigest, effectMatches, describeDifference
 *   plan-comment.ts               upsertPlanComment, readApprovedPlan, readApprovedDigest
 *   sticky-comment.ts             upsertStickyComment (any kind, e.g. the apply outcome)
 *   merged-pull-request.ts        findMergedPullRequest, requireMergedPullRequest
 *   approvals.ts                  evaluateApprovals (pure)
 *   approval-gate.ts              GitHubApprovalGate (the ApprovalGate port)
 *   token-store-github-secret.ts  createGitHubSecretStore (the TokenStore port)
 *   drift-issue.ts                upsertDriftIssue, mergeFirstSeen
 *   pull-requests.ts              openPullRequest, upsertCleanupPullRequest
 *   review-issue.ts               createReviewIssue, readReviewIssue
 *   job-summary.ts                appendJobSummary, appendPlanToJobSummary ($GITHUB_STEP_SUMMARY)
 *   annotations.ts outputs.ts     ::error/::notice commands, $GITHUB_OUTPUT
 */
export * from './session.js';
export * from './client.js';
export * from './github-error.js';
export * from './identity.js';
export * from './hidden-record.js';
export * from './limits.js';
export * from './plan-digest.js';
export * from './sticky-comment.js';
export * from './plan-comment.js';
export * from './merged-pull-request.js';
export * from './approvals.js';
export * from './approval-gate.js';
export * from './token-store-github-secret.js';
export * from './labelled-items.js';
export * from './drift-issue.js';
export * from './pull-requests.js';
export * from './review-issue.js';
export * from './job-summary.js';
export * from './annotations.js';
export * from './outputs.js';
