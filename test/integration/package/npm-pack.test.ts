/**
 * rolecall as a user installs it: `npm pack` of this source (its prepack: build, then the
 * one-file bundle), the tarball installed into an empty directory outside the checkout, and
 * the installed `rolecall` driving a whole first day there — `rolecall emulator`, `init`
 * (importing the sandbox's businesses), `validate`, `plan`, `apply`, and a plan that is empty
 * afterwards. Nothing here uses the checkout's dist/ or node_modules at run time.
 *
 * The source is copied first, so that packing (which rebuilds dist/) never touches the
 * checkout other tests are running from. Slow project: a build and an npm install.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagePath } from '../../../src/paths.js';

const SOURCES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'README.md',
  'LICENSE',
  'action.yml',
  'src',
  'schemas',
  'policies',
  '.github/workflows',
  '.github/ISSUE_TEMPLATE',
];

interface Run {
  code: number;
  out: string;
  err: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...cleanEnv(), ...options.env },
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, out, err) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
      },
    );
  });
}

/** What a user's shell has: no FRESHBOOKS_* or ROLECALL_* of the developer's, no vitest. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(FRESHBOOKS_|ROLECALL_|BATON_|GITHUB_|VITEST|npm_)/.test(name))
      continue;
    env[name] = value;
  }
  return env;
}

let root: string;
let tarball: string;
let app: string;
let install: Run;
let emulator: ChildProcess | undefined;
const sandbox: Record<string, string> = {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rolecall-pack-'));
  const source = join(root, 'source');
  for (const path of SOURCES) {
    await cp(packagePath(path), join(source, path), { recursive: true });
  }
  // Dependencies for the build only (esbuild, typescript, the libraries it bundles).
  await symlink(packagePath('node_modules'), join(source, 'node_modules'), 'dir');
  const pack = await run('npm', ['pack', '--json', '--pack-destination', root], { cwd: source });
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.err}`);
  const [packed] = JSON.parse(pack.out.slice(pack.out.indexOf('['))) as Array<{ filename: string }>;
  tarball = join(root, packed?.filename ?? 'missing.tgz');

  app = join(root, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), '{ "name": "our-access", "private": true }\n');
  install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', tarball],
    { cwd: app },
  );
}, 600_000);

afterAll(async () => {
  // npx runs rolecall as its child: stop the whole process group.
  if (emulator?.pid !== undefined) process.kill(-emulator.pid, 'SIGTERM');
  if (root) await rm(root, { recursive: true, force: true });
});

const rolecall = (args: string[], cwd = app, env: Record<string, string> = {}) =>
  run('npx', ['--no', '--', 'rolecall', ...args], { cwd, env });

describe('npm pack: the installable package', { timeout: 300_000 }, () => {
  it('installs from the tarball alone: no dependencies to fetch, no EBADENGINE, no install script warning', async () => {
    expect(install.code, install.err).toBe(0);
    expect(install.out + install.err).not.toMatch(/EBADENGINE|deprecated|install-scripts/i);
    expect((await readdir(join(app, 'node_modules'))).filter((n) => !n.startsWith('.'))).toEqual([
      'rolecall',
    ]);
    const installed = join(app, 'node_modules', 'rolecall');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(manifest.dependencies ?? {}).toEqual({});
    // The bundle names what it carries, with the licences.
    const notices = await readFile(join(installed, 'dist', 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    for (const name of ['octokit@', 'yaml@', 'ajv@', 'undici@', 'simple-git@', 'libsodium']) {
      expect(notices).toContain(name);
    }
    // The schema is where editors and the yaml-language-server header find it.
    const schema = JSON.parse(
      await readFile(join(installed, 'schemas', 'policy.schema.json'), 'utf8'),
    ) as { $schema?: string };
    expect(schema.$schema).toContain('2020-12');
  });

  it('npx rolecall --help and a policy error work without the source tree', async () => {
    const help = await rolecall(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^ {2}init +scaffold an access repository/m);
    await writeFile(join(root, 'bad.yaml'), 'business: 1\nmembers:\n  - email: nobody\n');
    const bad = await rolecall(['validate', '--policies', join(root, 'bad.yaml')]);
    expect(bad.code).toBe(1);
    expect(bad.out + bad.err).toMatch(/bad\.yaml:3:\d+/);
    expect(bad.out + bad.err).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    // The github-secret token store is inside the bundle too (it fails on the missing token,
    // not on a missing module).
    const store = await rolecall(['auth', 'status', '--token-store', 'github-secret:X']);
    expect(store.code).toBe(1);
    expect(store.err).not.toContain('not available in this build');
  });

  it('validates a large repository in worker threads: the bundle serves as its own worker', async () => {
    // 16 policies of 1,500 people (1.3 MB): enough for worker threads; one mistake in one file.
    const large = join(root, 'large');
    await mkdir(large);
    for (let b = 0; b < 16; b++) {
      const lines = [`business: ${100 + b}`, 'members:'];
      for (let i = 0; i < 1500; i++)
        lines.push(`  - email: p${i}@b${b}.example`, '    role: employee');
      if (b === 9) lines.push('  - email: p3@b9.example', '    role: admin');
      await writeFile(join(large, `client-${b}.yaml`), `${lines.join('\n')}\n`);
    }
    const validate = await rolecall(['validate', '--policies', large]);
    expect(validate.code, validate.err).toBe(1);
    expect(validate.out).toMatch(
      /client-9\.yaml:3003:\d+: error ROLE_CONFLICT p3@b9\.example gets two roles/,
    );
    expect(validate.out).toMatch(/1 error, 0 warnings in 16 files\n$/);
    // A worker that failed (the CLI starting in it, say) would be said on stderr.
    expect(validate.err).toBe('');

    // The installed bundle, run as a worker thread, answers a file the way the policy workers do.
    const bundle = join(app, 'node_modules', 'rolecall', 'dist', 'cli', 'main.js');
    const limits = { maxFileBytes: 1024 * 1024, maxAliasCount: 100, maxDepth: 32, maxIndent: 200 };
    const worker = new Worker(bundle, {
      workerData: {
        role: 'rolecall-policy-worker',
        limits,
        now: Date.parse('2026-11-29T12:00:00Z'),
      },
      stdout: true,
    });
    let printed = '';
    worker.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const answer = await new Promise<{
      index: number;
      outcome: { errors: unknown[]; policy?: { businessId: number } };
    }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage({
        index: 7,
        source: {
          file: 'p.yaml',
          text: 'business: 5\nmembers:\n  - email: a@b.example\n    role: employee\n',
        },
      });
    });
    await worker.terminate();
    expect(answer.index).toBe(7);
    expect(answer.outcome.errors).toEqual([]);
    expect(answer.outcome.policy?.businessId).toBe(5);
    // …and the CLI did not start in it (it would have printed its usage).
    expect(printed).toBe('');
  });

  it('a first day: emulator, init, validate, plan, apply, and an empty plan after', async () => {
    emulator = spawn('npx', ['--no', '--', 'rolecall', 'emulator'], {
      cwd: app,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    const lines = createInterface({ input: emulator.stdout as NodeJS.ReadableStream });
    for await (const line of lines) {
      const m = /^export (FRESHBOOKS_[A-Z_]+)=(.+)$/.exec(line);
      if (m) sandbox[m[1] as string] = m[2] as string;
      if (Object.keys(sandbox).length === 4) break;
    }
    expect(Object.keys(sandbox).sort()).toEqual([
      'FRESHBOOKS_API_URL',
      'FRESHBOOKS_CLIENT_ID',
      'FRESHBOOKS_CLIENT_SECRET',
      'FRESHBOOKS_REFRESH_TOKEN',
    ]);

    const repo = join(app, 'access');
    await mkdir(repo);
    const init = await rolecall(['init', '--owner', '@acme/finance'], repo, sandbox);
    expect(init.code, init.err).toBe(0);
    expect(init.out).toContain('policies/acme-books-inc.yaml');
    expect(init.out).toMatch(/workflows pinned to rolecall-dev\/rolecall@\S+/);
    const workflow = await readFile(join(repo, '.github', 'workflows', 'plan.yml'), 'utf8');
    expect(workflow).toMatch(/- uses: rolecall-dev\/rolecall@\S+ # v\d+\.\d+\.\d+/);
    const policy = await readFile(join(repo, 'policies', 'acme-books-inc.yaml'), 'utf8');
    // No schemas/ in this repository and rolecall is installed outside it: the release URL.
    expect(policy.split('\n')[0]).toMatch(
      /^# yaml-language-server: \$schema=https:\/\/raw\.githubusercontent\.com\/rolecall-dev\/rolecall\/v[\d.]+\/schemas\/policy\.schema\.json$/,
    );

    const validate = await rolecall(['validate'], repo, sandbox);
    expect(validate.code, validate.err).toBe(0);
    const empty = await rolecall(['plan', '--detailed-exitcode'], repo, sandbox);
    expect(empty.code, empty.err).toBe(0);

    // A change: Nina joins Acme Books as an employee.
    await writeFile(
      join(repo, 'policies', 'acme-books-inc.yaml'),
      policy.replace(
        /^members:\n/m,
        'members:\n  - email: nina@acme.example\n    role: employee\n    reason: New hire\n',
      ),
    );
    const plan = await rolecall(
      ['plan', '--out', 'plan.json', '--detailed-exitcode'],
      repo,
      sandbox,
    );
    expect(plan.code, plan.err).toBe(2);
    expect(plan.out).toContain('nina@acme.example');
    const apply = await rolecall(['apply', 'plan.json', '--yes'], repo, sandbox);
    expect(apply.code, apply.err).toBe(0);
    const after = await rolecall(['plan', '--detailed-exitcode'], repo, sandbox);
    expect(after.code, after.out + after.err).toBe(0);
    // The refresh token was rotated into the repository's own .rolecall/, never printed.
    for (const r of [init, validate, plan, apply, after]) {
      expect(r.out + r.err).not.toContain(sandbox['FRESHBOOKS_CLIENT_SECRET']);
      expect(r.out + r.err).not.toContain(sandbox['FRESHBOOKS_REFRESH_TOKEN']);
    }
  });
});
