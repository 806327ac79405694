/**
 * A small stand-in for the Actions runner, enough to run the shipped plan.yml jobs against real
 * parts and see what code they execute: the workflow file is taken where GitHub takes it for the
 * event (the default branch under `pull_request_target`, the pull request under
 * `pull_request`), `actions/checkout` is a clone of a bare "origin" (with `ref:` honoured),
 * `uses: ./…` runs the composite action *from the checked-out workspace*, `uses: OWNER/REPO@REF`
 * runs it from the directory the test maps that reference to (the runner's action cache), with
 * GITHUB_ACTION_PATH set to the action's directory, and every `run:` is executed by bash with
 * the step's `env:` — so whatever the checkout and the action contain is what runs.
 *
 * Not emulated, on purpose and visibly: `actions/setup-node` (Node is here), artifact uploads,
 * and the network. `npm` is a stand-in on PATH that keeps npm's contract where it matters here:
 * `npm ci` runs the package's install scripts (preinstall, install, postinstall, prepare)
 * unless `--ignore-scripts`, then provides the dependencies (the trusted install, linked);
 * `npm run build` "builds" the workspace — rolecall's trusted build with every TypeScript file
 * the workspace has under src/ transpiled over it — when package.json's build script is
 * rolecall's own, and otherwise runs the script; any other `npm run X` runs the script. A `git`
 * shim logs every git command a step runs, for the "reads policy data only" assertions.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packagePath } from '../../../src/paths.js';

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  'working-directory'?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
export interface Job {
  steps: Step[];
  [key: string]: unknown;
}
export interface Workflow {
  on: unknown;
  jobs: Record<string, Job>;
}

export interface StepResult {
  name: string;
  /** `run` (a script), `checkout`, `action` (a local action's step) or `skipped`. */
  kind: 'run' | 'checkout' | 'skipped';
  code: number;
  stdout: string;
  stderr: string;
  /** Every git command the step ran (argument vectors), through the shim. */
  git: string[][];
}

export interface Runner {
  /** GITHUB_WORKSPACE: the checkout. */
  workspace: string;
  /** RUNNER_TEMP. */
  temp: string;
  /** Runs one job of `workflow`; stops at the first failing step, as Actions does. */
  runJob(workflow: Workflow, job: string): Promise<StepResult[]>;
}

export interface RunnerOptions {
  /** Scratch directory of this run (workspace, temp and the PATH stand-ins go below it). */
  root: string;
  /** The bare repository `actions/checkout` clones (its `origin`). */
  origin: string;
  /** The default branch, cloned first. */
  defaultBranch: string;
  /**
   * What a checkout without `ref:` checks out, when not the default branch: under
   * `pull_request` GitHub checks out the pull request (`refs/pull/N/merge`).
   */
  defaultRef?: string;
  /** Runner-level environment (GITHUB_*, and the test's endpoints). */
  env: Record<string, string>;
  /** `${{ … }}` values by expression text (`github.token`, `secrets.X`, …). */
  expressions: Record<string, string>;
  /** Remote actions: `OWNER/REPO@REF` → the directory holding that action's source. */
  actions?: Record<string, string>;
}

/** Parses `${{ expr }}` occurrences with the given values; an unknown expression is an error. */
export function evaluate(value: unknown, expressions: Record<string, string>): string {
  return String(value).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    const found = expressions[expr];
    if (found === undefined) throw new Error(`runner: no value for \${{ ${expr} }}`);
    return found;
  });
}

