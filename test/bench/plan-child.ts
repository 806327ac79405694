/**
 * One plan or parser measurement in a fresh process (so that peak RSS is this run's alone):
 *
 *   node --expose-gc dist-bench/test/bench/plan-child.js <policies dir> <files> <per file>
 *        [--max-bytes N] [--workers N]
 *   node --expose-gc dist-bench/test/bench/plan-child.js --parse <how> <policies dir>
 *
 * A plan builds the live state in memory (what a sync would hand the planner), then times what
 * `rolecall plan` does with it: load + validate the policies, diff + guards + digest, and render
 * (terminal text, the pull-request markdown and the saved plan file). `--parse` times one
 * parser alone over the same files, in one thread (parsers.ts). Prints one JSON line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { LineCounter, parseAllDocuments } from 'yaml';
import { toolVersion } from '../../src/paths.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { serializePlan } from '../../src/plan/plan-file.js';
import { renderPlanMarkdown } from '../../src/plan/render-markdown.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { formatDiagnostic, loadDesiredState } from '../../src/policy/load-desired-state.js';
import { workerCount } from '../../src/policy/validate-in-workers.js';
import { occurrenceKey } from '../../src/policy/yaml-nodes.js';
import { PARSERS, type Parser } from './parsers.js';
import { BENCH_NOW, businessId, liveState, type PolicyShape } from './synthetic.js';

export interface PlanChildResult {
  members: number;
  files: number;
  changes: number;
  stagesMs: { load: number; plan: number; render: number };
  totalMs: number;
  /** Whole process, KiB → MiB: Node itself, the live state and the plan. */
  peakRssMiB: number;
  /** RSS once the live state was built, before the timed work. */
  startRssMiB: number;
  /** Heap still in use after the plan and a full garbage collection: what the run retains. */
  heapAfterGcMiB: number;
  /** CPU time (user + system) of the timed work, worker threads included. */
  cpuMs: number;
  outputBytes: { text: number; markdown: number; planFile: number };
}

interface YamlApi {
  parseAllDocuments: (text: string, options: object) => Array<{ toJS: (o: object) => unknown }>;
  LineCounter: new () => object;
}

function vmHwmMiB(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const fromProc = match ? Number(match[1]) / 1024 : 0;
  return Math.max(fromProc, process.resourceUsage().maxRSS / 1024);
}

/** yaml 2.9.1, installed beside yaml 3 as `yaml-v2`: its Node build, or its browser build. */
async function yamlV2(build: 'node' | 'browser'): Promise<YamlApi> {
  const root = dirname(createRequire(import.meta.url).resolve('yaml-v2/package.json'));
  const entry = build === 'node' ? 'dist/index.js' : 'browser/dist/index.js';
  return (await import(pathToFileURL(join(root, entry)).href)) as YamlApi;
}

/**
 * The bare yaml 3 parse split over worker threads, as many as rolecall's loader would start for
 * these files, each given every n-th file at once; timed from starting the threads to the last
 * answer, so their start-up and the JIT warming up in each are in, as they are in the loader.
 */
async function parseInThreads(
  texts: string[],
): Promise<{ ms: number; cpuMs: number; members: number }> {
  const count = Math.max(1, workerCount(texts.map((text, i) => ({ file: String(i), text }))));
  const entry = new URL('./parse-worker.js', import.meta.url);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const counts = await Promise.all(
    Array.from(
      { length: count },
      (_, w) =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(entry);
          worker.once('message', (members: number) => {
            resolve(members);
            void worker.terminate();
          });
          worker.once('error', reject);
          worker.postMessage(texts.filter((_, i) => i % count === w));
        }),
    ),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, members: counts.reduce((a, b) => a + b, 0) };
}

