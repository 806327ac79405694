import { diffLines } from 'diff';
import { POLICY_ROLES } from '../roles.js';
import { describeSeats, seatsWorthShowing } from '../seats.js';
import type { Action, BusinessPlan, Change, GuardResult, Plan, SeatSummary } from '../types.js';
import {
  businessTitle,
  countChanges,
  describeChange,
  isKnownRoleName,
  noChangesLine,
  shortSha,
  sourceText,
  stateLabel,
  summaryLine,
  summaryRoleOf,
  totalChanges,
} from './describe.js';
import { displayExpiry } from './expiry.js';
import { BoundedBuffer, code, fenceFor, inertText } from './markdown-text.js';

/** `full`: a diff block per change; `summary`: one line per change; `counts`: numbers only. */
export type MarkdownLevel = 'full' | 'summary' | 'counts';

export interface RenderMarkdownOptions {
  /** Hard limit on the result's length, header and footer included. Default 60,000. */
  maxChars?: number;
  /** Prepended verbatim (the GitHub code puts its hidden marker here). */
  header?: string;
  /** Appended verbatim. */
  footer?: string;
  /** Where the reader finds everything when the comment is shortened; markdown, kept verbatim. */
  fullPlanHint?: string;
  /** First heading. Default "rolecall plan". */
  title?: string;
}

export interface MarkdownRendering {
  markdown: string;
  level: MarkdownLevel;
}

export const DEFAULT_MARKDOWN_MAX_CHARS = 60_000;
const DEFAULT_HINT = 'The full plan is in the job summary and in the plan file artifact.';
/** The cheapest a change can render at each level; used to skip a level without rendering it. */
const MIN_CHARS_PER_CHANGE: Record<Exclude<MarkdownLevel, 'counts'>, number> = {
  full: 90,
  summary: 30,
};
const ICON: Record<Action, string> = { grant: '➕', change: '🔄', revoke: '➖' };

/** The plan as a pull-request comment; see `renderPlanMarkdownWithLevel`. */
export function renderPlanMarkdown(plan: Plan, options: RenderMarkdownOptions = {}): string {
  return renderPlanMarkdownWithLevel(plan, options).markdown;
}

/**
 * Renders at the most detailed level that fits in `maxChars`: full → summary → counts. Each
 * level is written into a bounded buffer that gives up as soon as it is full, and a level is
 * skipped outright when even its cheapest rendering cannot fit, so a 100k-change plan never
 * renders 100k diff blocks to find out. The counts level always fits: it drops businesses
 * (saying how many) if it must.
 */
export function renderPlanMarkdownWithLevel(
  plan: Plan,
  options: RenderMarkdownOptions = {},
): MarkdownRendering {
  const maxChars = options.maxChars ?? DEFAULT_MARKDOWN_MAX_CHARS;
  const header = options.header ?? '';
  const footer = options.footer ?? '';
  const hint = options.fullPlanHint ?? DEFAULT_HINT;
  const title = options.title ?? 'rolecall plan';
  const total = totalChanges(plan);

  for (const level of ['full', 'summary'] as const) {
    const head = intro(plan, title, level, total, hint);
    const room = maxChars - header.length - footer.length - head.length;
    if (total * MIN_CHARS_PER_CHANGE[level] > room) continue;
    const buffer = new BoundedBuffer(room);
    for (const business of plan.businesses) {
      if (!renderBusiness(business, level, buffer)) break;
    }
    if (!buffer.full) return { markdown: header + head + buffer.text() + footer, level };
  }

  // Counts: each business is rendered on its own and kept only if it fits whole.
  const head = intro(plan, title, 'counts', total, hint);
  const reserve = 200; // room for the "…more businesses" line
  const room = maxChars - header.length - footer.length - head.length - reserve;
  let body = '';
  let shown = 0;
  for (const business of plan.businesses) {
    const buffer = new BoundedBuffer(room - body.length);
    if (!renderBusiness(business, 'counts', buffer)) break;
    body += buffer.text();
    shown += 1;
  }
  if (shown < plan.businesses.length) {
    const rest = plan.businesses.slice(shown);
    const counts = countChanges(rest.flatMap((business) => business.changes));
    body += `_…and ${rest.length} more ${rest.length === 1 ? 'business' : 'businesses'} not shown: ${counts.grant} to grant, ${counts.change} to change, ${counts.revoke} to revoke._\n\n`;
  }
  // Only a maxChars smaller than the header and footer themselves can get here too long.
  return { markdown: (header + head + body + footer).slice(0, maxChars), level: 'counts' };
}

