/**
 * One plan measurement in a fresh process (so that peak RSS is this plan's alone):
 *
 *   node --expose-gc dist-bench/test/bench/plan-child.js <policies dir> <files> <per file> [maxFileBytes]
 *
 * Builds the live state in memory (what a sync would hand the planner), then times what
 * `rolecall plan` does with it: load + validate the policies, diff + guards + digest, and render
 * (terminal text, the pull-request markdown and the saved plan file). Prints one JSON line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { toolVersion } from '../../src/paths.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { serializePlan } from '../../src/plan/plan-file.js';
import { renderPlanMarkdown } from '../../src/plan/render-markdown.js';
import { renderPlanText } from '../../src/plan/render-text.js';
import { formatDiagnostic, loadDesiredState } from '../../src/policy/load-desired-state.js';
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
  /** CPU time (user + system) of the timed work: less sensitive to machine load than wall time. */
  cpuMs: number;
  outputBytes: { text: number; markdown: number; planFile: number };
}

function vmHwmMiB(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const fromProc = match ? Number(match[1]) / 1024 : 0;
  return Math.max(fromProc, process.resourceUsage().maxRSS / 1024);
}

/**
 * `--yaml-floor DIR`: only the `yaml` library's parse of every file, with the options the policy
 * loader uses — the part of loading that no rolecall code can make faster.
 */
function yamlFloor(dir: string): PlanChildResult {
  const texts = readdirSync(dir)
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8'));
  const t0 = performance.now();
  for (const text of texts) {
    parseAllDocuments(text, {
      lineCounter: new LineCounter(),
      prettyErrors: false,
      schema: 'core',
      merge: false,
      strict: true,
    });
  }
  const ms = performance.now() - t0;
  return {
    members: 0,
    files: texts.length,
    changes: 0,
    stagesMs: { load: ms, plan: 0, render: 0 },
    totalMs: ms,
    peakRssMiB: vmHwmMiB(),
    startRssMiB: 0,
    heapAfterGcMiB: 0,
    cpuMs: 0,
    outputBytes: { text: 0, markdown: 0, planFile: 0 },
  };
}

async function run(): Promise<PlanChildResult> {
  const [dir, filesArg, perFileArg, maxBytesArg] = process.argv.slice(2);
  if (dir === '--yaml-floor' && filesArg !== undefined) return yamlFloor(filesArg);
  if (dir === undefined || filesArg === undefined || perFileArg === undefined) {
    throw new Error('usage: plan-child <dir> <files> <per file> [maxFileBytes]');
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
    ...(maxBytesArg === undefined ? {} : { limits: { maxFileBytes: Number(maxBytesArg) } }),
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
