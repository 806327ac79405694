/**
 * Drift as markdown: the body of the drift issue (one business) and `--format markdown` / the
 * job summary (every business). Text from FreshBooks and the policy is data, never markup:
 * emails and roles go into code spans, everything else is escaped, and nothing can mention a
 * GitHub user or team.
 *
 * Invariant: the output depends on the report only, never on `now` or the run, so the same
 * drift renders byte for byte the same and the issue is not rewritten every day. The issue
 * leaves out the count of paid seats (the seat line, and the count behind `seats-over-limit`):
 * it changes with every grant, and the issue changes only when the business crosses its limit.
 */
import { displayExpiry } from '../plan/expiry.js';
import { code, escapeText } from '../plan/markdown-text.js';
import { describeDriftSeats, seatsDeclared } from './describe-drift-seats.js';
import {
  CLASS_TITLES,
  DRIFT_CLASSES,
  type BusinessDrift,
  type DriftClass,
  type DriftItem,
  type DriftReport,
  type DriftSeverity,
} from './drift-report.js';

/** An item as the drift issue knows it: with the date it was first seen, when known. */
export type SeenDriftItem = DriftItem & { firstSeen?: string };

const SEVERITY_ORDER: readonly DriftSeverity[] = ['high', 'medium', 'low', 'info'];
const STATE_WORDS = { active: 'active', invited: 'pending invitation', deactivated: 'deactivated' };

/** What each class means and what to do about it, in one paragraph. */
function intro(klass: DriftClass, business: BusinessDrift): string {
  switch (klass) {
    case 'unmanaged':
      return 'In FreshBooks, but not granted by the policy: someone granted it by hand. Remove it in FreshBooks (`rolecall plan` and `rolecall apply` do, except for roles rolecall does not know), or add the person to the policy in a pull request.';
    case 'expired-active':
      return 'The grant’s `expires` has passed, but the access is still there. `rolecall expire` revokes it.';
    case 'role-mismatch':
      return 'FreshBooks has another role than the policy: someone changed it by hand. Re-apply the policy, or change the role in a pull request.';
    case 'missing':
      return 'In the policy, but not in FreshBooks or deactivated there: removed by hand, or never applied. Re-apply the policy, or remove the entry in a pull request.';
    case 'pending-invitation':
      return `Invited more than ${business.thresholds.pendingInvitationDays} days ago (\`rules.pendingInvitationDays\`) and never accepted.`;
    case 'manual-task':
      return 'Changes rolecall could not make through the FreshBooks API and left to a human; FreshBooks shows they are not done yet.';
    case 'seats-over-limit':
      return 'FreshBooks has more paid seats in use (active members and pending invitations with a paid role) than the policy’s `seats.limit`. Either the limit in the policy is out of date (the subscription has more seats: raise it in a pull request), or someone granted access outside rolecall (see the other items). Until then the `seats` guard refuses every plan that adds a paid seat.';
    case 'expiring-soon':
      return `Not drift: time-bound grants that end within ${business.thresholds.expiringSoonDays} days (\`rules.expiringSoonDays\`). If one is still needed, extend it in a pull request (\`rolecall request … --until DATE\`); otherwise rolecall revokes it when it ends.`;
  }
}

/** Plain text in a table cell: escaped, and an `@` that could start a mention is neutralised. */
function cell(text: string): string {
  return escapeText(text).replace(/(^|[^A-Za-z0-9_.+-])@/g, '$1&#64;');
}

function highest(items: readonly DriftItem[]): DriftSeverity | null {
  for (const severity of SEVERITY_ORDER)
    if (items.some((i) => i.severity === severity)) return severity;
  return null;
}

function memberCell(item: DriftItem): string {
  return item.email === '' ? '—' : code(item.email);
}

function liveCell(item: DriftItem): string {
  if (item.live === null) return '—';
  return `${code(item.live.role)}, ${STATE_WORDS[item.live.state]}`;
}

function policyCell(item: DriftItem): string {
  if (item.seats !== undefined) return `${code('seats.limit')} ${item.seats.limit}`;
  if (item.desired === null) return '—';
  const parts = [code(item.desired.role)];
  if (item.desired.expires !== undefined)
    parts.push(`until ${cell(displayExpiry(item.desired.expires))}`);
  if (item.source !== undefined) parts.push(cell(`${item.source.file}:${item.source.line}`));
  return parts.join(' · ');
}

