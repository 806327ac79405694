/**
 * Repository settings `rolecall doctor` reads besides the branch rules: GitHub's verdict on the
 * CODEOWNERS file, and what Actions' GITHUB_TOKEN may do.
 */
import type { GitHubClient } from './client.js';
import { repoParams, type RepoRef } from './context.js';
import { readSetting, type GitHubRead, type ReadContext } from './read-result.js';

export interface CodeownersErrorSettings {
  line: number;
  kind: string;
  message: string;
}

export interface WorkflowPermissionSettings {
  defaultWorkflowPermissions: string;
  canApprovePullRequestReviews: boolean;
}

/** The errors GitHub finds in CODEOWNERS on the default branch; `null` when there is no file. */
export function readCodeownersErrors(
  octokit: GitHubClient,
  repo: RepoRef,
  context: ReadContext,
): Promise<GitHubRead<CodeownersErrorSettings[] | null>> {
  return readSetting(
    context,
    'Contents: read',
    async () => {
      const { data } = await octokit.rest.repos.codeownersErrors({ ...repoParams(repo) });
      return data.errors.map((e) => ({ line: e.line, kind: e.kind, message: e.message }));
    },
    // GitHub answers 404 when the default branch has no CODEOWNERS file.
    (status) => (status === 404 ? { value: null } : null),
  );
}

/** "Workflow permissions": the default GITHUB_TOKEN permission, and whether Actions may open pull requests. */
export function readWorkflowPermissions(
  octokit: GitHubClient,
  repo: RepoRef,
  context: ReadContext,
): Promise<GitHubRead<WorkflowPermissionSettings>> {
  return readSetting(context, 'Administration: read', async () => {
    const { data } =
      await octokit.rest.actions.getGithubActionsDefaultWorkflowPermissionsRepository({
        ...repoParams(repo),
      });
    return {
      defaultWorkflowPermissions: data.default_workflow_permissions,
      canApprovePullRequestReviews: data.can_approve_pull_request_reviews,
    };
  });
}
