import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { DesiredState, Validated } from '../types.js';
import type { ParseLimits } from './parse-yaml.js';
import {
  combineOutcomes,
  limitsOf,
  validateDocuments,
  validateFile,
  type FileOutcome,
  type PolicySource,
  type ValidateOptions,
} from './validate-documents.js';

/**
 * `validateDocuments` with the per-file stages (parse, schema, rules, normalisation — nearly
 * all the work) spread over worker threads, when there is enough policy text to pay for
 * starting them; the checks across files run here afterwards, exactly as in one thread. A
 * worker sends back plain data (`FileOutcome`), so the result is the same either way.
 *
 * The worker runs this very module: `new Worker(new URL(import.meta.url))` with a marker in
 * `workerData`. In the plain build that is `dist/policy/validate-in-workers.js`; in the npm
 * package it is the one bundled `dist/cli/main.js`, whose entry starts this module instead of
 * the CLI when it sees the marker (src/bundle-package.ts).
 *
 * The workers also keep the parser's garbage out of the main thread's heap, and each worker's
 * heap is gone when it exits: a large plan peaks lower than in one thread.
 */

export interface ParallelOptions {
  /**
   * Worker threads: `'auto'` (the default) uses them for large inputs (`WORKER_MIN_BYTES`),
   * as many as the CPUs allow; a number forces that many (0: none).
   */
  workers?: number | 'auto';
}

/**
 * Policy text below which one thread is faster. A worker takes ~0.1 s to start (yaml, the
 * validators and the rules load again in it); 1 MB of policies (12,000 people) is ~0.5 s of work.
 */
export const WORKER_MIN_BYTES = 1024 * 1024;
/** Each worker should get at least this much text. */
const BYTES_PER_WORKER = 512 * 1024;
const MAX_WORKERS = 4;
/** Files sent to a worker before its first answer: it never waits for the next one. */
const IN_FLIGHT = 2;

export const WORKER_ROLE = 'rolecall-policy-worker';

/**
 * A worker's heap. Each file's parse is garbage once the file is done; a young generation that
 * holds a few files' worth lets it die young instead of being promoted, and a bounded old
 * generation makes V8 collect before the process grows. Measured on the 100,000-member plan
 * (test/bench, peak RSS of the whole process, worker threads included): young 48 MB → 342 MiB
 * and a quarter of a worker's time in garbage collection; 64 MB → 374–377 MiB; 80 MB → 377 MiB;
 * 96 MB → 377–379 MiB, the load 10–15% faster than with 48; 128 MB → 500 MiB and slower. One
 * thread, no workers: ~420 MiB. A 1 MiB policy of 11,500 people needs 48–64 MB of old
 * generation; a worker that runs out (a hostile file) stops, and its file is validated in the
 * main thread, whose heap is Node's default.
 */
const HEAP = { maxYoungGenerationSizeMb: 96, maxOldGenerationSizeMb: 256 };

export interface WorkerInput {
  role: typeof WORKER_ROLE;
  limits: ParseLimits;
  now: number;
}

interface Job {
  index: number;
  source: PolicySource;
}

interface Answer {
  index: number;
  outcome: FileOutcome;
}

/** How many workers `validateInWorkers` starts for these sources. */
export function workerCount(
  sources: readonly PolicySource[],
  requested: number | 'auto' = 'auto',
  cpus: number = availableParallelism(),
): number {
  if (sources.length < 2) return 0;
  if (requested !== 'auto') return Math.max(0, Math.min(requested, sources.length));
  let bytes = 0;
  for (const source of sources) bytes += source.text.length;
  if (bytes < WORKER_MIN_BYTES) return 0;
  // One CPU still gets one worker: its tuned heap costs less garbage collection and less memory
  // than the main thread's, for ~0.1 s of start-up.
  return Math.max(
    1,
    Math.min(cpus, MAX_WORKERS, sources.length, Math.floor(bytes / BYTES_PER_WORKER)),
  );
}

