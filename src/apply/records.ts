/**
 * What rolecall writes down about an apply, defined once: the outcome of one operation and the
 * records derived from it — the journal's (`.rolecall/journal/*.jsonl`), the audit log's
 * (`.rolecall/audit/*.jsonl`) and the manual task a human carries out. Pure (ESLint enforces
 * it): drift reads journals through these types and functions without touching a file. The
 * interfaces only name the fields; the bytes on disk are decided by the code that builds each
 * record (record-outcome.ts, audit-log.ts, manual-tasks.ts), key order included.
 */
import type { CapacityEncoding } from '../ports.js';
import type { PolicyRole } from '../roles.js';
import type { Change, LiveState, MemberState, PolicyCommit } from '../types.js';
import { checkTarget, membersFor, viewOfLive } from './target-state.js';

/**
 * - `applied`: written, and FreshBooks showed the target state when read back (confirmed);
 * - `already`: FreshBooks was already in the target state; nothing was written;
 * - `unconfirmed`: FreshBooks accepted the write (2xx), or may have received it, but does not
 *   show its effect — not applied, so a later apply of the same change checks it again;
 * - `manual`: a human must make it (the policy says so, or FreshBooks does not offer the write);
 * - `failed`: FreshBooks refused it, or it could not be sent.
 */
export type OperationOutcome = 'applied' | 'already' | 'manual' | 'failed' | 'unconfirmed';

export const OPERATION_OUTCOMES: readonly OperationOutcome[] = [
  'applied',
  'already',
  'manual',
  'failed',
  'unconfirmed',
];

/** What FreshBooks showed of a member when rolecall read it back after a write. */
export interface MemberShown {
  uuid: string;
  /** rolecall's name of the role, or the API's verbatim when rolecall does not know it. */
  role: string;
  state: MemberState;
}

/** Who and what an operation is about: the planner's change, without its explanations. */
export type OperationSubject = Pick<Change, 'businessId' | 'email' | 'action' | 'from' | 'to'>;

/** How one operation ended: the record every other one below is derived from. */
export interface OperationResult extends OperationSubject {
  outcome: OperationOutcome;
  /** Why it became manual, failed or stayed unconfirmed; how an invitation was (re-)sent. */
  detail?: string;
  requestId?: string;
  /**
   * After a write: what FreshBooks showed when the member was read back (`null`: no such
   * member). Absent when nothing was read back (nothing written, or records of older runs).
   */
  shows?: MemberShown | null;
}

/** One operation's result as the applier reports it (ApplyRun.operations). */
export interface AppliedOperation extends OperationResult {
  op: string;
  /** The outcome was recorded by an earlier run of this plan; nothing was sent this time. */
  resumed?: true;
  task?: ManualTask;
}

export interface ApplyResult {
  planDigest: string;
  startedAt: string;
  finishedAt: string;
  operations: OperationResult[];
  /**
   * 0 all applied (confirmed) or already in place, 1 refused before any write, 3 partial
   * (manual, failed or unconfirmed operations), 130/143 stopped by SIGINT/SIGTERM.
   */
  exitCode: 0 | 1 | 3 | 130 | 143;
}

/**
 * A change rolecall could not make through the API: a human makes it in FreshBooks, and a
 * later sync (`checkManualTasks`) tells whether it is done. Nothing is silently dropped.
 */
export interface ManualTask extends OperationSubject {
  op: string;
  businessName?: string;
  uuid?: string;
  /** Why it is manual: the policy's provisioning mode, or the API's answer. */
  why: string;
}

// ───────────────────────────── the journal ─────────────────────────────
//
// `.rolecall/journal/<plan-digest-hex>.jsonl`, append-only, one record per line (journal.ts).

export interface PlanStartRecord {
  type: 'plan-start';
  at: string;
  runId: string;
  digest: string;
  actor: string;
  approval: string;
  pid: number;
  /** businessId → digest of the members no change touches, as seen at this run's start. */
  untouched: Record<string, string>;
}

export interface IntentRecord extends Pick<OperationSubject, 'businessId' | 'email' | 'action'> {
  type: 'intent';
  at: string;
  runId: string;
  op: string;
  uuid?: string;
  attempt: number;
}

export interface OutcomeRecord extends OperationResult {
  type: 'outcome';
  at: string;
  runId: string;
  op: string;
  /** The id of the audit record written for this outcome (for crash repair). */
  auditId: string;
  /** For `manual`: the task a human must carry out (pending until a sync shows it done). */
  task?: ManualTask;
}

/**
 * An invitation FreshBooks received (answered 2xx), or may have received (its answer was lost),
 * written before the member is read back. Journals of every plan are read together, so that a
 * pending invitation FreshBooks does not list is not sent again within its validity window
 * (invitation-ledger.ts), and the next invitation starts with the `capacity` encoding that
 * worked.
 */
export interface InvitationRecord extends Pick<OperationSubject, 'businessId' | 'email'> {
  type: 'invitation';
  at: string;
  runId: string;
  op: string;
  role: PolicyRole;
  /** The `capacity` value sent, and its encoding. */
  capacity: string;
  encoding: CapacityEncoding;
  /** FreshBooks answered 2xx; false: the answer was lost, so it may or may not have been sent. */
  answered: boolean;
  requestId?: string;
}

export interface PlanEndRecord {
  type: 'plan-end';
  at: string;
  runId: string;
  exitCode: number;
  counts: Record<OperationOutcome, number>;
}

export type JournalRecord =
  PlanStartRecord | IntentRecord | InvitationRecord | OutcomeRecord | PlanEndRecord;

// ───────────────────────────── the audit log ─────────────────────────────
//
// `.rolecall/audit/<YYYY-MM-DD>.jsonl` (audit-log.ts). It holds emails, roles and request ids,
// never a token or secret.

/** A journal outcome named for a reader of the log: `to` is the bare role, absences are null. */
export interface AuditOperationRecord extends Omit<OperationResult, 'to' | 'requestId'> {
  type: 'operation';
  /** `<runId>:<op>`; the journal's outcome record carries the same id (crash repair). */
  id: string;
  time: string;
  actor: string;
  planDigest: string;
  policyCommit: PolicyCommit | null;
  to: PolicyRole | null;
  requestId: string | null;
  approval: string;
  /** Written on a later run from the journal, because the run that decided it died first. */
  recovered?: true;
}

export type ApplyVerdict = 'applied' | 'partial' | 'refused' | 'failed';

export interface AuditSummaryRecord {
  type: 'summary';
  time: string;
  actor: string;
  planDigest: string;
  runId: string | null;
  approval: string | null;
  result: ApplyVerdict;
  exitCode: number;
  counts: Record<OperationOutcome, number>;
  /** Operations the journal already recorded as done: not attempted again. */
  skipped: number;
  startedAt: string;
  finishedAt: string;
  reason?: string;
}

export type AuditRecord = AuditOperationRecord | AuditSummaryRecord;

// ───────────────────────────── manual tasks, read back ─────────────────────────────

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
 * state, by the applier's own test) and which are still pending. A business the sync did not
 * read leaves its tasks pending: absence of evidence is not completion.
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
