import { fail, pass, type CheckResult } from './check-result.js';
import type { GitHubSettings } from './facts.js';
import { unreadableCheck } from './unreadable.js';

const ID = 'actions.pull-requests';
const WHY =
  "expire.yml opens the clean-up pull request with the workflow's GITHUB_TOKEN, which GitHub refuses unless Actions may create pull requests (rolecall's gate never counts a bot's approval)";

/** `actions.pull-requests`: "Allow GitHub Actions to create and approve pull requests". */
export function checkActionsPullRequests(github: GitHubSettings): CheckResult {
  const read = github.workflowPermissions;
  if (!read.ok) return unreadableCheck(ID, 'the Actions workflow permissions', WHY, read);
  const write =
    read.value.defaultWorkflowPermissions === 'write'
      ? '; the default GITHUB_TOKEN permission is read and write (every rolecall workflow sets its own)'
      : '';
  if (!read.value.canApprovePullRequestReviews) {
    return fail(
      ID,
      `GitHub Actions may not create pull requests${write}`,
      WHY,
      'Settings → Actions → General → "Workflow permissions" → "Allow GitHub Actions to create and approve pull requests"',
    );
  }
  return pass(ID, `GitHub Actions may create pull requests${write}`, WHY);
}
