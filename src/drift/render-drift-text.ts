/**
 * Drift for a terminal. Data from FreshBooks and the policy goes through `safe()`: a business
 * name or an unknown role name cannot smuggle escape sequences to the terminal.
 */
import { shortSha } from '../plan/describe.js';
import {
  CLASS_TITLES,
  DRIFT_CLASSES,
  countItems,
  type BusinessDrift,
  type DriftClass,
  type DriftReport,
  type DriftSeverity,
} from './drift-report.js';
import type { SeenDriftItem } from './render-drift-markdown.js';

export interface RenderDriftTextOptions {
  /** ANSI colour. The CLI decides (TTY and no `NO_COLOR`); the renderer never looks. */
  color?: boolean;
}

type Paint = (text: string) => string;
const plain: Paint = (text) => text;
const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
function safe(text: string): string {
  return text.replace(CONTROL, '\ufffd');
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

export function renderDriftText(report: DriftReport, options: RenderDriftTextOptions = {}): string {
  const color = options.color ?? false;
  const paint = {
    red: color ? sgr(31, 39) : plain,
    yellow: color ? sgr(33, 39) : plain,
    bold: color ? sgr(1, 22) : plain,
    dim: color ? sgr(2, 22) : plain,
  };
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
      paint.bold(`${safe(business.name)} (${business.businessId})`) +
        paint.dim(` · ${safe(business.policyFile)}${commit} · ${business.mode}`),
    );
    const items = business.items as readonly SeenDriftItem[];
    out.push(
      business.hasDrift
        ? `  Drift: ${driftCountsLine(business)}`
        : '  No drift: FreshBooks matches the policy.',
    );
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
      const width = Math.min(36, Math.max(...list.map((i) => i.email.length)));
      for (const item of list) {
        const live =
          item.live === null
            ? 'FreshBooks: none'
            : `FreshBooks: ${safe(item.live.role)}, ${STATE_WORDS[item.live.state]}`;
        const policy = item.desired === null ? 'policy: none' : `policy: ${item.desired.role}`;
        const seen =
          item.firstSeen === undefined
            ? ''
            : paint.dim(` · first seen ${item.firstSeen.slice(0, 10)}`);
        const where =
          item.source === undefined
            ? ''
            : paint.dim(` (${safe(item.source.file)}:${item.source.line})`);
        out.push(
          `    ${severityPaint[item.severity](`${MARK[item.severity]} ${item.severity.padEnd(6)}`)} ${safe(item.email).padEnd(width)}  ${paint.dim(`${live} · ${policy}`)}`,
        );
        out.push(`             ${safe(item.message)}${where}${seen}`);
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