/**
 * No creation time and no plan digest here: both change on every run, and the pull-request
 * comment must only be rewritten when what the plan *does* changed (the job summary and the
 * plan file carry them).
 */
function intro(
  plan: Plan,
  title: string,
  level: MarkdownLevel,
  total: number,
  hint: string,
): string {
  const lines = [
    `## ${inertText(title)}`,
    '',
    `${plan.businesses.length === 1 ? '1 business' : `${plan.businesses.length} businesses`} · ${total} ${
      total === 1 ? 'change' : 'changes'
    } · rolecall ${inertText(plan.tool.version)}`,
    '',
  ];
  if (level !== 'full') {
    const shape =
      level === 'summary' ? 'a **summary** with one line per change' : '**counts only**';
    lines.push(
      '> [!NOTE]',
      `> This plan is too large for one comment, so it is shown as ${shape}. ${hint.replace(/[\r\n]+/g, ' ')}`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Appends one business; returns false as soon as the buffer is full. Every piece is a separate
 * `push`, so the cost of a too-big plan is bounded by the buffer, not by the plan.
 */
function renderBusiness(business: BusinessPlan, level: MarkdownLevel, out: BoundedBuffer): boolean {
  const counts = countChanges(business.changes);
  const status = business.applyable
    ? '✅ applyable'
    : '⛔ **not applyable**: a guard failed without an override';
  const parts = [
    `### ${inertText(businessTitle(business))}\n\n`,
    `${code(business.policyFile)} @ ${code(shortSha(business.policyCommit))} · ${business.mode} · ${status}\n\n`,
    business.changes.length === 0
      ? `${inertText(noChangesLine(business))}\n\n`
      : `**${summaryLine(counts)}**\n\n`,
  ];
  if (business.changes.length > 0) parts.push(summaryTable(business.changes));
  if (seatsWorthShowing(business.seats)) parts.push(seatsLine(business.seats));
  if (!out.pushAll(parts)) return false;

  if (!out.push('**Guards**\n\n')) return false;
  for (const result of business.guards) {
    if (level === 'counts' && result.ok) continue;
    if (!out.push(guardLine(result))) return false;
  }
  const passed = business.guards.filter((result) => result.ok).length;
  if (level === 'counts' && passed > 0) {
    const line =
      passed === business.guards.length
        ? `- ✅ all ${passed} guards passed\n`
        : `- ✅ ${passed} other ${passed === 1 ? 'guard' : 'guards'} passed\n`;
    if (!out.push(line)) return false;
  }
  if (!out.push('\n')) return false;

  if (business.unmanaged.length > 0) {
    if (level === 'counts') {
      if (!out.push(`**Unmanaged**: ${business.unmanaged.length} (reported, never touched)\n\n`))
        return false;
    } else {
      if (!out.push('**Unmanaged** (reported, never touched)\n\n')) return false;
      for (const member of business.unmanaged) {
        const why = member.reason === undefined ? '' : ` — ${inertText(member.reason)}`;
        const role = `${code(member.role)}${isKnownRoleName(member.role) ? '' : ' (unknown role)'}`;
        if (!out.push(`- ${code(member.email)} ${role}, ${stateLabel(member.state)}${why}\n`)) {
          return false;
        }
      }
      if (!out.push('\n')) return false;
    }
  }

  if (level === 'counts' || business.changes.length === 0) return true;
  const noun = business.changes.length === 1 ? 'change' : 'changes';
  if (!out.push(`<details><summary>${business.changes.length} ${noun}</summary>\n\n`)) return false;
  for (const change of business.changes) {
    if (!out.push(level === 'full' ? changeBlock(change) : `- ${changeHeadline(change)}\n`))
      return false;
  }
  return out.push(`${level === 'full' ? '' : '\n'}</details>\n\n`);
}

/** Rows: actions; columns: the roles present, policy roles first, unknown ones verbatim after. */
function summaryTable(changes: readonly Change[]): string {
  const cells = new Map<string, number>();
  const roles = new Set<string>();
  for (const change of changes) {
    const role = summaryRoleOf(change);
    roles.add(role);
    const key = `${change.action}\u0000${role}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const known: string[] = POLICY_ROLES.filter((role) => roles.has(role));
  const columns = [...known, ...[...roles].filter((role) => !known.includes(role)).sort()];
  const rows = [
    `| action | ${columns.map((role) => inertText(role)).join(' | ')} | total |`,
    `|---|${columns.map(() => '--:|').join('')}--:|`,
  ];
  const counts = countChanges(changes);
  for (const action of ['grant', 'change', 'revoke'] as const) {
    if (counts[action] === 0) continue;
    const values = columns.map((role) => String(cells.get(`${action}\u0000${role}`) ?? ''));
    rows.push(`| ${ICON[action]} ${action} | ${values.join(' | ')} | ${counts[action]} |`);
  }
  return `${rows.join('\n')}\n\n`;
}

/** What the plan does to the paid seats and the bill: what a finance approver looks for. */
function seatsLine(seats: SeatSummary): string {
  const over = seats.limit !== undefined && seats.after > seats.limit ? ' ⚠️ over the limit' : '';
  return `💺 **Seats**: ${inertText(describeSeats(seats))}${over}\n\n`;
}

function guardLine(result: GuardResult): string {
  const icon = result.ok ? '✅' : result.override === undefined ? '❌' : '⚠️';
  let line = `- ${icon} \`${result.guard}\` — ${inertText(result.message)}`;
  if (result.override !== undefined) {
    const { reason, ticket, source } = result.override;
    line += ` — **overridden**: ${inertText(reason)} (ticket ${inertText(ticket)}, ${code(sourceText(source))})`;
  }
  return `${line}\n`;
}

function changeHeadline(change: Change): string {
  const extras: string[] = [];
  if (change.action !== 'revoke' && change.expires !== undefined) {
    extras.push(`until ${displayExpiry(change.expires)}`);
  }
  if (change.ticket !== undefined) extras.push(`ticket ${inertText(change.ticket)}`);
  if (change.provisioning === 'manual') extras.push('**manual**');
  if (change.source !== undefined) extras.push(code(sourceText(change.source)));
  return `${ICON[change.action]} ${code(change.email)} ${inertText(describeChange(change))} — ${inertText(
    change.reason,
  )}${extras.length === 0 ? '' : ` · ${extras.join(' · ')}`}`;
}

/** The headline, then a `diff` block of the member before and after, made with `diffLines`. */
function changeBlock(change: Change): string {
  const before = memberYaml(change, 'before');
  const after = memberYaml(change, 'after');
  const lines: string[] = [];
  for (const part of diffLines(before, after)) {
    const mark = part.added ? '+' : part.removed ? '-' : ' ';
    for (const line of part.value.split('\n')) if (line !== '') lines.push(`${mark}${line}`);
  }
  const body = lines.join('\n');
  const fence = fenceFor(body);
  const note = change.policyReason === undefined ? '' : `\n> ${inertText(change.policyReason)}\n`;
  return `${changeHeadline(change)}\n${note}\n${fence}diff\n${body}\n${fence}\n\n`;
}

/** A small YAML-ish picture of the member on one side of the change; empty when absent. */
function memberYaml(change: Change, side: 'before' | 'after'): string {
  const email = `email: ${change.email}\n`;
  if (side === 'before') {
    if (change.from === null) return '';
    return `${email}role: ${change.from.role}\nstate: ${change.from.state}\n`;
  }
  if (change.to === null) return '';
  // A grant sends an invitation; a change keeps the member's state.
  const state = change.action === 'grant' ? 'invited' : (change.from?.state ?? 'invited');
  const expires = change.expires === undefined ? '' : `expires: ${displayExpiry(change.expires)}\n`;
  return `${email}role: ${change.to.role}\nstate: ${state}\n${expires}`;
}
