import { colorEnabled } from '../console.js';
import { countChanges, summaryLine, totalChanges } from '../plan/describe.js';
import { renderPlanText } from '../plan/render-text.js';
import type { ApprovalDecision, ApprovalGate, Console } from '../ports.js';
import type { Plan } from '../types.js';

/**
 * The confirmation a command asks before writing to FreshBooks: `--yes`, else the terminal
 * prompt below, showing the plan, its counts and `ask` (e.g. "Apply these 3 change(s) to
 * FreshBooks now?"). One way to ask, so that every command accepts and refuses the same answers.
 */
export function confirmationGate(
  io: Console,
  options: { yes: boolean; ask: (changes: number) => string },
): ApprovalGate {
  if (options.yes) return yesGate(io.env);
  return terminalGate({
    prompt: io.prompt,
    show: (plan) => io.stdout.write(renderPlanText(plan, { color: colorEnabled(io) })),
    question: (plan, progress) => {
      const counts = countChanges(plan.businesses.flatMap((b) => b.changes));
      if (progress === undefined || progress.done === 0) {
        return `\n${summaryLine(counts)}\n${options.ask(totalChanges(plan))}`;
      }
      // A rerun: the plan shown is the whole plan, but only what is left will be sent.
      const left = progress.total - progress.done;
      return `\n${summaryLine(counts)}\n${progress.done} of ${progress.total} already applied by an earlier run of this plan.\n${options.ask(left)}`;
    },
  });
}

/** `--yes`: approved by whoever ran the command; the audit log records where. */
export function yesGate(env: Record<string, string | undefined>): ApprovalGate {
  const where =
    env['GITHUB_ACTIONS'] === 'true'
      ? `--yes in GitHub Actions${env['GITHUB_RUN_ID'] ? ` run ${env['GITHUB_RUN_ID']}` : ''}`
      : '--yes at terminal';
  return { decide: async () => ({ approved: true, reason: where }) };
}

/**
 * The terminal prompt: shows the plan, then only the exact answer `yes` approves (Terraform's
 * habit — a stray Enter or "y" must not change anyone's access). Without a terminal it
 * refuses and says how to proceed.
 */
export function terminalGate(options: {
  prompt: ((question: string) => Promise<string>) | undefined;
  /** Prints the plan before the question. */
  show: (plan: Plan) => void;
  question: (plan: Plan, progress?: { done: number; total: number }) => string;
}): ApprovalGate {
  return {
    async decide(
      plan: Plan,
      progress?: { done: number; total: number },
    ): Promise<ApprovalDecision> {
      if (!options.prompt) {
        return {
          approved: false,
          reason:
            'stdin is not a terminal, so nobody can confirm; pass --yes to apply without a prompt',
        };
      }
      options.show(plan);
      const answer = await options.prompt(
        `${options.question(plan, progress)}\n  Only "yes" will be accepted: `,
      );
      if (answer.trim() === 'yes') return { approved: true, reason: 'confirmed "yes" at terminal' };
      return { approved: false, reason: 'the answer at the terminal prompt was not "yes"' };
    },
  };
}

/** A gate that always refuses (`--dry-run`-like callers, and tests). */
export function refusingGate(reason: string): ApprovalGate {
  return { decide: async () => ({ approved: false, reason }) };
}