function severityCell(severity: DriftSeverity): string {
  return severity === 'high' ? '**high**' : severity;
}

function table(items: readonly SeenDriftItem[], withFirstSeen: boolean): string[] {
  const head = ['Severity', 'Member', 'FreshBooks', 'Policy', 'Details'];
  if (withFirstSeen) head.push('First seen');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const item of items) {
    const row = [
      severityCell(item.severity),
      memberCell(item),
      liveCell(item),
      policyCell(item),
      cell(item.message),
    ];
    if (withFirstSeen) row.push(item.firstSeen === undefined ? '—' : item.firstSeen.slice(0, 10));
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines;
}

/**
 * One business: a title, the seat line (when the policy declares a seat limit or price, and
 * `seatLine` is not false), a summary table by class, then a section per class with a row per
 * item (showing "first seen" when the items carry it), the reminders last.
 */
export function renderBusinessDriftMarkdown(
  business: BusinessDrift,
  items: readonly SeenDriftItem[] = business.items,
  options: { seatLine?: boolean } = {},
): string {
  const h = '##';
  const title = `${h} FreshBooks drift: ${cell(business.name)} (business ${business.businessId})`;
  const withFirstSeen = items.some((item) => item.firstSeen !== undefined);
  const byClass = new Map<DriftClass, SeenDriftItem[]>();
  for (const item of items) byClass.set(item.class, [...(byClass.get(item.class) ?? []), item]);
  const drift = items.filter((item) => item.drift);
  const out: string[] = [title, ''];
  if (options.seatLine !== false && seatsDeclared(business.seats)) {
    out.push(`💺 **Seats**: ${describeDriftSeats(business.seats)}`, '');
  }

  if (drift.length === 0) {
    out.push(`No drift: FreshBooks matches the policy in ${code(business.policyFile)}.`, '');
  } else {
    out.push(
      `FreshBooks differs from the policy in ${code(business.policyFile)} (${business.mode}). Fix FreshBooks — \`rolecall plan\` then \`rolecall apply\` puts it back in line with the policy — or change the policy in a pull request.`,
      '',
      '| Drift | Items | Highest severity |',
      '|---|---:|---|',
    );
    for (const klass of DRIFT_CLASSES) {
      if (klass === 'expiring-soon') continue;
      // Only a policy with a seat limit can be over it; without one, the issue reads as it
      // did before rolecall counted seats (and is not rewritten for a row of zeros).
      if (klass === 'seats-over-limit' && business.seats.limit === undefined) continue;
      const list = byClass.get(klass) ?? [];
      const top = highest(list);
      out.push(
        `| ${CLASS_TITLES[klass]} | ${list.length} | ${top === null ? '—' : severityCell(top)} |`,
      );
    }
    const reminders = byClass.get('expiring-soon')?.length ?? 0;
    out.push(`| ${CLASS_TITLES['expiring-soon']} (reminders, not drift) | ${reminders} | — |`, '');
  }

  for (const klass of DRIFT_CLASSES) {
    const list = byClass.get(klass);
    if (list === undefined || list.length === 0) continue;
    const heading =
      klass === 'expiring-soon'
        ? `${CLASS_TITLES[klass]} — reminders (${list.length})`
        : `${CLASS_TITLES[klass]} (${list.length})`;
    out.push(`${h}# ${heading}`, '', intro(klass, business), '', ...table(list, withFirstSeen), '');
  }
  if (business.outsideAdditivePolicy > 0) {
    out.push(
      `_${business.outsideAdditivePolicy} other member(s) are outside this additive policy: allowed, not drift._`,
      '',
    );
  }
  return out.join('\n');
}

/** Every business of a report (`--format markdown`, the job summary). */
export function renderDriftMarkdown(report: DriftReport): string {
  if (report.businesses.length === 0) return '## FreshBooks drift\n\nNo business selected.\n';
  return report.businesses.map((business) => renderBusinessDriftMarkdown(business)).join('\n');
}

const ISSUE_FOOTER =
  '_rolecall updates this issue on every drift check, and closes it when the drift clears. Each item keeps the date it was first seen; reminders never open the issue on their own._\n';

/** The body of a business's drift issue: the business's markdown and what the issue is for. */
export function renderDriftIssueBody(
  business: BusinessDrift,
  items: readonly SeenDriftItem[],
): string {
  return `${renderBusinessDriftMarkdown(business, items, { seatLine: false })}\n${ISSUE_FOOTER}`;
}
