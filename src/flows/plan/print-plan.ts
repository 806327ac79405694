/**
 * How `rolecall plan` reports: the plan on stdout in the chosen format, the scope and the next
 * step around it, the plan file, the exit code. Shared by the plan flow and the pull request's.
 */
import { EXIT } from '../../errors.js';
import { resolve } from 'node:path';
import { planHasChanges, planIsApplyable, totalChanges } from '../../plan/describe.js';
import { serializePlan } from '../../plan/plan-file.js';
import { renderPlanJson } from '../../plan/render-json.js';
import { renderPlanMarkdown } from '../../plan/render-markdown.js';
import { renderPlanText } from '../../plan/render-text.js';
import { redact } from '../../redact.js';
import type { Plan } from '../../types.js';
import { writeFileAtomic } from '../../write-file-atomic.js';
import type { Console } from '../../ports.js';
import { colorEnabled } from '../../console.js';
import { DEFAULT_POLICIES_DIR } from '../context.js';
import { describeDeletedPolicy, type ChangedScope } from './changed-scope.js';

export const DEFAULT_GITHUB_PLAN_FILE = '.rolecall/plan.json';

export type PlanFormat = 'text' | 'markdown' | 'json';

/** 1 when a guard blocks the plan (it cannot be applied); else 0, or 2 for changes if asked. */
export function exitCodeOf(plan: Plan, detailed: boolean): number {
  if (!planIsApplyable(plan)) return EXIT.ERROR;
  return detailed && planHasChanges(plan) ? EXIT.CHANGES : EXIT.OK;
}

export async function savePlan(io: Console, plan: Plan, out: string): Promise<void> {
  await writeFileAtomic(resolve(io.cwd, out), serializePlan(plan));
}

export function printPlan(io: Console, plan: Plan, format: PlanFormat): void {
  if (format === 'json') {
    io.stdout.write(renderPlanJson(plan));
    return;
  }
  const text =
    format === 'markdown'
      ? renderPlanMarkdown(plan, { maxChars: Number.MAX_SAFE_INTEGER })
      : renderPlanText(plan, { color: colorEnabled(io) });
  io.stdout.write(redact(text));
}

/** What changed in scope, on stderr: the plan on stdout stays a plan. */
export function reportScope(io: Console, scope: ChangedScope): void {
  const ids = scope.businessIds;
  // A pull request's base is a full sha: the short form reads better and is as unambiguous here.
  const base = /^[0-9a-f]{40,64}$/.test(scope.base) ? scope.base.slice(0, 12) : scope.base;
  io.stderr.write(
    ids.length === 0
      ? `No policy file of a business changed since ${base}.\n`
      : `Planning the ${ids.length === 1 ? 'business' : 'businesses'} whose policy files changed since ${base}: ${ids.join(', ')}.\n`,
  );
  for (const deleted of scope.deleted) {
    io.stderr.write(`warning: ${redact(describeDeletedPolicy(deleted))}\n`);
  }
}

/** The footer: what to do with this plan. */
export function nextSteps(
  plan: Plan,
  options: { out?: string | undefined; policiesDir: string },
): string {
  if (plan.businesses.length === 0) return '\nNothing to plan.\n';
  if (!planIsApplyable(plan)) {
    return (
      '\nThis plan cannot be applied: a safety guard failed (see Guards above). Fix the policy, ' +
      'or record an override (`overrides:` with guard, reason and ticket), then plan again.\n'
    );
  }
  if (!planHasChanges(plan)) return '\nNo changes. FreshBooks matches the policies.\n';
  const policies =
    options.policiesDir === DEFAULT_POLICIES_DIR ? '' : ` --policies ${options.policiesDir}`;
  const n = totalChanges(plan);
  if (options.out === undefined) {
    return (
      `\nThis plan was not saved. To apply these ${n} change(s), save it and apply exactly that file:\n` +
      `  rolecall plan${policies} --out plan.json\n  rolecall apply plan.json${policies}\n`
    );
  }
  return `\nSaved the plan to ${options.out}. To apply exactly these ${n} change(s):\n  rolecall apply ${options.out}${policies}\n`;
}
