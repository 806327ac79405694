import type { DriftReport } from './drift-report.js';

/**
 * The report as JSON (`--format json`): the `DriftReport` itself, items with `firstSeen` when
 * the drift issue supplied it. Stable key order comes from the classifier's object literals.
 */
export function renderDriftJson(report: DriftReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
