import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Three projects (`--project NAME` runs one; `npm test` runs all three, after the build):
 *
 * - `unit`: test/unit/, pure and in memory, in worker threads. `npm run test:fast` runs only
 *   this; it needs no build.
 * - `integration`: test/integration/, real servers on loopback, temporary git repositories and
 *   the built CLI, in child processes (forks): a file may change `process.env` for the
 *   children it spawns.
 * - `slow`: property runs, very large inputs and the chaos suite — the files whose cost is the
 *   number of cases, not one behaviour. Picked by name below (files stay in their area).
 *
 * Workers are not isolated: a worker serves file after file without reloading node_modules
 * (octokit, undici, ajv, yaml…), which was most of the suite's CPU time. vitest.fresh-modules.ts
 * re-evaluates rolecall's own modules and the test helpers for each file, so no module state
 * leaks; what a file changes in the process itself (`process.env`, listeners, servers) it must
 * restore or close in `afterAll`, as every file does.
 *
 * No test may depend on how fast the machine is: timing goals live in the benchmark
 * (test/bench/), and timeouts are generous because a loaded two-core machine is ten times
 * slower than an idle one.
 */
const SLOW = [
  'test/unit/**/*-properties.test.ts',
  'test/unit/plan/render-markdown-size.test.ts',
  'test/unit/policy/parse-limits.test.ts',
  // Fast examples, but one property run is most of their time.
  'test/unit/plan/policy-changes.test.ts',
  'test/unit/policy/edit-policy.test.ts',
  'test/unit/apply/order-operations.test.ts',
  'test/unit/canonical.test.ts',
  'test/unit/import/render-imported-policy.test.ts',
  'test/integration/apply/chaos.test.ts',
  'test/integration/policy/validate-in-workers.test.ts',
  // A build, a bundle and an npm install of the packed tarball.
  'test/integration/package/npm-pack.test.ts',
];

// Integration files spend much of their time waiting for child processes (git, the CLI) and
// loopback answers, so one worker more than there are cores keeps the cores busy. (Vitest's
// default, one worker fewer than the cores, runs everything in a single worker on two cores.)
const WORKERS = availableParallelism() + 1;

export default defineConfig({
  // This file lives in test/; the project root is one level up.
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    // Hang guards, not speed limits: beside a CPU hog on two cores, a test that takes 4 s alone
    // (the workflow-trust end-to-end runs, which spawn git, npm and node) took 35–40 s.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: WORKERS,
    isolate: false,
    setupFiles: ['test/vitest.fresh-modules.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: SLOW,
          pool: 'threads',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: SLOW,
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: { name: 'slow', include: SLOW, pool: 'forks' },
      },
    ],
  },
});
