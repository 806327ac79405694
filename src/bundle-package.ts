/**
 * Pack step (`npm pack` runs it as `prepack`, after the build): turns the built CLI into the
 * files the npm package ships —
 *
 * - `dist/cli/main.js`, replaced by one self-contained ES module: rolecall and every runtime
 *   dependency, at the versions of this repository's lockfile (its `overrides` included);
 * - `dist/validators/*.cjs`, each made self-contained (ajv's runtime helpers inlined);
 * - `dist/THIRD-PARTY-NOTICES.txt`, the licence of every package bundled.
 *
 * Why a bundle and not `dependencies`: an installed package would resolve its dependencies
 * afresh, without this repository's lockfile or overrides, and today's newest
 * @octokit/request pulls in a module that declares Node.js ≥ 22 — npm would print EBADENGINE
 * on Node 20, which rolecall supports. A bundle installs exactly what was tested, with no
 * install scripts and no network beyond the tarball. The package therefore has no
 * `dependencies`; what it runs is listed in the notices file (and `npm ls` in a checkout).
 *
 * The checkout's own `dist/` is the plain TypeScript build again after `npm pack` (`postpack`
 * rebuilds it); a bundle left there by an interrupted pack behaves the same.
 *
 *   node dist/bundle-package.js [PACKAGE_ROOT]
 */
import {
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { PACKAGE_ROOT } from './paths.js';

// An ES module bundle has no `require`; CommonJS code inside it (simple-git's `debug`,
// libsodium) calls it for Node's built-ins. Give the bundle a real one.
const REQUIRE_SHIM = [
  // The entry is generated (below), so the CLI's own `#!` line is not first: npm's bin needs it.
  '#!/usr/bin/env node',
  `import { createRequire as __rolecallCreateRequire } from 'node:module';`,
  `const require = __rolecallCreateRequire(import.meta.url);`,
].join('\n');

/**
 * The bundle's entry. Policy validation runs the bundle again as a worker thread
 * (src/policy/validate-in-workers.ts); there, `process.argv` is still the CLI's, so the CLI must
 * not start: the worker module serves from its top level, and the CLI is imported only outside
 * such a worker.
 */
const BUNDLE_ENTRY = [
  `import { workerData } from 'node:worker_threads';`,
  `import { WORKER_ROLE } from './policy/validate-in-workers.js';`,
  `if (workerData?.role !== WORKER_ROLE) await import('./cli/main.js');`,
].join('\n');

export async function bundlePackage(root: string = PACKAGE_ROOT): Promise<string[]> {
  const dist = join(root, 'dist');
  const main = join(dist, 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`bundle-package: run \`npm run build\` first (${main})`);
  const inputs = new Set<string>();
  const cli = await build({
    stdin: { contents: BUNDLE_ENTRY, resolveDir: dist, sourcefile: 'rolecall-bundle-entry.js' },
    outfile: main,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.18',
    banner: { js: REQUIRE_SHIM },
    legalComments: 'none',
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
  });
  collect(cli.metafile, inputs);
  const validators = join(dist, 'validators');
  for (const file of readdirSync(validators).filter((name) => name.endsWith('.cjs'))) {
    const path = join(validators, file);
    const result = await build({
      entryPoints: [path],
      outfile: path,
      allowOverwrite: true,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20.18',
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
    });
    collect(result.metafile, inputs);
  }
  // The next `npm run build` (postpack) must write the plain build again, main.js included:
  // without its incremental record, tsc re-emits every file.
  rmSync(join(dist, '.tsbuildinfo'), { force: true });
  const packages = bundledPackages(root, inputs);
  writeFileSync(join(dist, 'THIRD-PARTY-NOTICES.txt'), renderNotices(root, packages));
  return packages;
}

function collect(metafile: Metafile, into: Set<string>): void {
  for (const input of Object.keys(metafile.inputs)) into.add(input);
}

/** The `node_modules` package directories the bundle took code from, sorted. */
function bundledPackages(root: string, inputs: Set<string>): string[] {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const parts = resolve(root, input).split(sep);
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const scoped = parts[at + 1]?.startsWith('@') === true;
    dirs.add(parts.slice(0, at + (scoped ? 3 : 2)).join(sep));
  }
  return [...dirs].sort();
}

function renderNotices(root: string, packageDirs: string[]): string {
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const sections = packageDirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string;
    };
    const licenseFile = readdirSync(dir).find((name) => /^(licen[cs]e|copying)/i.test(name));
    const text = licenseFile
      ? readFileSync(join(dir, licenseFile), 'utf8').trim()
      : `(no licence file; package.json says ${manifest.license ?? 'nothing'})`;
    return `${manifest.name}@${manifest.version} — ${manifest.license ?? 'unknown'}\n\n${text}\n`;
  });
  return [
    `rolecall ${own.version} bundles the following packages into dist/cli/main.js and`,
    `dist/validators/. Their licences follow.`,
    '',
    ...sections.map((section) => `${'-'.repeat(72)}\n${section}`),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  const root = process.argv[2] ? resolve(process.argv[2]) : PACKAGE_ROOT;
  const packages = await bundlePackage(root);
  process.stdout.write(
    `bundled rolecall and ${packages.length} packages into ${join(dirname(join(root, 'dist', 'cli')), 'cli', 'main.js')}\n`,
  );
}