async function parseOnly(how: Parser, dir: string): Promise<PlanChildResult> {
  const texts = readdirSync(dir)
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8'));
  if (how === 'yaml3-threads') {
    const { ms, cpuMs, members } = await parseInThreads(texts);
    return {
      members,
      files: texts.length,
      changes: 0,
      stagesMs: { load: ms, plan: 0, render: 0 },
      totalMs: ms,
      peakRssMiB: vmHwmMiB(),
      startRssMiB: 0,
      heapAfterGcMiB: 0,
      cpuMs,
      outputBytes: { text: 0, markdown: 0, planFile: 0 },
    };
  }
  const yaml3: YamlApi = { parseAllDocuments, LineCounter } as unknown as YamlApi;
  const api =
    how === 'yaml2'
      ? await yamlV2('node')
      : how === 'yaml2-no-env'
        ? await yamlV2('browser')
        : yaml3;
  const options = {
    prettyErrors: false,
    schema: 'core',
    merge: false,
    strict: true,
    ...(how === 'yaml3' ? { mapKey: occurrenceKey } : { uniqueKeys: false }),
  };
  const parse = (text: string) =>
    api
      .parseAllDocuments(text, { ...options, lineCounter: new api.LineCounter() })[0]
      ?.toJS({ maxAliasCount: 100 });
  const inputs = how === 'json' ? texts.map((text) => JSON.stringify(parse(text))) : texts;
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let members = 0;
  for (const input of inputs) {
    const value = (how === 'json' ? JSON.parse(input) : parse(input)) as { members?: unknown[] };
    members += value.members?.length ?? 0;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    members,
    files: texts.length,
    changes: 0,
    stagesMs: { load: ms, plan: 0, render: 0 },
    totalMs: ms,
    peakRssMiB: vmHwmMiB(),
    startRssMiB: 0,
    heapAfterGcMiB: 0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    outputBytes: { text: 0, markdown: 0, planFile: 0 },
  };
}

async function run(): Promise<PlanChildResult> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      parse: { type: 'string' },
      'max-bytes': { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const [dir, filesArg, perFileArg] = positionals;
  if (values.parse !== undefined) {
    if (!(PARSERS as readonly string[]).includes(values.parse) || dir === undefined) {
      throw new Error(`usage: plan-child --parse ${PARSERS.join('|')} <dir>`);
    }
    return parseOnly(values.parse as Parser, dir);
  }
  if (dir === undefined || filesArg === undefined || perFileArg === undefined) {
    throw new Error('usage: plan-child <dir> <files> <per file> [--max-bytes N] [--workers N]');
  }
  const files = Number(filesArg);
  const perFile = Number(perFileArg);
  const shapes: PolicyShape[] = Array.from({ length: files }, (_, i) => ({
    business: businessId(i),
    size: perFile,
  }));
  const live = liveState(shapes);
  globalThis.gc?.();
  const startRssMiB = process.memoryUsage().rss / 1024 / 1024;

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const loaded = await loadDesiredState(dir, {
    now: BENCH_NOW,
    cwd: dir,
    ...(values['max-bytes'] === undefined
      ? {}
      : { limits: { maxFileBytes: Number(values['max-bytes']) } }),
    ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
  });
  if (!loaded.value) {
    throw new Error(
      `policies invalid:\n${loaded.errors.slice(0, 5).map(formatDiagnostic).join('\n')}`,
    );
  }
  const t1 = performance.now();
  const plan = buildPlan({
    desired: loaded.value,
    live,
    now: BENCH_NOW,
    toolVersion: toolVersion(),
  });
  const t2 = performance.now();
  const text = renderPlanText(plan);
  const markdown = renderPlanMarkdown(plan);
  const planFile = serializePlan(plan);
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const peakRssMiB = vmHwmMiB();
  globalThis.gc?.();
  const heapAfterGcMiB = process.memoryUsage().heapUsed / 1024 / 1024;
  // Keep the results alive until measured.
  if (!plan || text.length + markdown.length + planFile.length === 0) throw new Error('empty');

  return {
    members: loaded.value.businesses.reduce((n, b) => n + b.members.length, 0),
    files,
    changes: plan.businesses.reduce((n, b) => n + b.changes.length, 0),
    stagesMs: { load: t1 - t0, plan: t2 - t1, render: t3 - t2 },
    totalMs: t3 - t0,
    peakRssMiB,
    startRssMiB,
    heapAfterGcMiB,
    cpuMs: (cpu.user + cpu.system) / 1000,
    outputBytes: { text: text.length, markdown: markdown.length, planFile: planFile.length },
  };
}

run().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
