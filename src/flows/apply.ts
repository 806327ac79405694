/**
 * `rolecall apply`: either a plan file written by `rolecall plan --out`, approved by a "yes" at
 * the terminal (or `--yes`), or — `apply --github`, on a push to the default branch — the plan
 * approved on the merged pull request (apply-on-merge.ts). Both end in `runApply`: re-read live
 * FreshBooks, refuse a stale plan, re-check the guards against the policies, ask the gate, write.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ApplyRun } from '../apply/apply-plan.js';
import { confirmationGate } from '../apply/approval-gates.js';
import { runApply } from '../apply/run-apply.js';
import { RolecallError, EXIT } from '../errors.js';
import { toolVersion } from '../paths.js';
import { parsePlan } from '../plan/plan-file.js';
import { formatDiagnostic } from '../policy/load-desired-state.js';
import type { Console } from '../ports.js';
import { schemaValidator } from '../schemas.js';
import type { Plan } from '../types.js';
import {
  applyOnMerge,
  type ApplyOnMergeOptions,
  type ApplyOnMergeOutcome,
} from './apply-on-merge.js';
import { nowFrom } from './clock.js';
import { openFreshBooks } from './context.js';
import { readPolicies } from './read-policies.js';

/** Both ways take the same run settings (policies, strictness, report format, connection). */
export type ApplyOptions =
  (ApplyPlanFileOptions & ApplyOnMergeOptions) | ({ onMerge: true } & ApplyOnMergeOptions);

export interface ApplyPlanFileOptions {
  planFile: string;
  /** Approve without the terminal prompt. */
  yes: boolean;
}

export function apply(
  io: Console,
  options: ApplyOptions,
): Promise<ApplyPlanFileOutcome | ApplyOnMergeOutcome> {
  return 'onMerge' in options ? applyOnMerge(io, options) : applyPlanFile(io, options);
}

export interface ApplyPlanFileOutcome {
  /** The applier's run; `null` when the policies did not validate (nothing was connected). */
  run: ApplyRun | null;
  /**
   * 0 every change in place (or already applied); 1 refused or failed before any write; 3 partly
   * done (manual tasks, failures, or writes FreshBooks did not confirm); 130/143 stopped by
   * SIGINT/SIGTERM (a re-run resumes).
   */
  exitCode: number;
}

export async function applyPlanFile(
  io: Console,
  options: ApplyPlanFileOptions & ApplyOnMergeOptions,
): Promise<ApplyPlanFileOutcome> {
  const plan = await readPlanFile(options.planFile, io);
  const loaded = await readPolicies(io.cwd, { dir: options.policiesDir, now: nowFrom(io.env) });
  if (!loaded.value || loaded.errors.length > 0) {
    for (const d of loaded.errors) io.stderr.write(`${formatDiagnostic(d)}\n`);
    io.stderr.write(
      `rolecall: the policies in ${options.policiesDir} have errors; nothing was applied\n`,
    );
    return { run: null, exitCode: EXIT.ERROR };
  }

  const connection = await openFreshBooks(io, {
    tokenStore: options.tokenStore,
    rate: options.rate,
  });
  try {
    const run = await runApply({
      plan,
      desired: loaded.value,
      connection,
      gate: confirmationGate(io, {
        yes: options.yes,
        ask: (changes) => `Apply these ${changes} change(s) to FreshBooks now?`,
      }),
      io,
      strict: options.strict,
      format: options.format,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.interrupt === undefined ? {} : { interrupt: options.interrupt }),
      ...(options.resendInvitations ? { resendInvitations: true } : {}),
    });
    return { run, exitCode: run.exitCode };
  } finally {
    await connection.close();
  }
}

/** The plan file, checked: readable, the schema, this tool's plan version, its digest. */
async function readPlanFile(planFile: string, io: Console): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, planFile), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new RolecallError('PLAN_UNREADABLE', `cannot read the plan file ${planFile} (${code})`);
  }
  const validate = schemaValidator('plan');
  return parsePlan(
    text,
    (value) =>
      validate(value)
        ? []
        : (validate.errors ?? []).map(
            (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
          ),
    { toolVersion: toolVersion(), name: planFile },
  );
}
