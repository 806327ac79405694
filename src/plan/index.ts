/**
 * The planner: a pure function from (DesiredState, LiveState, now) to a Plan, and everything a
 * reviewer needs to trust it. No I/O here (ESLint enforces it); the CLI, GitHub and apply code
 * read files, call APIs and print around these functions.
 */
export {
  buildPlan,
  PLAN_VERSION,
  UNKNOWN_POLICY_COMMIT,
  type BuildPlanInput,
} from './build-plan.js';
export { diffBusiness, compareChanges, ACTION_ORDER, type BusinessDiff } from './diff-business.js';
export { isExpired, displayExpiry } from './expiry.js';
export { evaluateGuards, type GuardEvaluation } from './guards/evaluate-guards.js';
export type { GuardInput, GuardVerdict } from './guards/guard-input.js';
export { protectedGuard } from './guards/protected.js';
export { minAdminsGuard } from './guards/min-admins.js';
export { maxRevokesGuard, DEFAULT_MAX_REVOKE_FRACTION } from './guards/max-revokes.js';
export { selfGuard } from './guards/self.js';
export {
  serializePlan,
  parsePlan,
  recomputePlanDigest,
  type PlanValidator,
  type ParsePlanOptions,
} from './plan-file.js';
export {
  comparePlans,
  planChangesOnly,
  planChangesDigest,
  planFromEffect,
  type PlanEffect,
} from './compare-plans.js';
export {
  countChanges,
  totalChanges,
  planHasChanges,
  planIsApplyable,
  describeChange,
  describeChangeShort,
  summaryLine,
  type ChangeCounts,
} from './describe.js';
export { renderPlanText, type RenderTextOptions } from './render-text.js';
export {
  renderPlanMarkdown,
  renderPlanMarkdownWithLevel,
  DEFAULT_MARKDOWN_MAX_CHARS,
  type MarkdownLevel,
  type MarkdownRendering,
  type RenderMarkdownOptions,
} from './render-markdown.js';
export { renderPlanJson } from './render-json.js';
