import type { Change, Plan } from '../types.js';
import type { ApplyRun } from './apply-plan.js';
import type { EarlierRuns } from './earlier-runs.js';
import { renderManualChecklistMarkdown, renderManualChecklistText } from './manual-tasks.js';
import { OPERATION_OUTCOMES, type AppliedOperation, type OperationOutcome } from './records.js';

// C0 (but newline) and C1 control characters, DEL: a business name or an API error message
// must not smuggle escape sequences to the terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/** Text safe to print: control characters (except newlines) become U+FFFD. */
export function printable(text: string): string {
  return text.replace(CONTROL, '\ufffd');
}

/** GitHub comments hold 65,536 characters; leave room for what the caller wraps around. */
export const MARKDOWN_LIMIT = 60_000;

function fromText(op: Pick<Change, 'from'>): string {
  if (!op.from) return '—';
  return op.from.state === 'active' ? op.from.role : `${op.from.role} (${op.from.state})`;
}

function toText(op: Pick<Change, 'to'>): string {
  return op.to ? op.to.role : '—';
}

function countsOf(run: ApplyRun): Record<OperationOutcome, number> {
  const counts = Object.fromEntries(OPERATION_OUTCOMES.map((o) => [o, 0])) as Record<
    OperationOutcome,
    number
  >;
  for (const op of run.operations) counts[op.outcome] += 1;
  return counts;
}

/** "6 applied, 0 already in place, 0 manual, 0 failed" (and ", 2 unconfirmed" when any are). */
export function countsLine(run: ApplyRun): string {
  const c = countsOf(run);
  const unconfirmed = c.unconfirmed > 0 ? `, ${c.unconfirmed} unconfirmed` : '';
  return `${c.applied} applied, ${c.already} already in place, ${c.manual} manual, ${c.failed} failed${unconfirmed}`;
}

/**
 * "6 confirmed by FreshBooks." — every applied write was read back and showed its effect;
 * "2 not confirmed: …" for those FreshBooks accepted but does not show (not applied).
 */
export function confirmedLine(run: ApplyRun): string {
  const c = countsOf(run);
  const confirmed = `${c.applied} confirmed by FreshBooks (read back after the write).`;
  if (c.unconfirmed === 0) return confirmed;
  return `${confirmed} ${c.unconfirmed} not confirmed: FreshBooks did not show the change, so it is not counted as applied.`;
}

/** `2026-12-07 09:12 UTC`: when an earlier run did its work, to the minute. */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "run <id>, 2026-12-07 09:12 UTC", or for several runs "3 runs, the last <id> at …". */
export function earlierRunsText(earlier: EarlierRuns): string {
  const when = utcMinute(earlier.lastAt);
  return earlier.runs === 1
    ? `run ${earlier.lastRunId}, ${when}`
    : `${earlier.runs} runs, the last ${earlier.lastRunId} at ${when}`;
}

function verdictLine(run: ApplyRun): string {
  if (run.refusal?.code === 'INTERRUPTED') {
    return `Interrupted: ${run.refusal.message}, so nothing was changed. Run the same command again to apply.`;
  }
  if (run.refusal) return `Refused: ${run.refusal.message}. Nothing was written.`;
  if (run.alreadyApplied && run.earlier) {
    const n = run.earlier.total;
    return `Nothing to do: this plan was already applied (${n} operation${n === 1 ? '' : 's'}, ${earlierRunsText(run.earlier)}).`;
  }
  if (run.interrupted) {
    const { done, total, signal } = run.interrupted;
    return `Interrupted (${signal}) — ${done} of ${total} operations done; run the same command again to resume.`;
  }
  if (run.operations.length === 0) return 'Nothing to apply.';
  if (run.exitCode === 0) return `Apply complete: ${countsLine(run)}. ${confirmedLine(run)}`;
  return `Apply partly done: ${countsLine(run)}. ${confirmedLine(run)} Fix what is listed below, then run the same plan again (done operations are skipped).`;
}

/** The line under the operations when earlier runs had done part of the plan. */
function resumedLine(run: ApplyRun): string | null {
  if (run.resumed === 0 || run.alreadyApplied) return null;
  const by = run.earlier ? ` (${earlierRunsText(run.earlier)})` : '';
  return `${run.resumed} of ${run.operations.length} operation(s) were done by an earlier run of this plan${by} and not sent again.`;
}

/** Where business names come from: the plan that was applied. */
export interface ReportOptions {
  plan?: Pick<Plan, 'businesses'>;
}

function businessLabel(businessId: number, options: ReportOptions): string {
  const name = options.plan?.businesses.find((b) => b.businessId === businessId)?.name;
  return name ? `${name} (${businessId})` : `business ${businessId}`;
}

