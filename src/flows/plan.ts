/**
 * `rolecall plan` on a laptop or in a plain CI step: plan (make-plan.ts), report the scope on
 * stderr, save the plan file when asked, print the plan on stdout and what to do next. A pull
 * request's plan (`--github`) is plan-on-pull-request.ts, built on the same parts.
 */
import type { Console } from '../ports.js';
import type { Plan } from '../types.js';
import { makePlan, type MakePlanOptions } from './plan/make-plan.js';
import {
  exitCodeOf,
  nextSteps,
  printPlan,
  reportScope,
  savePlan,
  type PlanFormat,
} from './plan/print-plan.js';

export interface PlanOptions extends MakePlanOptions {
  /** `--out FILE`: save the plan for `rolecall apply FILE`. */
  out?: string;
  format: PlanFormat;
  /** Exit 2 when the plan has changes. */
  detailedExitcode: boolean;
}

export interface PlanOutcome {
  /** 0, 2 for changes with `detailedExitcode`, 1 when a guard blocks the plan. */
  exitCode: number;
  plan: Plan;
}

export async function runPlan(io: Console, options: PlanOptions): Promise<PlanOutcome> {
  const made = await makePlan(io, options);
  if (made.scope) reportScope(io, made.scope);
  if (options.out !== undefined) await savePlan(io, made.plan, options.out);
  printPlan(io, made.plan, options.format);
  // The footer stays off stdout when stdout is a machine format.
  (options.format === 'text' ? io.stdout : io.stderr).write(nextSteps(made.plan, options));
  return { exitCode: exitCodeOf(made.plan, options.detailedExitcode), plan: made.plan };
}