/** A workflow file as GitHub would read it: `path` at `rev` of the repository `gitDir`. */
export function workflowAt(gitDir: string, rev: string, path: string): Workflow {
  return parse(git(gitDir, ['show', `${rev}:${path}`])) as Workflow;
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number; stdout: string; stderr: string }> {
  // Asynchronous: the emulator and the fake GitHub answer from this very process.
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { ...options, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const NPM_STAND_IN = `#!/usr/bin/env node
// npm, as far as the trust tests need it (workflow-runner.ts explains).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
const TRUSTED = ${JSON.stringify(packagePath())};
const [command, ...rest] = process.argv.slice(2);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const trustedPkg = JSON.parse(readFileSync(join(TRUSTED, 'package.json'), 'utf8'));
const script = (name) => execSync(pkg.scripts[name], { stdio: 'inherit', shell: '/bin/sh' });
if (command === 'ci') {
  if (!rest.includes('--ignore-scripts')) {
    for (const name of ['preinstall', 'install', 'postinstall', 'prepare']) if (pkg.scripts?.[name]) script(name);
  }
  mkdirSync('node_modules', { recursive: true });
  for (const entry of readdirSync(join(TRUSTED, 'node_modules'))) {
    if (!existsSync(join('node_modules', entry))) symlinkSync(join(TRUSTED, 'node_modules', entry), join('node_modules', entry));
  }
} else if (command === 'run' && rest[0] === 'build' && pkg.scripts?.build === trustedPkg.scripts.build) {
  const ts = createRequire(join(TRUSTED, 'package.json'))('typescript');
  cpSync(join(TRUSTED, 'dist'), 'dist', { recursive: true });
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
  for (const file of existsSync('src') ? walk('src') : []) {
    const out = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const target = join('dist', relative('src', file)).replace(/\\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out);
  }
} else if (command === 'run' && pkg.scripts?.[rest[0]]) {
  script(rest[0]);
} else {
  console.error('npm stand-in: unsupported: npm ' + process.argv.slice(2).join(' '));
  process.exit(1);
}
`;

function gitShim(realGit: string): string {
  return `#!/bin/sh
# Logs each git command (arguments separated by US, one command a line), then runs git.
if [ -n "$ROLECALL_TEST_GIT_LOG" ]; then
  { for a in "$@"; do printf '%s\\037' "$a"; done; printf '\\n'; } >> "$ROLECALL_TEST_GIT_LOG"
fi
exec ${realGit} "$@"
`;
}

export async function createRunner(options: RunnerOptions): Promise<Runner> {
  const workspace = join(options.root, 'workspace');
  const temp = join(options.root, 'runner-temp');
  const bin = join(options.root, 'stand-ins');
  // The runner creates the (empty) workspace before the first step, checkout or not.
  await mkdir(workspace, { recursive: true });
  await mkdir(temp, { recursive: true });
  await mkdir(bin, { recursive: true });
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  await writeFile(join(bin, 'npm'), NPM_STAND_IN);
  await writeFile(join(bin, 'git'), gitShim(realGit));
  await chmod(join(bin, 'npm'), 0o755);
  await chmod(join(bin, 'git'), 0o755);
  const githubPath = join(temp, 'github-path');
  let path = `${bin}:${process.env['PATH'] ?? ''}`;
  let cloned = false;
  let logCount = 0;

  const expressions = {
    ...options.expressions,
    'github.workspace': workspace,
    'runner.temp': temp,
  };

  async function shell(
    step: Step,
    script: string,
    stepEnv: Record<string, unknown>,
    actionPath: string | undefined,
  ) {
    const log = join(temp, `git-${(logCount += 1)}.log`);
    await writeFile(log, '');
    await writeFile(githubPath, '');
    const env: Record<string, string> = {
      ...baseEnv(process.env),
      ...options.env,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: temp,
      GITHUB_PATH: githubPath,
      ROLECALL_TEST_GIT_LOG: log,
      PATH: path,
      ...(actionPath === undefined ? {} : { GITHUB_ACTION_PATH: actionPath }),
    };
    for (const [name, value] of Object.entries(stepEnv)) env[name] = evaluate(value, expressions);
    const cwd = step['working-directory']
      ? evaluate(step['working-directory'], expressions)
      : workspace;
    const result = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
    });
    // `echo DIR >> "$GITHUB_PATH"` puts DIR first on PATH for the following steps.
    const added = (await readFile(githubPath, 'utf8')).split('\n').filter(Boolean);
    for (const dir of added) path = `${dir}:${path}`;
    const git = (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\x1f').slice(0, -1));
    return { ...result, git };
  }

  async function checkout(step: Step): Promise<StepResult> {
    const ref =
      step.with?.['ref'] === undefined
        ? (options.defaultRef ?? null)
        : evaluate(step.with['ref'], expressions);
    if (!cloned) {
      // --no-local: objects come over the git protocol (only what the refs reach), not as a
      // copy of origin's object store that would hold every pull request's head already.
      git(options.root, ['clone', '--quiet', '--no-local', '--no-tags', options.origin, workspace]);
      git(workspace, ['checkout', '--quiet', options.defaultBranch]);
      cloned = true;
    }
    if (ref !== null) {
      // What actions/checkout does with `ref:`: fetch it, check it out (detached).
      git(workspace, ['fetch', '--quiet', '--no-tags', 'origin', ref]);
      git(workspace, ['checkout', '--quiet', '--detach', 'FETCH_HEAD']);
    }
    return {
      name: step.name ?? 'checkout',
      kind: 'checkout',
      code: 0,
      stdout: '',
      stderr: '',
      git: [],
    };
  }

  async function steps(
    list: readonly Step[],
    results: StepResult[],
    actionPath?: string,
  ): Promise<boolean> {
    for (const step of list) {
      const name = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? '?';
      // A local action is read from the workspace (whatever the checkout put there); a remote
      // one from the runner's action cache.
      const dir = step.uses?.startsWith('./')
        ? join(workspace, step.uses)
        : step.uses === undefined
          ? undefined
          : options.actions?.[step.uses];
      if (step.uses?.startsWith('actions/checkout@')) {
        results.push(await checkout(step));
      } else if (dir !== undefined) {
        const action = parse(await readFile(join(dir, 'action.yml'), 'utf8')) as {
          runs: { steps: Step[] };
        };
        if (!(await steps(action.runs.steps, results, dir))) return false;
      } else if (step.uses !== undefined) {
        results.push({ name, kind: 'skipped', code: 0, stdout: '', stderr: '', git: [] });
      } else if (step.run !== undefined) {
        const result = await shell(step, step.run, step.env ?? {}, actionPath);
        results.push({ name, kind: 'run', ...result });
        if (result.code !== 0) return false;
      }
    }
    return true;
  }

  return {
    workspace,
    temp,
    async runJob(workflow, job) {
      const found = workflow.jobs[job];
      if (!found) throw new Error(`runner: no job ${job}`);
      const results: StepResult[] = [];
      await steps(found.steps, results);
      return results;
    },
  };
}

/**
 * The little a step inherits from this process: a runner's job starts from a clean
 * environment, and a real CI's GITHUB_* or a developer's FRESHBOOKS_* must not leak in.
 */
function baseEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'USER', 'SHELL']) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
