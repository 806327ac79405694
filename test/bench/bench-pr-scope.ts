/**
 * 6. Pull-request scope: a repository of 200 business policies where a branch changes one
 * file. `rolecall plan --changed-since main` must read only that business (users/me and its
 * pages); a full `rolecall plan` reads all 200. Both run in-process through `main()`, with the
 * environment pointing at the emulator and a temporary token store; the emulator counts.
 */
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { startEmulator } from '../../src/emulator/index.js';
import { createTempRepo } from '../support/temp-repo.js';
import { minimumRequests } from './bench-sync.js';
import { figure, type Figure } from './figures.js';
import { countRequests, emulatorEnv, progress, quietIo, timed } from './support.js';
import { BENCH_NOW, businessId, emailOf, policyYaml, syncSeed } from './synthetic.js';

const SECTION = '6. Pull-request scope';
const BUSINESSES = 200;
const TEAM = 40;
/** The one business the pull request touches. */
const TOUCHED = 100;

export async function benchPrScope(): Promise<Figure[]> {
  progress(`pull-request scope: ${BUSINESSES} policy files`);
  const teams = Array.from({ length: BUSINESSES }, () => TEAM);
  const emulator = await startEmulator({ seed: syncSeed(teams) });
  const repo = await createTempRepo({ prefix: 'rolecall-bench-pr-' });
  try {
    const files: Record<string, string> = {};
    for (let i = 0; i < BUSINESSES; i++) {
      const business = businessId(i);
      files[`policies/client-${business}.yaml`] = policyYaml({ business, size: TEAM });
    }
    // Commit dates near "now": maxDuration is measured from the commit that granted.
    await repo.commit({ files, message: 'Add 200 client policies', date: '2026-04-20T00:00:00Z' });
    await repo.branch('add-one-person');
    const touched = businessId(TOUCHED);
    const path = `policies/client-${touched}.yaml`;
    const edited = `${files[path] ?? ''}  - email: ${emailOf(touched, TEAM + 1)}\n    role: employee\n    reason: Joins accounts payable\n`;
    await repo.commit({
      files: { [path]: edited },
      message: 'Grant one person',
      date: '2026-04-28T00:00:00Z',
    });

    const env = { ...emulatorEnv(emulator), ROLECALL_NOW: BENCH_NOW.toISOString() };
    const store = `file:${join(repo.dir, '.rolecall', 'credentials.json')}`;
    const plan = async (scope: string[]) => {
      emulator.control.resetRequests();
      const io = quietIo(repo.dir, env);
      const { value: code, ms } = await timed(() =>
        main(['plan', ...scope, '--token-store', store, '--rate', '1000'], io),
      );
      if (code !== 0)
        throw new Error(`rolecall plan ${scope.join(' ')} exited ${code}:\n${io.output()}`);
      return { ms, ...countRequests(emulator) };
    };
    const scoped = await plan(['--changed-since', 'main']);
    const full = await plan([]);
    const minimumOne = minimumRequests([TEAM]);
    return [
      figure({
        id: 'prScope.changedSince',
        section: SECTION,
        label: `plan --changed-since main (1 of ${BUSINESSES} files changed): API requests`,
        value: scoped.api,
        unit: 'req',
        compare: { label: 'that business alone: 1 + ⌈40/100⌉', value: minimumOne },
        goal: { on: 'ratio', op: '=', target: 1 },
        note: `plus ${scoped.token} OAuth token request`,
      }),
      figure({
        id: 'prScope.changedSince.wall',
        section: SECTION,
        label: 'plan --changed-since main: wall time',
        value: scoped.ms / 1000,
        unit: 's',
        compare: { label: 'full plan', value: full.ms / 1000 },
        note: 'both validate all 200 files and blame them for grant times (maxDuration); the scoped plan then reads one business',
      }),
      figure({
        id: 'prScope.full',
        section: SECTION,
        label: 'full plan of the same repository: API requests',
        value: full.api,
        unit: 'req',
        compare: { label: 'minimum for 200 × 40', value: minimumRequests(teams) },
        goal: { on: 'ratio', op: '=', target: 1 },
        note: `${(full.ms / 1000).toFixed(2)} s wall; the scoped plan costs ${((scoped.api / full.api) * 100).toFixed(1)}% of its requests`,
      }),
    ];
  } finally {
    await emulator.close();
    await repo.cleanup();
  }
}
