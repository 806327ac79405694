/**
 * `npm run bench`: rolecall's benchmarks and performance budget, against the embedded emulator.
 * Prints a table (figure, value, bound or baseline, ratio, goal, result) and writes
 * `test/bench/results.json` with the machine, its load average and every sample.
 *
 *   node --expose-gc dist-bench/test/bench/main.js [--only sync,rate,plan,apply,cold,pr,users]
 *        [--reps N] [--out FILE] [--markdown]
 *   node dist-bench/test/bench/main.js --show test/bench/results.json   (print, run nothing)
 *
 * With `--only`, results are written only when `--out` names a file, so a partial run never
 * overwrites the committed results.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { packagePath, toolVersion } from '../../src/paths.js';
import { benchApply } from './bench-apply.js';
import { benchColdStart } from './bench-cold-start.js';
import { benchHostile } from './bench-hostile.js';
import { benchPlan } from './bench-plan.js';
import { benchPrScope } from './bench-pr-scope.js';
import { benchSyncRate, benchSyncRequests } from './bench-sync.js';
import { benchUsers } from './bench-users.js';
import { renderMarkdownTable, renderTable, type Figure } from './figures.js';
import { loadAverage, machineInfo } from './machine.js';

const SECTIONS = ['sync', 'rate', 'plan', 'apply', 'cold', 'pr', 'users'] as const;
type Section = (typeof SECTIONS)[number];

interface SectionRecord {
  section: Section;
  seconds: number;
  loadBefore: number[] | null;
  loadAfter: number[] | null;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      reps: { type: 'string', default: '3' },
      out: { type: 'string' },
      markdown: { type: 'boolean', default: false },
      show: { type: 'string' },
    },
  });
  if (values.show !== undefined) {
    const saved = JSON.parse(await readFile(values.show, 'utf8')) as { figures: Figure[] };
    process.stdout.write(`${renderTable(saved.figures)}\n${renderMarkdownTable(saved.figures)}`);
    return 0;
  }
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer`);
  const only = values.only?.split(',').map((s) => s.trim()) ?? [...SECTIONS];
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`--only: unknown section ${unknown.join(', ')} (use ${SECTIONS.join(', ')})`);
  const out =
    values.out ??
    (values.only === undefined ? packagePath('test', 'bench', 'results.json') : undefined);

  const machine = machineInfo();
  const loadStart = loadAverage();
  process.stderr.write(
    `rolecall ${toolVersion()} benchmarks on ${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}; load average ${loadStart?.join(' ') ?? 'n/a'}\n`,
  );
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const sections: SectionRecord[] = [];
  const started = performance.now();
  for (const section of SECTIONS) {
    if (!only.includes(section)) continue;
    const loadBefore = loadAverage();
    const t0 = performance.now();
    switch (section) {
      case 'sync':
        figures.push(...(await benchSyncRequests()));
        break;
      case 'rate':
        figures.push(...(await benchSyncRate(reps)));
        break;
      case 'plan': {
        const result = await benchPlan(reps);
        figures.push(...result.figures);
        details['plan'] = result.detail;
        break;
      }
      case 'apply': {
        const result = await benchApply(reps);
        figures.push(...result.figures);
        details['apply'] = result.detail;
        break;
      }
      case 'cold':
        figures.push(...(await benchColdStart(Math.max(10, reps))));
        figures.push(...(await benchHostile(reps)));
        break;
      case 'pr':
        figures.push(...(await benchPrScope()));
        break;
      case 'users':
        figures.push(...(await benchUsers(reps)));
        break;
    }
    sections.push({
      section,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
      loadBefore,
      loadAfter: loadAverage(),
    });
  }
  const loadEnd = loadAverage();
  const goals = figures.filter((f) => f.pass !== undefined);
  const met = goals.filter((f) => f.pass).length;

  process.stdout.write(`\n${renderTable(figures)}\n`);
  process.stdout.write(
    `${met} of ${goals.length} goals met · load average ${loadStart?.join(' ') ?? 'n/a'} at start, ${loadEnd?.join(' ') ?? 'n/a'} at end (${machine.cores} cores) · ${Math.round((performance.now() - started) / 1000)} s\n`,
  );
  for (const f of figures.filter((x) => x.note !== undefined)) {
    process.stdout.write(`  ${f.id}: ${f.note ?? ''}\n`);
  }
  if (values.markdown) process.stdout.write(`\n${renderMarkdownTable(figures)}`);
  if (out !== undefined) {
    const results = {
      version: 1,
      tool: { name: 'rolecall', version: toolVersion() },
      generatedAt: new Date().toISOString(),
      command: 'npm run bench',
      machine,
      loadAverage: { start: loadStart, end: loadEnd, sections },
      goals: { met, total: goals.length },
      figures,
      details,
    };
    await writeFile(out, await formatJson(out, results));
    process.stderr.write(`results written to ${out}\n`);
  }
  return 0;
}

/** The JSON as Prettier writes it (the file is committed and `npm run lint` checks it). */
async function formatJson(path: string, value: unknown): Promise<string> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(path)) ?? {};
    return await prettier.format(text, { ...options, filepath: path });
  } catch {
    return text;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
