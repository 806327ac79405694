/**
 * 5. Cold start, continued — hostile policies fail fast: `rolecall validate` on every file of
 * the hostile corpus (test/fixtures/hostile/) and on a sparse 50 MB file, each as a separate
 * process, against the same command on the valid example policies. The goal — under a second
 * of extra work for the worst file — used to be an assertion in
 * test/integration/cli-hostile.test.ts, where a loaded machine could break it; that test keeps
 * what the files must produce, this measures how fast.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath, PACKAGE_ROOT } from '../../src/paths.js';
import { figure, median, type Figure } from './figures.js';
import { progress } from './support.js';

const SECTION = '5. Cold start';
const CORPUS = 'test/fixtures/hostile';

/** Wall time of `node dist/cli/main.js validate --policies PATH`, which must exit `expected`. */
function validateMs(cli: string, policies: string, expected: number): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, [cli, 'validate', '--policies', policies], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  });
  const ms = performance.now() - started;
  if (child.status !== expected) {
    throw new Error(
      `hostile: validate --policies ${policies} exited ${child.status}: ${child.stderr}`,
    );
  }
  return ms;
}

/** A 50 MB policy, written sparsely: rolecall must refuse it by its size, before reading it. */
async function hugePolicy(dir: string): Promise<string> {
  const path = join(dir, 'huge.yaml');
  const handle = await open(path, 'w');
  await handle.write('business: 1\nname: x\n');
  await handle.truncate(50 * 1024 * 1024);
  await handle.close();
  return path;
}

export async function benchHostile(runs: number): Promise<Figure[]> {
  const cli = packagePath('dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const dir = await mkdtemp(join(tmpdir(), 'rolecall-bench-hostile-'));
  try {
    const names = (await readdir(packagePath(CORPUS))).filter((name) => name !== 'README.md');
    const files = [...names.map((name) => `${CORPUS}/${name}`), await hugePolicy(dir)];
    progress(`hostile policies: ${files.length} files, ${runs} runs each`);
    validateMs(cli, 'policies', 0); // warms the file-system cache
    const valid: number[] = [];
    const extra = new Map<string, number[]>(files.map((file) => [file, []]));
    // Runs alternate with a valid validate, so machine load hits both alike.
    for (let i = 0; i < runs; i++) {
      for (const file of files) {
        const base = validateMs(cli, 'policies', 0);
        valid.push(base);
        extra.get(file)?.push(validateMs(cli, file, 1) - base);
      }
    }
    const perFile = [...extra].map(([file, ms]) => ({ file, s: median(ms) / 1000 }));
    const worst = perFile.reduce((a, b) => (b.s > a.s ? b : a));
    const validS = median(valid) / 1000;
    return [
      figure({
        id: 'hostile.worstExtra',
        section: SECTION,
        label: 'hostile policy: `validate` wall time over a valid one (worst file)',
        value: worst.s,
        unit: 's',
        goal: { on: 'value', op: '<=', target: 1 },
        note: `worst: ${worst.file.startsWith(dir) ? '50 MB file' : worst.file}; ${files.length} files (the hostile corpus and a 50 MB file); \`validate\` on policies/ takes ${Math.round(validS * 1000)} ms`,
      }),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
