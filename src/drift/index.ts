/**
 * Drift detection: a refresh-only plan against the policy at HEAD, each difference classified
 * (unmanaged, expired but active, role mismatch, missing, stale invitation, open manual task)
 * plus reminders of grants about to end. Pure (ESLint enforces it): the CLI reads FreshBooks,
 * the journals and GitHub around these functions.
 */
export { classifyDrift, type ClassifyDriftInput } from './classify-drift.js';
export {
  CLASS_TITLES,
  DRIFT_CLASSES,
  countItems,
  emptyCounts,
  reportHasDrift,
  type BusinessDrift,
  type DriftClass,
  type DriftDesired,
  type DriftItem,
  type DriftLive,
  type DriftReport,
  type DriftSeverity,
} from './drift-report.js';
export { journalEvidence, type JournalEvidence } from './journal-evidence.js';
export {
  renderBusinessDriftMarkdown,
  renderDriftIssueBody,
  renderDriftMarkdown,
  type SeenDriftItem,
} from './render-drift-markdown.js';
export {
  renderDriftText,
  driftCountsLine,
  type RenderDriftTextOptions,
} from './render-drift-text.js';
export { renderDriftJson } from './render-drift-json.js';
