import type { Change } from '../types.js';
import { describeTask, whereInFreshBooks, type ManualTask } from './records.js';
import { operationKey } from './order-operations.js';

/**
 * Manual tasks as the applier makes and prints them: a change rolecall could not make through
 * the API, for a human to make in FreshBooks (the type and its reading back: records.ts).
 */
export function manualTaskOf(change: Change, why: string, businessName?: string): ManualTask {
  return {
    op: operationKey(change),
    businessId: change.businessId,
    ...(businessName === undefined ? {} : { businessName }),
    email: change.email,
    action: change.action,
    from: change.from,
    to: change.to,
    ...(change.uuid === undefined ? {} : { uuid: change.uuid }),
    why,
  };
}

function businessLabel(task: ManualTask): string {
  return task.businessName
    ? `${task.businessName} (${task.businessId})`
    : `business ${task.businessId}`;
}

export function renderManualChecklistText(tasks: readonly ManualTask[]): string {
  if (tasks.length === 0) return '';
  const lines = [
    `Manual tasks (${tasks.length}) — make these changes in FreshBooks, then run \`rolecall drift\` or apply again to confirm:`,
  ];
  for (const task of tasks) {
    lines.push(`  [ ] ${task.email} — ${describeTask(task)} — ${businessLabel(task)}`);
    lines.push(`        where: ${whereInFreshBooks(task)}`);
    lines.push(`        why:   ${task.why}`);
  }
  return `${lines.join('\n')}\n`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]|<>])/g, '\\$1');
}

export function renderManualChecklistMarkdown(tasks: readonly ManualTask[]): string {
  if (tasks.length === 0) return '';
  const lines = [
    `### Manual tasks (${tasks.length})`,
    '',
    'rolecall could not make these changes through the API. Make them in FreshBooks; the next sync confirms each one.',
    '',
  ];
  for (const task of tasks) {
    lines.push(
      `- [ ] **${escapeMarkdown(task.email)}** — ${escapeMarkdown(describeTask(task))} — ${escapeMarkdown(businessLabel(task))}  `,
      `  where: ${escapeMarkdown(whereInFreshBooks(task))}  `,
      `  why: ${escapeMarkdown(task.why)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
