/**
 * 3. Plan: load + validate + diff + render for 1k, 10k and 100k members, each run in a fresh
 * child process (plan-child.ts) so that its peak RSS is its own. Policies are files of 1,000
 * people (one business each, like an accounting firm's repository); the largest size is also
 * run as one 100,000-person file with the loader's size cap raised.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, median, type Figure } from './figures.js';
import type { PlanChildResult } from './plan-child.js';
import { progress } from './support.js';
import { businessId, policyFiles, policyYaml } from './synthetic.js';

const SECTION = '3. Plan (load + validate + diff + render)';
const CHILD = fileURLToPath(new URL('./plan-child.js', import.meta.url));
const PER_FILE = 1000;
const CAPPED_HEAP_MIB = 384;

function runChild(args: string[], nodeFlags: string[] = []): Promise<PlanChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...nodeFlags, CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`plan child ${args.join(' ')} exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as PlanChildResult);
    });
  });
}

async function writePolicies(dir: string, files: Map<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of files) await writeFile(join(dir, name), text);
}

interface SizeRun {
  members: number;
  runs: PlanChildResult[];
}

function summary(run: SizeRun) {
  return {
    wall: median(run.runs.map((r) => r.totalMs)) / 1000,
    rss: median(run.runs.map((r) => r.peakRssMiB)),
    cpu: median(run.runs.map((r) => r.cpuMs)) / 1000,
    stages: {
      load: median(run.runs.map((r) => r.stagesMs.load)),
      plan: median(run.runs.map((r) => r.stagesMs.plan)),
      render: median(run.runs.map((r) => r.stagesMs.render)),
    },
  };
}

export interface PlanBenchDetail {
  sizes: Array<{
    members: number;
    files: number;
    changes: number;
    wallS: number;
    cpuS: number;
    peakRssMiB: number;
    stagesMs: Record<string, number>;
    samples: PlanChildResult[];
  }>;
  oneFile?: PlanChildResult;
  cappedHeap?: PlanChildResult;
  yamlFloorMs?: number;
}

export async function benchPlan(
  repetitions: number,
): Promise<{ figures: Figure[]; detail: PlanBenchDetail }> {
  const root = await mkdtemp(join(tmpdir(), 'rolecall-bench-plan-'));
  try {
    const sizes: SizeRun[] = [];
    for (const members of [1_000, 10_000, 100_000]) {
      const files = members / PER_FILE;
      const dir = join(root, `p${members}`);
      await writePolicies(dir, policyFiles(files, PER_FILE));
      const run: SizeRun = { members, runs: [] };
      for (let rep = 0; rep < repetitions; rep++) {
        progress(
          `plan ${members.toLocaleString('en-US')} members, run ${rep + 1} of ${repetitions}`,
        );
        run.runs.push(await runChild([dir, String(files), String(PER_FILE)]));
      }
      sizes.push(run);
    }
    progress('plan 100,000 members in one file');
    const oneDir = join(root, 'one');
    await writePolicies(
      oneDir,
      new Map([['big.yaml', policyYaml({ business: businessId(0), size: 100_000 })]]),
    );
    const oneFile = await runChild([oneDir, '1', '100000', String(64 * 1024 * 1024)]);
    progress('plan 100,000 members with the heap capped at 384 MiB');
    const capped = await runChild(
      [join(root, 'p100000'), '100', String(PER_FILE)],
      [`--max-old-space-size=${CAPPED_HEAP_MIB}`],
    );
    progress('yaml library floor at 100,000 members');
    const floor = await runChild(['--yaml-floor', join(root, 'p100000')]);

    const [s1, s10, s100] = sizes.map(summary);
    if (!s1 || !s10 || !s100) throw new Error('plan: missing size');
    const figures: Figure[] = [];
    for (const [run, s] of [
      [sizes[0], s1],
      [sizes[1], s10],
    ] as const) {
      const members = (run as SizeRun).members.toLocaleString('en-US');
      figures.push(
        figure({
          id: `plan.wall.${(run as SizeRun).members}`,
          section: SECTION,
          label: `${members} members: wall time`,
          value: s.wall,
          unit: 's',
          samples: (run as SizeRun).runs.map((r) => r.totalMs / 1000),
          note: `load ${Math.round(s.stages.load)} ms, plan ${Math.round(s.stages.plan)} ms, render ${Math.round(s.stages.render)} ms; CPU ${s.cpu.toFixed(2)} s`,
        }),
        figure({
          id: `plan.rss.${(run as SizeRun).members}`,
          section: SECTION,
          label: `${members} members: peak RSS`,
          value: s.rss,
          unit: 'MiB',
        }),
      );
    }
    const big = sizes[2] as SizeRun;
    figures.push(
      figure({
        id: 'plan.wall.100000',
        section: SECTION,
        label: '100,000 members (100 files): wall time',
        value: s100.wall,
        unit: 's',
        goal: { on: 'value', op: '<=', target: 2 },
        samples: big.runs.map((r) => r.totalMs / 1000),
        note: `load ${Math.round(s100.stages.load)} ms, plan ${Math.round(s100.stages.plan)} ms, render ${Math.round(s100.stages.render)} ms; CPU ${s100.cpu.toFixed(2)} s`,
      }),
      figure({
        id: 'plan.rss.100000',
        section: SECTION,
        label: '100,000 members: peak RSS',
        value: s100.rss,
        unit: 'MiB',
        goal: { on: 'value', op: '<=', target: 400 },
        samples: big.runs.map((r) => r.peakRssMiB),
        note: 'whole process: Node itself, the live state the sync would hold, the policies and the plan',
      }),
      figure({
        id: 'plan.heapAfterGc.100000',
        section: SECTION,
        label: '100,000 members: heap retained (after a full GC)',
        value: median(big.runs.map((r) => r.heapAfterGcMiB)),
        unit: 'MiB',
        compare: { label: 'peak RSS', value: s100.rss },
        note: 'live state, policies and plan; the rest of the peak is garbage V8 has not collected yet (its heap grows before it collects)',
      }),
      figure({
        id: 'plan.cappedHeap.100000',
        section: SECTION,
        label: `100,000 members, NODE_OPTIONS=--max-old-space-size=${CAPPED_HEAP_MIB}: peak RSS`,
        value: capped.peakRssMiB,
        unit: 'MiB',
        compare: { label: 'default heap', value: s100.rss },
        note: `wall ${(capped.totalMs / 1000).toFixed(2)} s (default heap ${s100.wall.toFixed(2)} s): a capped heap makes V8 collect sooner`,
      }),
      figure({
        id: 'plan.growth',
        section: SECTION,
        label: 'growth 10k → 100k (wall time)',
        value: s100.wall / s10.wall,
        unit: '×',
        compare: { label: 'linear', value: 10 },
        goal: { on: 'value', op: '<=', target: 11 },
      }),
      figure({
        id: 'plan.yamlFloor.100000',
        section: SECTION,
        label: '100,000 members: the yaml library alone (lex + parse + compose)',
        value: (floor.stagesMs.load ?? 0) / 1000,
        unit: 's',
        compare: { label: 'whole plan', value: s100.wall },
        note: 'parseAllDocuments over the same files, nothing else: the part no rolecall code can shorten',
      }),
      figure({
        id: 'plan.oneFile.100000',
        section: SECTION,
        label: '100,000 members in one file (size cap raised): wall time',
        value: oneFile.totalMs / 1000,
        unit: 's',
        compare: { label: '100 files', value: s100.wall },
        note: `peak RSS ${Math.round(oneFile.peakRssMiB)} MiB`,
      }),
    );
    const detail: PlanBenchDetail = {
      sizes: sizes.map((run, i) => {
        const s = [s1, s10, s100][i] as ReturnType<typeof summary>;
        return {
          members: run.members,
          files: run.members / PER_FILE,
          changes: run.runs[0]?.changes ?? 0,
          wallS: s.wall,
          cpuS: s.cpu,
          peakRssMiB: s.rss,
          stagesMs: s.stages,
          samples: run.runs,
        };
      }),
      oneFile,
      cappedHeap: capped,
      yamlFloorMs: floor.stagesMs.load,
    };
    return { figures, detail };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
