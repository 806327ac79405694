import type { Action, Change, LiveState, RoleState } from '../types.js';
import type { PolicyRole } from '../roles.js';
import type { JournalRecord, OutcomeRecord } from './journal.js';
import { operationKey } from './order-operations.js';
import { checkTarget, membersFor, viewOfLive } from './target-state.js';

/**
 * A change rolecall could not make through the API: a human makes it in FreshBooks, and a
 * later sync (`checkManualTasks`) tells whether it is done. Nothing is silently dropped.
 */
export interface ManualTask {
  op: string;
  businessId: number;
  businessName?: string;
  email: string;
  action: Action;
  from: RoleState | null;
  to: { role: PolicyRole } | null;
  uuid?: string;
  /** Why it is manual: the policy's provisioning mode, or the API's answer. */
  why: string;
}

/** FreshBooks' own names for the roles (what a human sees in the web app). */
const UI_ROLE: Readonly<Record<string, string>> = {
  owner: 'Owner',
  admin: 'Admin',
  manager: 'Manager',
  accountant: 'Accountant',
  employee: 'Employee',
  contractor: 'Contractor',
  unassigned: 'Unassigned',
};

function uiRole(role: string): string {
  return UI_ROLE[role] ?? role;
}

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

/** "What" in one line: "invite as Employee", "change role Manager → Employee", "remove". */
export function describeTask(task: ManualTask): string {
  const to = task.to ? uiRole(task.to.role) : '';
  const from = task.from ? uiRole(task.from.role) : '';
  switch (task.action) {
    case 'grant':
      return task.from?.state === 'deactivated'
        ? `re-invite as ${to} (currently deactivated)`
        : `invite as ${to}`;
    case 'change':
      return `change role ${from} → ${to}`;
    case 'revoke':
      return task.from?.state === 'invited'
        ? `cancel the pending invitation (${from})`
        : `remove from the team (${from})`;
  }
}

/** "Where" in FreshBooks' web app. */
export function whereInFreshBooks(task: ManualTask): string {
  switch (task.action) {
    case 'grant':
      return task.from?.state === 'deactivated'
        ? `Settings → Team Members → ${task.email} → Reactivate, role ${uiRole(task.to?.role ?? '')}`
        : `Settings → Team Members → Add Team Member → ${task.email}, role ${uiRole(task.to?.role ?? '')}`;
    case 'change':
      return `Settings → Team Members → ${task.email} → Edit → Role: ${uiRole(task.to?.role ?? '')}`;
    case 'revoke':
      return task.from?.state === 'invited'
        ? `Settings → Team Members → ${task.email} → Cancel Invitation`
        : `Settings → Team Members → ${task.email} → Remove`;
  }
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

/** The manual tasks a journal still holds open: latest outcome `manual`, in journal order. */
export function openManualTasks(records: readonly JournalRecord[]): ManualTask[] {
  const latest = new Map<string, OutcomeRecord>();
  for (const record of records) {
    if (record.type === 'outcome') latest.set(record.op, record);
  }
  const tasks: ManualTask[] = [];
  for (const record of latest.values()) {
    if (record.outcome !== 'manual') continue;
    tasks.push(record.task ?? taskFromOutcome(record));
  }
  return tasks;
}

function taskFromOutcome(record: OutcomeRecord): ManualTask {
  return {
    op: record.op,
    businessId: record.businessId,
    email: record.email,
    action: record.action,
    from: record.from,
    to: record.to,
    why: record.detail ?? 'manual provisioning',
  };
}

/**
 * Which of a journal's manual tasks a later sync shows done (the member is in the target
 * state) and which are still pending. A business the sync did not read leaves its tasks
 * pending: absence of evidence is not completion.
 */
export function checkManualTasks(
  records: readonly JournalRecord[],
  live: LiveState,
): { done: ManualTask[]; pending: ManualTask[] } {
  const done: ManualTask[] = [];
  const pending: ManualTask[] = [];
  for (const task of openManualTasks(records)) {
    const business = live.businesses.find((b) => b.businessId === task.businessId);
    if (!business) {
      pending.push(task);
      continue;
    }
    const change: Change = {
      businessId: task.businessId,
      email: task.email,
      action: task.action,
      from: task.from,
      to: task.to,
      ...(task.uuid === undefined ? {} : { uuid: task.uuid }),
      reason: task.why,
      provisioning: 'manual',
    };
    const candidates = membersFor(change, business.members.map(viewOfLive));
    (checkTarget(change, candidates).status === 'done' ? done : pending).push(task);
  }
  return { done, pending };
}