/** The per-operation report for a terminal: one line per operation, grouped by business. */
export function renderApplyResultText(run: ApplyRun, options: ReportOptions = {}): string {
  const lines: string[] = [verdictLine(run)];
  if (run.refusal) {
    for (const detail of run.refusal.details) lines.push(`  - ${detail}`);
    return `${lines.join('\n')}\n`;
  }
  if (run.operations.length > 0) {
    lines.push('');
    const width = Math.max(...run.operations.map((op) => op.email.length));
    const outcomeWidth = Math.max(8, ...run.operations.map((op) => op.outcome.length));
    let business: number | undefined;
    for (const op of run.operations) {
      if (op.businessId !== business) {
        business = op.businessId;
        lines.push(businessLabel(op.businessId, options));
      }
      const detail = op.detail ? `  ${op.detail}` : '';
      const resumed = op.resumed ? ' (earlier run)' : '';
      lines.push(
        `  ${op.outcome.padEnd(outcomeWidth)} ${op.action.padEnd(6)} ${op.email.padEnd(width)}  ${fromText(op)} → ${toText(op)}${resumed}${detail}`,
      );
    }
  }
  const resumed = resumedLine(run);
  if (resumed) lines.push('', resumed);
  for (const warning of run.warnings) lines.push(`warning: ${warning}`);
  const checklist = renderManualChecklistText(run.manualTasks);
  return `${lines.join('\n')}\n${checklist ? `\n${checklist}` : ''}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const OUTCOME_MARK: Readonly<Record<OperationOutcome, string>> = {
  applied: '✅ applied',
  already: '☑️ already',
  manual: '✋ manual',
  failed: '❌ failed',
  unconfirmed: '⚠️ unconfirmed',
};

function table(operations: readonly AppliedOperation[]): string[] {
  const rows = [
    '| Outcome | Business | Member | Action | From | To | Detail |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const op of operations) {
    rows.push(
      `| ${OUTCOME_MARK[op.outcome]} | ${op.businessId} | ${cell(op.email)} | ${op.action} | ${cell(fromText(op))} | ${cell(toText(op))} | ${cell(`${op.detail ?? ''}${op.resumed ? ' (earlier run)' : ''}`)} |`,
    );
  }
  return rows;
}

/**
 * The report as markdown, for the pull-request comment. Degrades to keep under `limit`: every
 * operation, then only those that need attention (manual, failed), then counts — and says so.
 */
export function renderApplyResultMarkdown(run: ApplyRun, limit = MARKDOWN_LIMIT): string {
  const head = [`### rolecall apply — ${markdownState(run)}`, ''];
  head.push(verdictLine(run).replace(/`/g, ''), '');
  if (run.refusal) {
    for (const detail of run.refusal.details) head.push(`- ${cell(detail)}`);
    head.push('', `Plan \`${run.planDigest}\``);
    return `${head.join('\n')}\n`;
  }
  const resumed = resumedLine(run);
  const tail = [
    ...(resumed ? ['', resumed] : []),
    '',
    `Plan \`${run.planDigest}\`${run.runId ? `, run \`${run.runId}\`` : ''}${run.approval ? `, approval: ${cell(run.approval.reason)}` : ''}.`,
  ];
  const checklist = renderManualChecklistMarkdown(run.manualTasks);
  const attempts: Array<() => string[]> = [
    () => [...table(run.operations), '', ...(checklist ? [checklist] : [])],
    () => [
      `_The full table is too long for a comment; showing the ${run.operations.filter(needsAttention).length} operation(s) that need attention. The audit log has every one._`,
      '',
      ...table(run.operations.filter(needsAttention)),
      '',
      ...(checklist ? [checklist] : []),
    ],
    () => ['_The operation list is too long for a comment; see the audit log for each operation._'],
  ];
  for (const attempt of attempts) {
    const text = `${[...head, ...attempt(), ...tail].join('\n')}\n`;
    if (text.length <= limit) return text;
  }
  return `${[...head, ...tail].join('\n')}\n`.slice(0, limit);
}

function markdownState(run: ApplyRun): string {
  if (run.interrupted || run.refusal?.code === 'INTERRUPTED') return 'interrupted';
  if (run.refusal) return 'refused';
  if (run.alreadyApplied) return 'already applied';
  return run.exitCode === 0 ? 'done' : 'partly done';
}

function needsAttention(op: AppliedOperation): boolean {
  return op.outcome === 'manual' || op.outcome === 'failed' || op.outcome === 'unconfirmed';
}
