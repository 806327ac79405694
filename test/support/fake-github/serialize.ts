/**
 * Wire shapes of the fake: the fields of GitHub's REST answers that rolecall (and octokit) read,
 * with GitHub's names and URL forms.
 */
import type { FakeComment, FakeIssue, FakeRepo, FakeReview, FakeUser } from './state.js';

export const WEB = 'https://github.com';

export function userJson(user: FakeUser) {
  return { login: user.login, id: user.id, type: user.type, html_url: `${WEB}/${user.login}` };
}

export function issueJson(repo: FakeRepo, issue: FakeIssue) {
  const kind = issue.pull ? 'pull' : 'issues';
  return {
    id: issue.number * 7919,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.stateReason,
    labels: issue.labels.map((name) => ({ name, color: repo.labels.get(name)?.color ?? 'ededed' })),
    user: userJson(issue.user),
    html_url: `${WEB}/${repo.fullName}/${kind}/${issue.number}`,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    ...(issue.pull
      ? {
          pull_request: {
            url: `/repos/${repo.fullName}/pulls/${issue.number}`,
            merged_at: issue.pull.mergedAt,
          },
        }
      : {}),
  };
}

export function pullJson(repo: FakeRepo, issue: FakeIssue) {
  const pull = issue.pull;
  if (!pull) throw new Error('not a pull request');
  return {
    id: issue.number * 7919,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    draft: pull.draft,
    user: userJson(issue.user),
    html_url: `${WEB}/${repo.fullName}/pull/${issue.number}`,
    labels: issue.labels.map((name) => ({ name })),
    head: {
      ref: pull.headRef,
      sha: pull.headSha,
      label: `${pull.headRepoFullName?.split('/')[0] ?? 'unknown'}:${pull.headRef}`,
      repo: pull.headRepoFullName ? { full_name: pull.headRepoFullName } : null,
    },
    base: { ref: pull.baseRef, sha: pull.baseSha, repo: { full_name: repo.fullName } },
    merged: pull.merged,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
  };
}

export function commentJson(repo: FakeRepo, comment: FakeComment) {
  const issue = repo.issues.get(comment.issueNumber);
  const kind = issue?.pull ? 'pull' : 'issues';
  return {
    id: comment.id,
    body: comment.body,
    user: userJson(comment.user),
    html_url: `${WEB}/${repo.fullName}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `/repos/${repo.fullName}/issues/${comment.issueNumber}`,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  };
}

export function reviewJson(review: FakeReview) {
  return {
    id: review.id,
    user: userJson(review.user),
    body: review.body,
    state: review.state,
    commit_id: review.commitId,
    ...(review.submittedAt ? { submitted_at: review.submittedAt } : {}),
  };
}
