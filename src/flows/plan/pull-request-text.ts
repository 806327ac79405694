/**
 * The words a pull request's plan adds around the plan itself: the comment's footer (scope,
 * deleted policy files, what merging does), the job-log line about the comment, the annotation
 * when a guard blocks the plan. Pure text; plan-on-pull-request.ts posts and prints it.
 */
import type { PlanCommentResult } from '../github/plan-comment.js';
import type { PullRequestContext } from '../../github/context.js';
import { planHasChanges, planIsApplyable } from '../../plan/describe.js';
import { code, escapeText } from '../../plan/markdown-text.js';
import type { Plan } from '../../types.js';
import type { ChangedScope, DeletedPolicy } from './changed-scope.js';

export function describeComment(result: PlanCommentResult, pr: PullRequestContext): string {
  const url = result.comment?.htmlUrl ?? `#${pr.number}`;
  switch (result.action) {
    case 'created':
      return `Plan comment created: ${url}`;
    case 'updated':
      return `Plan comment updated in place: ${url}`;
    case 'unchanged':
      return `Plan comment already up to date: ${url}`;
    case 'skipped-stale-head':
      return `Plan comment not written: pull request #${pr.number} has moved past ${pr.headSha.slice(0, 7)}; the run for its newer head comments instead.`;
  }
}

export function blockedMessage(plan: Plan): string {
  const blocked = plan.businesses
    .filter((b) => !b.applyable)
    .map((b) => {
      const guards = b.guards.filter((g) => !g.ok && g.override === undefined);
      return `${b.name} (${b.businessId}): ${guards.map((g) => `${g.guard}: ${g.message}`).join('; ')}`;
    });
  return `a safety guard failed without an override — ${blocked.join(' · ')}. Fix the policy or record an override, then push again.`;
}

/** Under the plan: what was planned and why, deleted files, what merging does. */
export function commentFooter(plan: Plan, scope: ChangedScope | null): string {
  const lines = ['---', ''];
  if (scope) {
    const files = plan.businesses.map((b) => code(b.policyFile));
    lines.push(
      files.length === 0
        ? 'This pull request changes no business’s policy file: nothing to plan.'
        : `Planned: the ${files.length === 1 ? 'business' : 'businesses'} whose policy files this pull request changes (${files.join(', ')}).`,
      '',
    );
    for (const deleted of scope.deleted) {
      lines.push('> [!WARNING]', `> ${deletedMarkdown(deleted)}`, '');
    }
  }
  if (planHasChanges(plan)) {
    lines.push(
      planIsApplyable(plan)
        ? 'After approval, merging applies exactly this plan. If FreshBooks or the policies change first, the apply refuses and asks for a new plan.'
        : '⛔ This plan cannot be applied as it stands: fix the policy or record an override, then push again.',
      '',
    );
  }
  // No link to the workflow run: it changes on every run, and the comment is rewritten only
  // when the plan changes (the run is one click away in the pull request's checks).
  return `\n${lines.join('\n')}`;
}

/** `describeDeletedPolicy` in markdown: file names and business names are data, not markup. */
export function deletedMarkdown(deleted: DeletedPolicy): string {
  const business =
    deleted.businessId === undefined
      ? 'the business it named'
      : `business ${deleted.businessId}${deleted.name === undefined ? '' : ` (${escapeText(deleted.name)})`}`;
  if (deleted.stillManaged) {
    return `${code(deleted.file)} was removed; ${business} is still named by another policy file and is planned from there.`;
  }
  return (
    `**${code(deleted.file)} was deleted**: ${business} is no longer managed by rolecall. ` +
    'Nothing is revoked; its members keep their access. To remove everyone, keep the file with `members: []`.'
  );
}
