/**
 * `rolecall sync`: live FreshBooks (the businesses the policies name, or those asked for) into
 * a LiveState snapshot — printed, summarised, or written for `plan`/`drift --live FILE`. The
 * snapshot is written atomically (write-file-atomic.ts): a reader never sees half of one.
 */
import { resolve } from 'node:path';
import { UsageError, EXIT } from '../errors.js';
import { formatDiagnostic } from '../policy/load-desired-state.js';
import type { Console } from '../ports.js';
import { serializeLiveState } from '../sync/live-state-file.js';
import { renderSyncSummary } from '../sync/render-sync-summary.js';
import { syncLiveState } from '../sync/sync-live-state.js';
import type { LiveState } from '../types.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { openFreshBooks, type ConnectionOptions } from './context.js';
import { readPolicies } from './read-policies.js';

export interface SyncOptions extends ConnectionOptions {
  policiesDir: string;
  now: Date;
  /** The businesses to read; empty: those the policies name. */
  businessIds: readonly number[];
  /** Write the LiveState JSON to this file (relative to the working directory). */
  out?: string;
  /** Print the LiveState JSON on stdout instead of the summary. */
  json: boolean;
}

export interface SyncOutcome {
  /** 0, or 1 when the policies that name the businesses are invalid (nothing read). */
  exitCode: number;
  state: LiveState | null;
}

export async function syncSnapshot(io: Console, options: SyncOptions): Promise<SyncOutcome> {
  const businessIds =
    options.businessIds.length > 0
      ? [...options.businessIds]
      : await policyBusinessIds(io, options.policiesDir, options.now);
  if (businessIds === null) return { exitCode: EXIT.ERROR, state: null };
  if (businessIds.length === 0) {
    throw new UsageError('the policies name no business; pass --business ID');
  }

  const connection = await openFreshBooks(io, options);
  const progress = progressReporter(io);
  let state;
  try {
    progress.start(businessIds.length);
    state = await syncLiveState(connection, businessIds, {
      now: options.now,
      onBusiness: (business, done, total) =>
        progress.step(
          `${business.businessId} ${business.name}: ${business.members.length} members`,
          done,
          total,
        ),
    });
  } finally {
    progress.end();
    await connection.close();
  }
  const text = serializeLiveState(state);
  if (options.out !== undefined) await writeFileAtomic(resolve(io.cwd, options.out), text);
  if (options.json) {
    io.stdout.write(text);
  } else {
    io.stdout.write(renderSyncSummary(state, { tokenRequests: connection.stats().tokenRequests }));
    if (options.out !== undefined) io.stdout.write(`wrote ${options.out}\n`);
  }
  return { exitCode: EXIT.OK, state };
}

/** The businesses the policies name; `null` after printing policy errors. */
async function policyBusinessIds(io: Console, dir: string, now: Date): Promise<number[] | null> {
  const result = await readPolicies(io.cwd, { dir, now });
  if (result.errors.length > 0 || !result.value) {
    for (const d of result.errors) io.stderr.write(`${formatDiagnostic(d)}\n`);
    io.stderr.write(`rolecall: the policies in ${dir} have errors (run \`rolecall validate\`)\n`);
    return null;
  }
  return result.value.businesses.map((b) => b.businessId);
}

/** A self-rewriting line on a terminal; plain lines otherwise (CI logs). */
function progressReporter(io: Console) {
  const tty = Boolean(io.stderr.isTTY);
  let shown = false;
  return {
    start(total: number): void {
      if (tty) {
        io.stderr.write(
          `\rreading ${total} business${total === 1 ? '' : 'es'} from FreshBooks…\x1b[K`,
        );
        shown = true;
      }
    },
    step(line: string, done: number, total: number): void {
      if (tty) {
        io.stderr.write(`\r[${done}/${total}] ${line}\x1b[K`);
        shown = true;
      } else {
        io.stderr.write(`synced ${line}\n`);
      }
    },
    end(): void {
      if (tty && shown) io.stderr.write('\r\x1b[K');
    },
  };
}
