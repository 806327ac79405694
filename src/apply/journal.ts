import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { RolecallError } from '../errors.js';
import { appendLine, openForAppend } from './durable-file.js';
import type { JournalRecord, OutcomeRecord } from './records.js';

/**
 * The apply journal: `.rolecall/journal/<plan-digest-hex>.jsonl`, append-only, one JSON record
 * per line (the record shapes: records.ts), each fsynced before the applier moves on.
 * Invariants that make a rerun safe:
 * - an `intent` is durable before its write is sent, so a write that reached FreshBooks always
 *   has an intent on disk;
 * - an operation with an `applied`/`already` outcome is done and is never written again;
 * - an intent without an outcome means "unknown": the rerun re-reads live state first;
 * - an `unconfirmed` outcome is not done either: FreshBooks accepted the write but did not show
 *   its effect, so the rerun re-reads and writes again (an invitation only as
 *   invitation-ledger.ts allows).
 * A record torn by a crash (the last line, cut short) is ignored on read.
 */
const RECORD_TYPES = new Set(['plan-start', 'intent', 'invitation', 'outcome', 'plan-end']);

/** Parses journal text; unreadable lines (a torn last record) are counted, never fatal. */
export function parseJournal(text: string): { records: JournalRecord[]; skipped: number } {
  const records: JournalRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as { type?: unknown };
      if (typeof value === 'object' && value !== null && RECORD_TYPES.has(String(value.type))) {
        records.push(value as JournalRecord);
      } else skipped += 1;
    } catch {
      skipped += 1;
    }
  }
  return { records, skipped };
}

/** What the journal says about one operation. */
export interface OperationHistory {
  /** The latest outcome, if any. */
  outcome?: OutcomeRecord;
  /** An intent was recorded at some point (a write may have reached FreshBooks). */
  intended: boolean;
  /** The latest record is an intent: the run that wrote it died or lost the answer. */
  unfinished: boolean;
}

export function historyByOperation(
  records: readonly JournalRecord[],
): Map<string, OperationHistory> {
  const map = new Map<string, OperationHistory>();
  for (const record of records) {
    if (record.type !== 'intent' && record.type !== 'outcome') continue;
    const entry = map.get(record.op) ?? { intended: false, unfinished: false };
    if (record.type === 'intent') {
      entry.intended = true;
      entry.unfinished = true;
    } else {
      entry.outcome = record;
      entry.unfinished = false;
    }
    map.set(record.op, entry);
  }
  return map;
}

/** True when the journal records this operation as finished for good. */
export function isSettled(history: OperationHistory | undefined): boolean {
  const outcome = history?.outcome?.outcome;
  return !history?.unfinished && (outcome === 'applied' || outcome === 'already');
}

export function digestHex(digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!match?.[1])
    throw new RolecallError('PLAN_DIGEST', `the plan digest "${digest}" is malformed`);
  return match[1];
}

export function journalPath(stateDir: string, digest: string): string {
  return join(stateDir, 'journal', `${digestHex(digest)}.jsonl`);
}

export async function readJournal(
  stateDir: string,
  digest: string,
): Promise<{ records: JournalRecord[]; skipped: number }> {
  try {
    return parseJournal(await readFile(journalPath(stateDir, digest), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: 0 };
    throw error;
  }
}

/**
 * Every record of every journal under `stateDir` (`journal/*.jsonl`, in file-name order), for
 * readers of all plans at once (drift: open manual tasks, what rolecall put in place). No
 * directory means no journal (CI runners have none); a file that cannot be read is an error.
 */
export async function readAllJournals(stateDir: string): Promise<JournalRecord[]> {
  const dir = join(stateDir, 'journal');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.jsonl')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RolecallError(
      'JOURNAL_UNREADABLE',
      `cannot read ${dir}: ${(error as Error).message}`,
    );
  }
  const records: JournalRecord[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (error) {
      throw new RolecallError(
        'JOURNAL_UNREADABLE',
        `cannot read the journal ${join(dir, name)}: ${(error as Error).message}`,
      );
    }
    records.push(...parseJournal(text).records);
  }
  return records;
}

/**
 * An open journal: the records it held when opened, and a serialised, fsynced append. The
 * file is created on the first append, so an apply refused before its first write leaves no
 * journal behind.
 */
export class Journal {
  private queue: Promise<void> = Promise.resolve();
  private handle: FileHandle | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    readonly records: readonly JournalRecord[],
    readonly skipped: number,
    private readonly lockPath: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /**
   * Takes the plan's lock and reads what earlier runs recorded. A lock left by a process that
   * is gone (killed) is taken over; a live one is refused, so two applies of the same plan
   * never run at once on this machine.
   */
  static async open(stateDir: string, digest: string, signal?: AbortSignal): Promise<Journal> {
    const path = journalPath(stateDir, digest);
    await mkdir(dirname(path), { recursive: true });
    const lockPath = `${path}.lock`;
    await acquireLock(lockPath);
    try {
      const { records, skipped } = await readJournal(stateDir, digest);
      return new Journal(path, records, skipped, lockPath, signal);
    } catch (error) {
      await rm(lockPath, { force: true });
      throw error;
    }
  }

  append(record: JournalRecord): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.closed) throw new Error('journal closed');
      this.signal?.throwIfAborted();
      this.handle ??= await openForAppend(this.path, dirname(this.path));
      await appendLine(this.handle, JSON.stringify(record));
    });
    // Keep the chain alive after a failure; the caller still sees the rejection.
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    await this.handle?.close();
    await rm(this.lockPath, { force: true });
  }
}

interface LockContent {
  pid: number;
  host: string;
  at: string;
}

async function acquireLock(lockPath: string): Promise<void> {
  const content: LockContent = { pid: process.pid, host: hostname(), at: new Date().toISOString() };
  try {
    await writeFile(lockPath, JSON.stringify(content), { flag: 'wx' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let holder: Partial<LockContent> = {};
  try {
    holder = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockContent>;
  } catch {
    // An empty or torn lock file: its writer died while creating it.
  }
  if (holder.host === hostname() && typeof holder.pid === 'number' && isAlive(holder.pid)) {
    throw new RolecallError(
      'APPLY_LOCKED',
      `another apply of this plan is running (pid ${holder.pid}, since ${holder.at ?? '?'}); ` +
        `wait for it, or remove ${lockPath} if that process is gone`,
    );
  }
  if (holder.host !== undefined && holder.host !== hostname()) {
    throw new RolecallError(
      'APPLY_LOCKED',
      `the journal is locked by host ${holder.host}; remove ${lockPath} if no apply runs there`,
    );
  }
  await writeFile(lockPath, JSON.stringify(content));
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
