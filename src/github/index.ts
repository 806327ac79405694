/**
 * rolecall's GitHub layer: everything the `--github` commands do with GitHub, as functions. It
 * knows octokit, comments, issues and records, never plans or reviews: what joins a plan or a
 * review to GitHub (the plan comment, the approval gate, the review issue's ticks) is in
 * flows/github/, and the approval digest is the planner's (plan/approval-digest.ts).
 *
 *   session.ts                    openGitHubSession: context + client + login
 *   client.ts / context.ts        createGitHubClient, githubContext, isForkPullRequest
 *   identity.ts                   resolveTokenLogin (GET /user, or the bot login), isBot
 *   sticky-comment.ts             upsertStickyComment (any kind, e.g. the apply outcome)
 *   merged-pull-request.ts        findMergedPullRequest, requireMergedPullRequest
 *   approvals.ts                  evaluateApprovals (pure)
 *   token-store-github-secret.ts  createGitHubSecretStore (the TokenStore port)
 *   drift-issue.ts                upsertDriftIssue, mergeFirstSeen
 *   pull-requests.ts              openPullRequest, upsertCleanupPullRequest
 *   review-issue-record.ts        openReviewIssue, readReviewIssueRecord (the hidden record)
 *   job-summary.ts                appendJobSummary ($GITHUB_STEP_SUMMARY)
 *   annotations.ts outputs.ts     ::error/::notice commands, $GITHUB_OUTPUT
 */
export * from './session.js';
export * from './client.js';
export * from './github-error.js';
export * from './identity.js';
export * from './hidden-record.js';
export * from './limits.js';
export * from './sticky-comment.js';
export * from './merged-pull-request.js';
export * from './approvals.js';
export * from './token-store-github-secret.js';
export * from './labelled-items.js';
export * from './drift-issue.js';
export * from './pull-requests.js';
export * from './review-issue-record.js';
export * from './job-summary.js';
export * from './annotations.js';
export * from './outputs.js';
