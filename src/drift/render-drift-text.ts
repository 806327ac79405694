/**
 * Drift for a terminal. Data from FreshBooks and the policy goes through `terminalSafe()`: a
 * business name or an unknown role name cannot smuggle escape sequences to the terminal.
 */
import { shortSha } from '../plan/describe.js';
import { paletteFor, plain, terminalSafe, type Paint } from '../plan/terminal-text.js';
import {
  CLASS_TITLES,
  DRIFT_CLASSES,
  countItems,
  type BusinessDrift,
  type DriftClass,
  type DriftReport,
  type DriftSeverity,
} from './drift-report.js';
import { describeDriftSeats, seatsDeclared } from './describe-drift-seats.js';
import type { SeenDriftItem } from './render-drift-markdown.js';

export interface RenderDriftTextOptions {
  /** ANSI colour. The CLI decides (TTY and no `NO_COLOR`); the renderer never looks. */
  color?: boolean;
}

const MARK: Record<DriftSeverity, string> = { high: '!', medium: '*', low: '-', info: '~' };
const STATE_WORDS = { active: 'active', invited: 'pending invitation', deactivated: 'deactivated' };

/** "2 unmanaged, 1 role mismatch" — the drift classes present, in order. */
export function driftCountsLine(business: Pick<BusinessDrift, 'counts'>): string {
  const parts: string[] = [];
  for (const klass of DRIFT_CLASSES) {
    if (klass === 'expiring-soon' || business.counts[klass] === 0) continue;
    parts.push(`${business.counts[klass]} ${CLASS_TITLES[klass].toLowerCase()}`);
  }
  return parts.join(', ');
}

/** The member an item is about, or `(business)` for an item of the whole business. */
function who(item: Pick<SeenDriftItem, 'email'>): string {
  return item.email === '' ? '(business)' : item.email;
}

export function renderDriftText(report: DriftReport, options: RenderDriftTextOptions = {}): string {
  const paint = paletteFor(options.color ?? false);
  const severityPaint: Record<DriftSeverity, Paint> = {
    high: paint.red,
    medium: paint.yellow,
    low: plain,
    info: paint.dim,
  };
  const out: string[] = [];
  for (const business of report.businesses) {
    // Outside git there is no commit to name (sha null, clean): say nothing rather than "uncommitted".
    const commit =
      business.policyCommit && (business.policyCommit.sha !== null || business.policyCommit.dirty)
        ? ` @ ${shortSha(business.policyCommit)}`
        : '';
    out.push(
      paint.bold(`${terminalSafe(business.name)} (${business.businessId})`) +
        paint.dim(` · ${terminalSafe(business.policyFile)}${commit} · ${business.mode}`),
    );
    const items = business.items as readonly SeenDriftItem[];
    out.push(
      business.hasDrift
        ? `  Drift: ${driftCountsLine(business)}`
        : '  No drift: FreshBooks matches the policy.',
    );
    if (seatsDeclared(business.seats)) out.push(`  Seats: ${describeDriftSeats(business.seats)}`);
    const byClass = new Map<DriftClass, SeenDriftItem[]>();
    for (const item of items) byClass.set(item.class, [...(byClass.get(item.class) ?? []), item]);
    for (const klass of DRIFT_CLASSES) {
      const list = byClass.get(klass);
      if (list === undefined) continue;
      const title =
        klass === 'expiring-soon'
          ? `${CLASS_TITLES[klass]} (reminders, not drift)`
          : CLASS_TITLES[klass];
      out.push(`  ${paint.bold(title)} (${list.length})`);
      const width = Math.min(36, Math.max(...list.map((i) => who(i).length)));
      for (const item of list) {
        const live =
          item.seats !== undefined
            ? `FreshBooks: ${item.seats.used} paid seats in use`
            : item.live === null
              ? 'FreshBooks: none'
              : `FreshBooks: ${terminalSafe(item.live.role)}, ${STATE_WORDS[item.live.state]}`;
        const policy =
          item.seats !== undefined
            ? `policy: seats.limit ${item.seats.limit}`
            : item.desired === null
              ? 'policy: none'
              : `policy: ${item.desired.role}`;
        const seen =
          item.firstSeen === undefined
            ? ''
            : paint.dim(` · first seen ${item.firstSeen.slice(0, 10)}`);
        const where =
          item.source === undefined
            ? ''
            : paint.dim(` (${terminalSafe(item.source.file)}:${item.source.line})`);
        out.push(
          `    ${severityPaint[item.severity](`${MARK[item.severity]} ${item.severity.padEnd(6)}`)} ${terminalSafe(who(item)).padEnd(width)}  ${paint.dim(`${live} · ${policy}`)}`,
        );
        out.push(`             ${terminalSafe(item.message)}${where}${seen}`);
      }
    }
    if (business.outsideAdditivePolicy > 0) {
      out.push(
        paint.dim(
          `  ${business.outsideAdditivePolicy} other member(s) outside this additive policy (allowed, not drift)`,
        ),
      );
    }
    if (business.obsoleteManualTasks > 0) {
      out.push(
        paint.dim(
          `  ${business.obsoleteManualTasks} manual task(s) in the journal no longer wanted by the policy (ignored)`,
        ),
      );
    }
    out.push('');
  }
  const { drift, reminders } = countItems(report);
  const withDrift = report.businesses.filter((b) => b.hasDrift).length;
  const n = report.businesses.length;
  const summary =
    drift === 0
      ? `No drift in ${n} business${n === 1 ? '' : 'es'}.`
      : `Drift: ${drift} item${drift === 1 ? '' : 's'} in ${withDrift} of ${n} business${n === 1 ? '' : 'es'}.`;
  out.push(reminders === 0 ? summary : `${summary} Reminders: ${reminders} expiring soon.`);
  return `${out.join('\n')}\n`;
}
