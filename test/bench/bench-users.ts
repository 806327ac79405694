/**
 * 7. What users wait on: a repository of 200 business policies of 50 people each (an
 * accounting firm's), against the emulator with 20 ms of latency.
 *
 * - `rolecall plan` of the whole repository at the client's default rate budget (4 requests/s,
 *   burst 4), in process: its wall time against the rate-limit floor, the time the budget alone
 *   imposes on the requests the emulator counted. Everything rolecall does locally (loading,
 *   blaming 200 files for grant times, diffing, rendering) is what it adds.
 * - `rolecall plan --changed-since main` for a branch that changes one business, the plan a
 *   pull request runs, as a process: against `rolecall validate` of the same repository, which
 *   reads and validates the same 200 files and talks to nobody.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { startEmulator } from '../../src/emulator/index.js';
import { DEFAULT_BURST, DEFAULT_RATE } from '../../src/freshbooks/connect.js';
import { packagePath } from '../../src/paths.js';
import { createTempRepo } from '../support/temp-repo.js';
import { figure, median, type Figure } from './figures.js';
import { countRequests, emulatorEnv, progress, quietIo, timed } from './support.js';
import { BENCH_NOW, businessId, emailOf, policyYaml, syncSeed } from './synthetic.js';

const SECTION = '7. What users wait on (200 businesses × 50 members)';
const BUSINESSES = 200;
const TEAM = 50;
const LATENCY_MS = 20;
/** The business the pull request touches. */
const TOUCHED = 100;

export async function benchUsers(repetitions: number): Promise<Figure[]> {
  const teams = Array.from({ length: BUSINESSES }, () => TEAM);
  const emulator = await startEmulator({ seed: syncSeed(teams), latencyMs: LATENCY_MS });
  const repo = await createTempRepo({ prefix: 'rolecall-bench-users-' });
  try {
    const files: Record<string, string> = {};
    for (let i = 0; i < BUSINESSES; i++) {
      const business = businessId(i);
      files[`policies/client-${business}.yaml`] = policyYaml({ business, size: TEAM });
    }
    await repo.commit({ files, message: 'Add 200 client policies', date: '2026-04-20T00:00:00Z' });
    await repo.branch('add-one-person');
    const touched = businessId(TOUCHED);
    const path = `policies/client-${touched}.yaml`;
    await repo.commit({
      files: {
        [path]: `${files[path] ?? ''}  - email: ${emailOf(touched, TEAM + 1)}\n    role: employee\n    reason: Joins accounts payable\n`,
      },
      message: 'Grant one person',
      date: '2026-04-28T00:00:00Z',
    });

    const env = { ...emulatorEnv(emulator), ROLECALL_NOW: BENCH_NOW.toISOString() };
    const store = `file:${join(repo.dir, '.rolecall', 'credentials.json')}`;
    const walls: number[] = [];
    const floors: number[] = [];
    const requests: number[] = [];
    for (let rep = 0; rep < repetitions; rep++) {
      progress(
        `plan of ${BUSINESSES} × ${TEAM} at the default rate (${DEFAULT_RATE}/s), run ${rep + 1} of ${repetitions}`,
      );
      emulator.control.resetRequests();
      const io = quietIo(repo.dir, env);
      const { value: code, ms } = await timed(() => main(['plan', '--token-store', store], io));
      if (code !== 0 && code !== 2)
        throw new Error(`rolecall plan exited ${code}:\n${io.output()}`);
      const counted = countRequests(emulator).total;
      walls.push(ms / 1000);
      requests.push(counted);
      // The bucket starts full: `burst` requests at once, then one per 1/rate, and the last
      // answer one latency later.
      floors.push(Math.max(0, counted - DEFAULT_BURST) / DEFAULT_RATE + LATENCY_MS / 1000);
    }

    progress(`plan --changed-since main and validate as processes, ${repetitions} runs each`);
    const cli = packagePath('dist', 'cli', 'main.js');
    const processEnv = { PATH: process.env['PATH'] ?? '', HOME: repo.dir, ...env };
    // Asynchronous: the emulator answers from this process's event loop.
    const wallOf = (args: string[], ok: number[]): Promise<number> =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, [cli, ...args], {
          cwd: repo.dir,
          env: processEnv,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
          if (ok.includes(code ?? -1)) resolve((performance.now() - started) / 1000);
          else reject(new Error(`rolecall ${args.join(' ')} exited ${code}: ${err}`));
        });
      });
    const pr: number[] = [];
    const validate: number[] = [];
    await wallOf(['validate'], [0]); // warms the file-system cache
    for (let rep = 0; rep < repetitions; rep++) {
      pr.push(await wallOf(['plan', '--changed-since', 'main', '--token-store', store], [0, 2]));
      validate.push(await wallOf(['validate'], [0]));
    }

    const wall = median(walls);
    const floor = median(floors);
    return [
      figure({
        id: 'users.plan200x50.vsFloor',
        section: SECTION,
        label: `rolecall plan at the default rate (${DEFAULT_RATE}/s): wall time`,
        value: wall,
        unit: 's',
        compare: { label: `rate-limit floor, ${median(requests)} req`, value: floor },
        goal: { on: 'ratio', op: '<=', target: 1.1 },
        samples: walls,
        note: `${(wall - floor).toFixed(1)} s over the floor: loading and blaming ${BUSINESSES} files, the diff and the rendering, and the answers' latency; requests counted by the emulator, the OAuth token request included`,
      }),
      figure({
        id: 'users.prPlan.vsValidate',
        section: SECTION,
        label: 'plan --changed-since main (a pull request’s plan, 1 business): process wall time',
        value: median(pr),
        unit: 's',
        compare: { label: 'validate of the same repository', value: median(validate) },
        samples: pr,
        note: `both read and validate all ${BUSINESSES} files; the plan also blames them (grant times) and reads one business from FreshBooks`,
      }),
    ];
  } finally {
    await emulator.close();
    await repo.cleanup();
  }
}
