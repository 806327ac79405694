import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redact } from '../redact.js';
import type { PolicyCommit } from '../types.js';
import { appendLine, openForAppend } from './durable-file.js';
import type { AuditOperationRecord, AuditRecord, OutcomeRecord } from './records.js';

/**
 * The audit log: `.rolecall/audit/<YYYY-MM-DD>.jsonl` (UTC date of each record), one record per
 * operation outcome and one summary per run (the record shapes: records.ts), each fsynced. It
 * holds emails, roles and request ids — never a token or secret (every free-text field goes
 * through `redact`).
 */
export function auditPath(stateDir: string, time: string): string {
  return join(stateDir, 'audit', `${time.slice(0, 10)}.jsonl`);
}

export class AuditLog {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly stateDir: string,
    private readonly signal?: AbortSignal,
  ) {}

  /** Appends one record to the file of its day and fsyncs it. Serialised per log. */
  append(record: AuditRecord): Promise<void> {
    const next = this.queue.then(async () => {
      this.signal?.throwIfAborted();
      const clean = sanitize(record);
      const path = auditPath(this.stateDir, clean.time);
      const dir = join(this.stateDir, 'audit');
      await mkdir(dir, { recursive: true });
      const handle = await openForAppend(path, dir);
      try {
        await appendLine(handle, JSON.stringify(clean));
      } finally {
        await handle.close();
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The ids of the operation records in the day file of `time`. */
  async idsOn(time: string): Promise<Set<string>> {
    return new Set(
      (await readAuditFile(auditPath(this.stateDir, time)))
        .filter((r): r is AuditOperationRecord => r.type === 'operation')
        .map((r) => r.id),
    );
  }
}

export async function readAuditFile(path: string): Promise<AuditRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as AuditRecord);
    } catch {
      // A record torn by a crash; the journal repairs what it describes.
    }
  }
  return records;
}

function sanitize<T extends AuditRecord>(record: T): T {
  const copy = { ...record, actor: redact(record.actor) };
  if (copy.type === 'operation' && copy.detail !== undefined) copy.detail = redact(copy.detail);
  if (copy.type === 'summary' && copy.reason !== undefined) copy.reason = redact(copy.reason);
  return copy;
}

/** The audit record of a journal outcome (the same fields, named for a reader of the log). */
export function auditRecordOf(
  outcome: OutcomeRecord,
  context: {
    actor: string;
    approval: string;
    planDigest: string;
    policyCommit: PolicyCommit | null;
  },
): AuditOperationRecord {
  return {
    type: 'operation',
    id: outcome.auditId,
    time: outcome.at,
    actor: context.actor,
    planDigest: context.planDigest,
    policyCommit: context.policyCommit,
    businessId: outcome.businessId,
    email: outcome.email,
    action: outcome.action,
    from: outcome.from,
    to: outcome.to?.role ?? null,
    outcome: outcome.outcome,
    requestId: outcome.requestId ?? null,
    approval: context.approval,
    ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
    ...(outcome.shows === undefined ? {} : { shows: outcome.shows }),
  };
}
