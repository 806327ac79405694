/**
 * What `rolecall review close` writes, as pure functions of its decision (decide-removals.ts):
 * the texts of the commit, the pull request, the comment on the review issue and the terminal.
 */
import { markdownCode, markdownText } from './escape-markdown.js';
import type { ReviewOutcome } from './decide-removals.js';
import type { BusinessPolicy, DesiredMember } from '../types.js';

export interface CloseContext {
  issueNumber: number;
  issueUrl: string;
  businessId: number;
  businessName: string;
  due: string | null;
  policyFile: string;
  mode: BusinessPolicy['mode'];
  /** Non-bot people who commented on the review issue. */
  commenters: string[];
  /** Who ran the close (GITHUB_ACTOR or the token's user), when known. */
  closedBy: string | null;
}

function who(member: DesiredMember): string {
  const via = member.via.kind === 'team' ? `, team ${member.via.team}` : '';
  return `${member.email} (${member.role}${via})`;
}

export function commitMessage(outcome: ReviewOutcome, ctx: CloseContext): string {
  const n = outcome.remove.length;
  return [
    `Remove ${n} ${n === 1 ? 'person' : 'people'} from ${ctx.businessName} (access review #${ctx.issueNumber})`,
    '',
    `Left unchecked in the access review ${ctx.issueUrl}:`,
    ...outcome.remove.map((member) => `- ${who(member)}`),
    '',
  ].join('\n');
}

export function pullRequestTitle(outcome: ReviewOutcome, ctx: CloseContext): string {
  const n = outcome.remove.length;
  const name = ctx.businessName.replace(/[\r\n\t]+/g, ' ').slice(0, 120);
  return `Access review #${ctx.issueNumber}: remove ${n} ${n === 1 ? 'person' : 'people'} from ${name}`;
}

function reviewers(ctx: CloseContext): string[] {
  const lines: string[] = [];
  if (ctx.closedBy !== null) lines.push(`- Closed by @${ctx.closedBy}.`);
  lines.push(
    ctx.commenters.length > 0
      ? `- Discussed on the review by ${ctx.commenters.map((login) => `@${login}`).join(', ')}.`
      : '- No comments on the review issue; the ticks are in its edit history.',
  );
  return lines;
}

function notRemoved(outcome: ReviewOutcome): string[] {
  const lines: string[] = [];
  if (outcome.protectedKept.length > 0) {
    lines.push(
      `- Unchecked but **protected** (\`rules.protected\`), so not removed: ${outcome.protectedKept.map(markdownCode).join(', ')}. Take them out of \`rules.protected\` first if they really should go.`,
    );
  }
  if (outcome.alreadyGone.length > 0) {
    lines.push(
      `- Unchecked but already gone from the policy: ${outcome.alreadyGone.map(markdownCode).join(', ')}.`,
    );
  }
  return lines;
}

/** The pull request body; `Closes #N`: merging the removals completes the review. */
export function pullRequestBody(outcome: ReviewOutcome, ctx: CloseContext): string {
  const out = [
    `Closes #${ctx.issueNumber}.`,
    '',
    `The access review of **${markdownText(ctx.businessName)}** (business ${ctx.businessId})${ctx.due === null ? '' : `, due ${ctx.due},`} left these people unchecked. This removes them from ${markdownCode(ctx.policyFile)}:`,
    '',
    '| Email | Policy role | Reason | Ticket |',
    '|---|---|---|---|',
    ...outcome.remove.map(
      (m) =>
        `| ${markdownCode(m.email)} | ${m.role}${m.via.kind === 'team' ? ` (team ${markdownText(m.via.team)})` : ''} | ${m.reason === undefined ? '—' : markdownText(m.reason)} | ${m.ticket === undefined ? '—' : markdownText(m.ticket)} |`,
    ),
    '',
    `Kept (checked): ${outcome.kept.length} ${outcome.kept.length === 1 ? 'person' : 'people'}.`,
    ...notRemoved(outcome),
    '',
    '**Reviewed**',
    '',
    ...reviewers(ctx),
    '',
  ];
  if (ctx.mode === 'additive') {
    out.push(
      '> [!WARNING]',
      '> This policy is `mode: additive`: removing people from it does **not** revoke their FreshBooks access.',
      '> Revoke them by hand, or make the policy authoritative.',
      '',
    );
  } else {
    out.push(
      'The plan on this pull request shows the revokes; they go through the usual approval, and the merge applies them.',
      '',
    );
  }
  out.push('<sub>Opened by `rolecall review close`.</sub>', '');
  return out.join('\n');
}

/** The comment on the review issue, once the close has done its part. */
export function issueComment(
  outcome: ReviewOutcome,
  ctx: CloseContext,
  pull: { number: number; url: string } | null,
): string {
  const out: string[] = [];
  if (pull === null) {
    out.push(
      `**Review closed: no one to remove.** ${outcome.kept.length} ${outcome.kept.length === 1 ? 'person' : 'people'} kept.`,
    );
  } else {
    out.push(
      `**Review closed.** Pull request #${pull.number} removes ${outcome.remove.map((m) => markdownCode(m.email)).join(', ')} from ${markdownCode(ctx.policyFile)}; ${outcome.kept.length} kept. Merging it closes this issue.`,
    );
  }
  const extra = notRemoved(outcome);
  if (extra.length > 0) out.push('', ...extra);
  if (ctx.closedBy !== null)
    out.push('', `Closed by @${ctx.closedBy} with \`rolecall review close\`.`);
  return `${out.join('\n')}\n`;
}

/** For the terminal. */
export function describeOutcome(outcome: ReviewOutcome, ctx: CloseContext): string {
  const lines = [
    `review #${ctx.issueNumber} of business ${ctx.businessId} (${ctx.businessName}): ` +
      `${outcome.remove.length} to remove, ${outcome.kept.length} kept`,
  ];
  for (const member of outcome.remove) lines.push(`  - ${who(member)}`);
  for (const email of outcome.protectedKept)
    lines.push(`  unchecked but protected, kept: ${email}`);
  for (const email of outcome.alreadyGone)
    lines.push(`  unchecked but already not in the policy: ${email}`);
  if (ctx.mode === 'additive' && outcome.remove.length > 0) {
    lines.push(
      '  warning: the policy is additive: removing people from it does not revoke their access',
    );
  }
  return `${lines.join('\n')}\n`;
}
