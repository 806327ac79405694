/**
 * 5. Cold start, continued — hostile policies fail fast: `rolecall validate` on every file of
 * the hostile corpus (test/fixtures/hostile/), on a sparse 50 MB file and on two files of one
 * 90,000-key mapping (one with a key twice), each as a separate process, against the same command on the valid example policies. The goal — under a second
 * of extra work for the worst file — used to be an assertion in
 * test/integration/cli-hostile.test.ts, where a loaded machine could break it; that test keeps
 * what the files must produce, this measures how fast.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
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

/**
 * One mapping of 90,000 keys (0.9 MB), and the same with a key twice: yaml 3 compares each key
 * with every one before it, so the loader refuses such a file before composing it.
 */
async function wideMappings(dir: string): Promise<string[]> {
  const keys = Array.from({ length: 90_000 }, (_, i) => `k${i}: 1`).join('\n');
  const paths = [join(dir, 'wide.yaml'), join(dir, 'wide-twice.yaml')];
  await writeFile(paths[0] as string, `business: 1\n${keys}\n`);
  await writeFile(paths[1] as string, `business: 1\n${keys}\nk5: 2\n`);
  return paths;
}

export async function benchHostile(runs: number): Promise<Figure[]> {
  const cli = packagePath('dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const dir = await mkdtemp(join(tmpdir(), 'rolecall-bench-hostile-'));
  try {
    const names = (await readdir(packagePath(CORPUS))).filter((name) => name !== 'README.md');
    const files = [
      ...names.map((name) => `${CORPUS}/${name}`),
      await hugePolicy(dir),
      ...(await wideMappings(dir)),
    ];
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
        note: `worst: ${worst.file.startsWith(dir) ? worst.file.slice(dir.length + 1) : worst.file}; ${files.length} files (the hostile corpus, a 50 MB file, two of a 90,000-key mapping); \`validate\` on policies/ takes ${Math.round(validS * 1000)} ms`,
      }),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
