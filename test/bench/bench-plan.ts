/**
 * 3. Plan: load + validate + diff + render for 1k, 10k and 100k members, each run in a fresh
 * child process (plan-child.ts) so that its peak RSS is its own. Policies are files of 1,000
 * people (one business each, like an accounting firm's repository); the largest size is also
 * run in one thread (no worker threads) and as one 100,000-person file with the loader's size
 * cap raised. Then the parser alone over the same 100 files: the `yaml` rolecall uses, the one
 * it used before (the yardstick for "today"), that one without its per-token environment read
 * (the workaround considered instead of moving to yaml 3), and `JSON.parse` as the floor.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, median, type Figure } from './figures.js';
import { PARSERS, type Parser } from './parsers.js';
import type { PlanChildResult } from './plan-child.js';
import { progress } from './support.js';
import { businessId, policyFiles, policyYaml } from './synthetic.js';

const SECTION = '3. Plan (load + validate + diff + render)';
const PARSE_SECTION = '3b. Parsing 100,000 members (100 files)';
const CHILD = fileURLToPath(new URL('./plan-child.js', import.meta.url));
const PER_FILE = 1000;

function runChild(args: string[]): Promise<PlanChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', CHILD, ...args], {
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

function summary(runs: readonly PlanChildResult[]) {
  return {
    wall: median(runs.map((r) => r.totalMs)) / 1000,
    rss: median(runs.map((r) => r.peakRssMiB)),
    cpu: median(runs.map((r) => r.cpuMs)) / 1000,
    stages: {
      load: median(runs.map((r) => r.stagesMs.load)),
      plan: median(runs.map((r) => r.stagesMs.plan)),
      render: median(runs.map((r) => r.stagesMs.render)),
    },
  };
}

function stagesNote(s: ReturnType<typeof summary>): string {
  return `load ${Math.round(s.stages.load)} ms, plan ${Math.round(s.stages.plan)} ms, render ${Math.round(s.stages.render)} ms; CPU ${s.cpu.toFixed(2)} s`;
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
  oneThread: PlanChildResult[];
  oneFile?: PlanChildResult;
  parsers: Record<Parser, PlanChildResult[]>;
}

export async function benchPlan(
  repetitions: number,
): Promise<{ figures: Figure[]; detail: PlanBenchDetail }> {
  const root = await mkdtemp(join(tmpdir(), 'rolecall-bench-plan-'));
  try {
    const sizes: SizeRun[] = [];
    const big = join(root, 'p100000');
    const oneThread: PlanChildResult[] = [];
    const parsers = Object.fromEntries(PARSERS.map((p) => [p, []])) as unknown as Record<
      Parser,
      PlanChildResult[]
    >;
    for (const members of [1_000, 10_000, 100_000]) {
      const files = members / PER_FILE;
      const dir = join(root, `p${members}`);
      await writePolicies(dir, policyFiles(files, PER_FILE));
      sizes.push({ members, runs: [] });
    }
    // Every measurement of a repetition, then the next repetition: load on the machine drifts,
    // and the ratios below compare figures taken close together.
    for (let rep = 0; rep < repetitions; rep++) {
      progress(
        `plan 1k, 10k, 100k members; one thread; parsers — run ${rep + 1} of ${repetitions}`,
      );
      for (const size of sizes) {
        const files = size.members / PER_FILE;
        size.runs.push(
          await runChild([join(root, `p${size.members}`), String(files), String(PER_FILE)]),
        );
      }
      oneThread.push(await runChild([big, '100', String(PER_FILE), '--workers', '0']));
      for (const parser of PARSERS) parsers[parser].push(await runChild(['--parse', parser, big]));
    }
    progress('plan 100,000 members in one file');
    const oneDir = join(root, 'one');
    await writePolicies(
      oneDir,
      new Map([['big.yaml', policyYaml({ business: businessId(0), size: 100_000 })]]),
    );
    const oneFile = await runChild([
      oneDir,
      '1',
      '100000',
      '--max-bytes',
      String(64 * 1024 * 1024),
    ]);

    const [s1, s10, s100] = sizes.map((size) => summary(size.runs));
    if (!s1 || !s10 || !s100) throw new Error('plan: missing size');
    const single = summary(oneThread);
    const parse = (p: Parser) => median(parsers[p].map((r) => r.totalMs)) / 1000;
    const samples = (p: Parser) => parsers[p].map((r) => r.totalMs / 1000);
    const today = single.wall - parse('yaml3') + parse('yaml2');
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
          note: stagesNote(s),
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
    const hundred = sizes[2] as SizeRun;
    figures.push(
      figure({
        id: 'plan.wall.100000',
        section: SECTION,
        label: '100,000 members (100 files): wall time',
        value: s100.wall,
        unit: 's',
        goal: { on: 'value', op: '<=', target: 2 },
        samples: hundred.runs.map((r) => r.totalMs / 1000),
        note: `${stagesNote(s100)} (worker threads included)`,
      }),
      figure({
        id: 'plan.wall.100000.vsToday',
        section: SECTION,
        label: '100,000 members: wall time vs today’s plan (yaml 2.9.1’s parse in its place)',
        value: s100.wall,
        unit: 's',
        compare: { label: 'one-thread plan − yaml 3 parse + yaml 2.9.1 parse', value: today },
        goal: { on: 'ratio', op: '<=', target: 0.45 },
        note: `today’s plan, rebuilt from this run: the one-thread plan (${single.wall.toFixed(2)} s) with yaml 3’s bare parse of the same files (${parse('yaml3').toFixed(2)} s) replaced by yaml 2.9.1’s (${parse('yaml2').toFixed(2)} s), which was the parser's whole share of it`,
      }),
      figure({
        id: 'plan.wall.100000.vsYaml2',
        section: SECTION,
        label: '100,000 members: wall time vs yaml 2.9.1 parsing the same files alone',
        value: s100.wall,
        unit: 's',
        compare: { label: 'yaml 2.9.1 parse', value: parse('yaml2') },
        note: 'a stricter yardstick: today’s whole plan took longer than its parse alone (7.18 s against 5.77 s in the last run before yaml 3)',
      }),
      figure({
        id: 'plan.floor.100000',
        section: SECTION,
        label: '100,000 members: the floor on this machine (bare parse in threads + plan + render)',
        value: parse('yaml3-threads') + (s100.stages.plan + s100.stages.render) / 1000,
        unit: 's',
        compare: { label: 'the 2 s goal', value: 2 },
        note: `yaml 3's bare parse of the same files split over the worker threads rolecall would start (${parse('yaml3-threads').toFixed(2)} s, start-up included), plus this run's plan and render stages; nothing of rolecall's own per-file work: a plan of these files cannot be faster than this here`,
      }),
      figure({
        id: 'plan.rss.100000',
        section: SECTION,
        label: '100,000 members: peak RSS',
        value: s100.rss,
        unit: 'MiB',
        goal: { on: 'value', op: '<=', target: 400 },
        samples: hundred.runs.map((r) => r.peakRssMiB),
        note: 'whole process (worker threads included): Node itself, the live state the sync would hold, the policies and the plan; no Node flags',
      }),
      figure({
        id: 'plan.heapAfterGc.100000',
        section: SECTION,
        label: '100,000 members: heap retained (after a full GC)',
        value: median(hundred.runs.map((r) => r.heapAfterGcMiB)),
        unit: 'MiB',
        compare: { label: 'peak RSS', value: s100.rss },
        note: 'live state, policies and plan; the rest of the peak is Node itself and garbage not yet collected',
      }),
      figure({
        id: 'plan.oneThread.100000',
        section: SECTION,
        label: '100,000 members in one thread (no worker threads): wall time',
        value: single.wall,
        unit: 's',
        compare: { label: 'with workers', value: s100.wall },
        samples: oneThread.map((r) => r.totalMs / 1000),
        note: `${stagesNote(single)}; peak RSS ${Math.round(single.rss)} MiB`,
      }),
      figure({
        id: 'plan.growth',
        section: SECTION,
        label: 'growth 10k → 100k (wall time)',
        value: s100.wall / s10.wall,
        unit: '×',
        compare: { label: 'linear', value: 10 },
        goal: { on: 'value', op: '<=', target: 11 },
        note: '10,000 members (0.9 MB) are below the worker threshold (1 MiB); 100,000 use them',
      }),
      figure({
        id: 'plan.oneFile.100000',
        section: SECTION,
        label: '100,000 members in one file (size cap raised): wall time',
        value: oneFile.totalMs / 1000,
        unit: 's',
        compare: { label: '100 files', value: s100.wall },
        note: `peak RSS ${Math.round(oneFile.peakRssMiB)} MiB; one file is one worker's work at most`,
      }),
      figure({
        id: 'parse.load.vsYaml3',
        section: PARSE_SECTION,
        label: 'rolecall’s load (read, parse, validate, normalise; workers)',
        value: s100.stages.load / 1000,
        unit: 's',
        compare: { label: 'yaml 3 bare parse', value: parse('yaml3') },
        note: `in one thread: ${(single.stages.load / 1000).toFixed(2)} s (${(single.stages.load / 1000 / parse('yaml3')).toFixed(2)}× the bare parse); the bare parse is parseAllDocuments + LineCounter + toJS with the loader's options`,
      }),
      figure({
        id: 'parse.load.vsThreads',
        section: PARSE_SECTION,
        label: 'rolecall’s load in worker threads vs the bare parse in the same threads',
        value: s100.stages.load / 1000,
        unit: 's',
        compare: { label: 'yaml 3 bare parse in threads', value: parse('yaml3-threads') },
        note: 'what rolecall adds per file (size and nesting pre-scan, mapping guard, duplicate keys, schema, rules, normalisation and its digest, sending the result back), and the reading of the files',
      }),
      figure({
        id: 'parse.yaml3Threads.vsOneThread',
        section: PARSE_SECTION,
        label: 'yaml 3 bare parse split over worker threads (as many as rolecall starts)',
        value: parse('yaml3-threads'),
        unit: 's',
        compare: { label: 'yaml 3 bare parse in one thread', value: parse('yaml3') },
        samples: samples('yaml3-threads'),
        note: `each thread starts, loads yaml and warms its JIT up (its first files take several times a warm one), and two parsing threads share the cores with each other's garbage collection and compilation; CPU ${(median(parsers['yaml3-threads'].map((r) => r.cpuMs)) / 1000).toFixed(2)} s against ${(median(parsers.yaml3.map((r) => r.cpuMs)) / 1000).toFixed(2)} s in one thread`,
      }),
      figure({
        id: 'parse.yaml3.vsJson',
        section: PARSE_SECTION,
        label: 'yaml 3.0.0-2 bare parse',
        value: parse('yaml3'),
        unit: 's',
        compare: { label: 'JSON.parse of the same data', value: parse('json') },
        samples: samples('yaml3'),
        note: `JSON.parse: ${Math.round(parse('json') * 1000)} ms — the floor no YAML parser reaches`,
      }),
      figure({
        id: 'parse.yaml2.vsYaml3',
        section: PARSE_SECTION,
        label: 'yaml 2.9.1 bare parse (rolecall before this change)',
        value: parse('yaml2'),
        unit: 's',
        compare: { label: 'yaml 3.0.0-2', value: parse('yaml3') },
        samples: samples('yaml2'),
      }),
      figure({
        id: 'parse.yaml2NoEnv.vsYaml2',
        section: PARSE_SECTION,
        label: 'yaml 2.9.1 without its per-token env read (the workaround)',
        value: parse('yaml2-no-env'),
        unit: 's',
        compare: { label: 'yaml 2.9.1', value: parse('yaml2') },
        samples: samples('yaml2-no-env'),
        note: `its browser build, which has no process.env read; against yaml 3: ${(parse('yaml2-no-env') / parse('yaml3')).toFixed(2)}×`,
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
      oneThread,
      oneFile,
      parsers,
    };
    return { figures, detail };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
