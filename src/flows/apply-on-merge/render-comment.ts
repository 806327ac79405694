/**
 * What `apply --github` says on the merged pull request (and in the job summary): the outcome
 * of the apply, or exactly why it refused. Text from policies, FreshBooks and GitHub is data,
 * never markup; `@login`s are shown as code so that an edited comment does not notify
 * everyone it names again.
 */
import { renderApplyResultMarkdown } from '../../apply/render-apply-result.js';
import type { ApplyRun } from '../../apply/apply-plan.js';
import type { MergedPullRequest } from '../../github/merged-pull-request.js';
import { code, escapeText } from '../../plan/markdown-text.js';
import type { MergeGateEvaluation } from './merge-gate.js';

export interface CommentContext {
  pullRequest: Pick<MergedPullRequest, 'number'>;
  mergeCommitSha: string;
  runUrl: string | null;
  /** The audit-log artifact of this run (apply.yml's name), when known. */
  auditArtifact: string | null;
}

/** Lists in a comment stop here; the job log and the audit log have everything. */
const MAX_LINES = 50;

const MENTION = /(?<![\w.+-])@([A-Za-z0-9][A-Za-z0-9-]*(?:\[bot\])?)/g;

/** One line of plain text as markdown, with mentions as code. */
export function markdownLine(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    out += escapeText(text.slice(last, match.index)) + code(match[0]);
    last = match.index + match[0].length;
  }
  return out + escapeText(text.slice(last));
}

/** Mentions in already-rendered markdown (the applier's report) as code. */
function quietMentions(markdown: string): string {
  return markdown.replace(MENTION, (mention) => code(mention));
}

function bullets(lines: readonly string[]): string[] {
  const shown = lines.slice(0, MAX_LINES).map((line) => `- ${markdownLine(line)}`);
  if (lines.length > MAX_LINES)
    shown.push(`- … and ${lines.length - MAX_LINES} more (see the job log)`);
  return shown;
}

function mergeLine(ctx: CommentContext): string {
  return `merge ${code(ctx.mergeCommitSha.slice(0, 12))} of #${ctx.pullRequest.number}`;
}

function footer(ctx: CommentContext): string[] {
  const parts: string[] = [];
  if (ctx.runUrl) parts.push(`[workflow run](${ctx.runUrl})`);
  if (ctx.auditArtifact) parts.push(`audit log: artifact ${code(ctx.auditArtifact)}`);
  return parts.length ? ['', `<sub>${parts.join(' · ')}</sub>`] : [];
}

const WHAT_NOW =
  '**What now:** FreshBooks was not changed, so it still differs from the merged policy. ' +
  'Open a new pull request that touches the policy file: its plan shows the current differences; ' +
  'get it approved and merge it. Re-running this workflow checks this pull request again.';

/** A refusal before or at the gate: why, each unmet condition, and the plan's differences. */
export function renderRefusal(
  ctx: CommentContext,
  input: { headline: string; unmet: readonly string[]; difference?: readonly string[] },
): string {
  const lines = [
    '### rolecall apply — refused',
    '',
    `**Nothing was written to FreshBooks**: ${mergeLine(ctx)} was not applied. ${markdownLine(input.headline)}`,
    '',
  ];
  const difference = input.difference ?? [];
  const unmet = input.unmet.map((line) =>
    difference.length > 0 && line.startsWith('plan changed since approval')
      ? `plan changed since approval: the plan at the merge commit is not the plan last posted on #${ctx.pullRequest.number} (differences below)`
      : line,
  );
  if (unmet.length > 0) lines.push(...bullets(unmet), '');
  if (difference.length > 0) {
    lines.push(
      `**Plan changed since approval** — ${difference.length} difference${difference.length === 1 ? '' : 's'} between the approved plan and the plan at the merge commit:`,
      '',
      ...bullets(difference),
      '',
    );
  }
  lines.push(WHAT_NOW, ...footer(ctx));
  return `${lines.join('\n')}\n`;
}

/** The gate refused: the unmet rules from its evaluation. */
export function renderGateRefusal(ctx: CommentContext, evaluation: MergeGateEvaluation): string {
  return renderRefusal(ctx, {
    headline: 'The approval gate is closed:',
    unmet: evaluation.unmet,
    difference: evaluation.difference,
  });
}

/** The applier's own report (done, partly done, or refused before the gate), with context. */
export function renderOutcome(ctx: CommentContext, run: ApplyRun): string {
  const report = quietMentions(renderApplyResultMarkdown(run)).trimEnd();
  const lines = [report, '', `Applied from ${mergeLine(ctx)}.`];
  if (run.refusal) lines.push('', WHAT_NOW);
  else if (run.exitCode !== 0) {
    lines.push(
      '',
      '**What now:** do the manual tasks above in FreshBooks, or fix what failed and re-run this workflow: ' +
        'it finishes the changes this approval covers that are not done yet (an unconfirmed one is read back and written again), and nothing else.',
    );
  }
  lines.push(...footer(ctx));
  return `${lines.join('\n')}\n`;
}

/** The mark written just before the first write. */
export function renderApplying(ctx: CommentContext, approval: string): string {
  return [
    '### rolecall apply — applying…',
    '',
    `Applying the approved plan of ${mergeLine(ctx)}; this comment is updated with the outcome.`,
    '',
    `Approval: ${markdownLine(approval)}`,
    ...footer(ctx),
    '',
  ].join('\n');
}

/** Only the policies changed (no FreshBooks change): the approval of that change. */
export function renderPolicyApproved(ctx: CommentContext, approval: string): string {
  return [
    '### rolecall apply — policy change approved',
    '',
    `The change at ${mergeLine(ctx)} changes the policies but nothing in FreshBooks. It was approved under the rules before and after it, so its policies are now the approved state later changes are compared with. Nothing was written to FreshBooks.`,
    '',
    `Approval: ${markdownLine(approval)}`,
    ...footer(ctx),
    '',
  ].join('\n');
}

/** The re-plan is empty: what was approved is already in place. */
export function renderNothing(ctx: CommentContext, approvedChanges: number): string {
  return [
    '### rolecall apply — nothing to do',
    '',
    approvedChanges > 0
      ? `The ${approvedChanges} approved change${approvedChanges === 1 ? ' is' : 's are'} already in place in FreshBooks: the plan at ${mergeLine(ctx)} is empty. Nothing was written.`
      : `The plan at ${mergeLine(ctx)} is empty. Nothing was written.`,
    ...footer(ctx),
    '',
  ].join('\n');
}
