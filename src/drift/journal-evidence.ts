/**
 * What the applier's journals say, as evidence for drift: which manual tasks are still open
 * (and since when), and when rolecall last put someone into FreshBooks. Journals are data
 * here: the drift flow reads `.rolecall/journal/*.jsonl` (`readAllJournals` in
 * apply/journal.ts) and passes every record in; only their types and pure readings
 * (apply/records.ts) are imported.
 */
import {
  checkManualTasks,
  type JournalRecord,
  type ManualTask,
  type OutcomeRecord,
} from '../apply/records.js';
import type { LiveState } from '../types.js';

export interface JournalEvidence {
  /** Open manual tasks a sync shows not done yet, with the instant the journal recorded them. */
  pendingTasks: Array<{ task: ManualTask; at: string }>;
  /** `<businessId>/<email>` → the latest instant rolecall granted or changed that person. */
  lastPutInPlace: Map<string, string>;
  /**
   * `<businessId>/<email>` → the latest instant rolecall sent an invitation (an applied grant,
   * or one FreshBooks answered 2xx). A re-invitation keeps the member's original `createdAt`;
   * this dates it correctly.
   */
  lastInvited: Map<string, string>;
  /**
   * `<businessId>/<email>/<action>` → the last write of that change FreshBooks accepted but did
   * not show (its latest outcome is `unconfirmed`): when, and whether it was an invitation
   * FreshBooks does not list at all (it may be pending, unlisted).
   */
  unconfirmed: Map<string, { at: string; unlisted: boolean }>;
}

/**
 * Reads every journal at once. Each journal is one plan's; a later plan may settle what an
 * earlier one left manual, so records are taken in time order across files (a stable sort:
 * records of one instant keep their file order) and the latest outcome of an operation wins.
 */
export function journalEvidence(
  records: readonly JournalRecord[],
  live: LiveState,
): JournalEvidence {
  // A journal is a file on disk: a hand-edited or foreign record is skipped, never fatal.
  const ordered = records
    .filter(wellFormed)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const manualAt = new Map<string, string>();
  const lastPutInPlace = new Map<string, string>();
  const lastInvited = new Map<string, string>();
  const latest = new Map<string, OutcomeRecord>();
  for (const record of ordered) {
    if (record.type === 'invitation' && record.answered && typeof record.email === 'string') {
      lastInvited.set(personKey(record.businessId, record.email), record.at);
    }
    if (record.type !== 'outcome') continue;
    latest.set(record.op, record);
    const person = personKey(record.businessId, record.email);
    if (record.outcome === 'manual') manualAt.set(record.op, record.at);
    if (putInPlace(record)) lastPutInPlace.set(person, record.at);
    if (record.action === 'grant' && record.outcome === 'applied')
      lastInvited.set(person, record.at);
  }
  const unconfirmed = new Map<string, { at: string; unlisted: boolean }>();
  for (const record of latest.values()) {
    if (record.outcome !== 'unconfirmed') continue;
    unconfirmed.set(`${personKey(record.businessId, record.email)}/${record.action}`, {
      at: record.at,
      unlisted: record.action === 'grant' && record.shows === null,
    });
  }
  const { pending } = checkManualTasks(ordered, live);
  return {
    pendingTasks: pending.map((task) => ({ task, at: manualAt.get(task.op) ?? '' })),
    lastPutInPlace,
    lastInvited,
    unconfirmed,
  };
}

export function personKey(businessId: number, email: string): string {
  return `${businessId}/${email}`;
}

const ACTIONS: ReadonlySet<unknown> = new Set(['grant', 'change', 'revoke']);

/** An outcome record drift can reason about; other record types pass through untouched. */
function wellFormed(record: JournalRecord): boolean {
  if (typeof record !== 'object' || record === null || typeof record.at !== 'string') return false;
  if (record.type !== 'outcome') return true;
  const task = record.outcome === 'manual' ? (record.task ?? record) : record;
  return (
    typeof record.op === 'string' &&
    typeof record.businessId === 'number' &&
    typeof record.email === 'string' &&
    ACTIONS.has(record.action) &&
    typeof task.email === 'string' &&
    typeof task.businessId === 'number' &&
    ACTIONS.has(task.action) &&
    // A grant or change without a target role names nothing to check.
    (task.action === 'revoke' || typeof task.to?.role === 'string')
  );
}

function putInPlace(record: OutcomeRecord): boolean {
  return (
    (record.action === 'grant' || record.action === 'change') &&
    (record.outcome === 'applied' || record.outcome === 'already')
  );
}