/** Only compiled JavaScript can run as a worker (not the TypeScript sources under a test runner). */
function canStartWorkers(): boolean {
  return import.meta.url.endsWith('.js');
}

export async function validateInWorkers(
  sources: readonly PolicySource[],
  options: ValidateOptions & ParallelOptions,
): Promise<Validated<DesiredState>> {
  const count = canStartWorkers() ? workerCount(sources, options.workers) : 0;
  if (count === 0) return validateDocuments(sources, options);
  const input: WorkerInput = {
    role: WORKER_ROLE,
    limits: limitsOf(options),
    now: options.now.getTime(),
  };
  const outcomes = await runPool(sources, count, input);
  return combineOutcomes(sources, outcomes, options);
}

/**
 * Hands files out as workers finish them (policies differ in size). A worker that fails — it
 * cannot start, or dies — gives its files back to the others; whatever no worker is left to do
 * is done in this thread.
 */
export function runPool(
  sources: readonly PolicySource[],
  count: number,
  input: WorkerInput,
  /** What each worker runs: this module (tests give another to see a failing worker). */
  entry: URL = new URL(import.meta.url),
): Promise<FileOutcome[]> {
  const outcomes = new Array<FileOutcome | undefined>(sources.length);
  const queue = sources.map((_, index) => index).reverse();
  let done = 0;
  let settled = false;
  return new Promise((resolve, reject) => {
    const pool: Array<{ worker: Worker; pending: Set<number>; failed: boolean }> = [];
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      for (const { worker } of pool) void worker.terminate();
      if (error === undefined) resolve(outcomes as FileOutcome[]);
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const feed = (slot: (typeof pool)[number]): void => {
      while (!slot.failed && slot.pending.size < IN_FLIGHT && queue.length > 0) {
        const index = queue.pop() as number;
        slot.pending.add(index);
        const job: Job = { index, source: sources[index] as PolicySource };
        slot.worker.postMessage(job);
      }
    };
    const fail = (slot: (typeof pool)[number], error?: unknown): void => {
      if (slot.failed || settled) return;
      slot.failed = true;
      // Not expected: say so (the result is the same, one thread does the rest).
      process.emitWarning(
        `a policy validation worker stopped (${error instanceof Error ? error.message : 'it exited'}); its files are validated in another thread`,
        { code: 'ROLECALL_POLICY_WORKER' },
      );
      for (const index of slot.pending) queue.push(index);
      slot.pending.clear();
      void slot.worker.terminate();
      const live = pool.filter((other) => !other.failed);
      if (live.length > 0) {
        for (const other of live) feed(other);
        return;
      }
      try {
        while (queue.length > 0) {
          const index = queue.pop() as number;
          const source = sources[index] as PolicySource;
          outcomes[index] = validateFile(source, input.limits, new Date(input.now));
          done++;
        }
        settle();
      } catch (error) {
        settle(error);
      }
    };
    for (let w = 0; w < count; w++) {
      const worker = new Worker(entry, { workerData: input, resourceLimits: HEAP });
      const slot = { worker, pending: new Set<number>(), failed: false };
      pool.push(slot);
      worker.on('message', (answer: Answer) => {
        // A worker given up on may still deliver: its files went back to the queue.
        if (slot.failed) return;
        slot.pending.delete(answer.index);
        outcomes[answer.index] = answer.outcome;
        done++;
        if (done === sources.length) settle();
        else feed(slot);
      });
      worker.on('error', (error) => fail(slot, error));
      worker.on('exit', () => fail(slot));
    }
    for (const slot of pool) feed(slot);
  });
}

/** The worker's side: validate each file it is sent, send the outcome back. */
function serve(input: WorkerInput): void {
  const now = new Date(input.now);
  parentPort?.on('message', (job: Job) => {
    const answer: Answer = {
      index: job.index,
      outcome: validateFile(job.source, input.limits, now),
    };
    parentPort?.postMessage(answer);
  });
}

if (!isMainThread && (workerData as Partial<WorkerInput> | null)?.role === WORKER_ROLE) {
  serve(workerData as WorkerInput);
}
