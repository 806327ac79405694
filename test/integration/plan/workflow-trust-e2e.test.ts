/**
 * Issue 13 item 6, end to end: a pull request that changes the policies AND the code around
 * them — `src/cli/main.ts`, `package.json` (install scripts), the setup action and plan.yml
 * itself, each made to leave a marker file when it runs — gets its policy change planned and
 * commented, while none of that code runs in the jobs that hold the FreshBooks and
 * secret-writing credentials.
 *
 * Real parts: a bare "origin" with the pull request at `refs/pull/N/head` (as GitHub has it), the
 * shipped plan.yml and setup action run step by step by workflow-runner.ts (the workflow taken
 * from the default branch, as GitHub does under `pull_request_target`), rolecall built from the
 * default branch, the emulator as FreshBooks, the fake GitHub as GitHub.
 *
 * The controls show the harness would see the attack: the same pull request under plain
 * `pull_request`, and the shipped plan.yml with a checkout of the head, do run its code.
 *
 * Needs `npm run build` (the trusted build the runner links, as other whole-command tests do).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { addStandardTokens } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import {
  createBareRemote,
  createTempRepo,
  type BareRemote,
  type TempRepo,
} from '../../support/temp-repo.js';
import { exampleYaml } from './plan-harness.js';
import {
  workflowAt,
  type Job,
  type Runner,
  type StepResult,
  type Workflow,
} from './workflow-runner.js';
import { pullRequestRunner } from './pull-request-runner.js';

const ENVIRONMENT = 'freshbooks-production';
const SECRET = 'FRESHBOOKS_REFRESH_TOKEN';
const DATE = '2026-11-20T09:00:00Z';
const PLAN_YML = '.github/workflows/plan.yml';
const ACTION_YML = 'action.yml';
const HOLDINGS_YAML = `business: 240341
name: Acme Holdings LLC
members:
  - email: alice@acme.example
    role: admin
  - email: tom@acme.example
    role: employee
`;
/** The policy change of the pull request: a new employee. */
const GRANT = `
  - email: nina@acme.example
    role: employee
    reason: New hire in accounts payable
`;

/** Git subcommands that only read. Anything else in the plan step fails the test. */
const READ_ONLY = new Set([
  'blame',
  'cat-file',
  'diff',
  'for-each-ref',
  'log',
  'ls-files',
  'ls-tree',
  'merge-base',
  'rev-list',
  'rev-parse',
  'show',
  'status',
  'symbolic-ref',
  'version',
]);

let emulator: RunningEmulator;
let gh: FakeGitHub;
let repo: FakeRepo;
let root: string;
let markers: string;
let author: TempRepo;
let origin: BareRemote;
let mainSha: string;
let headSha: string;
let number: number;

beforeAll(async () => {
  if (!existsSync(packagePath('dist', 'cli', 'main.js'))) {
    throw new Error('run `npm run build` first: the runner links the trusted build');
  }
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
});

/** rolecall's own files the default branch carries (the trusted code the jobs build and run). */
function trustedFiles(): Record<string, string> {
  const read = (path: string) => readFileSync(packagePath(path), 'utf8');
  const files: Record<string, string> = {};
  for (const path of [
    '.gitignore',
    'package.json',
    'tsconfig.json',
    'src/cli/main.ts',
    PLAN_YML,
    ACTION_YML,
  ]) {
    files[path] = read(path);
  }
  for (const schema of readdirSync(packagePath('schemas'))) {
    files[`schemas/${schema}`] = read(`schemas/${schema}`);
  }
  return files;
}

/** The attacker's edits: every one leaves `markers/<name>` if it is ever executed. */
function attack(files: Record<string, string>): Record<string, string> {
  const marker = (name: string) => join(markers, name);
  const pkg = JSON.parse(files['package.json'] as string) as { scripts: Record<string, string> };
  pkg.scripts['postinstall'] = `touch ${marker('package-postinstall')}`;
  pkg.scripts['prepare'] = `touch ${marker('package-prepare')} && npm run build`;

  const action = parse(files[ACTION_YML] as string) as {
    runs: { steps: Array<Record<string, unknown>> };
  };
  action.runs.steps.unshift({
    name: 'Exfiltrate',
    shell: 'bash',
    run: `touch ${marker('action')}`,
  });
  for (const step of action.runs.steps) {
    if (typeof step['run'] === 'string') step['run'] = step['run'].replace(' --ignore-scripts', '');
  }

  const workflow = parse(files[PLAN_YML] as string) as Workflow;
  for (const job of Object.values(workflow.jobs)) {
    job.steps.unshift({ name: 'Exfiltrate', run: `touch ${marker('workflow')}` });
  }

  const main = (files['src/cli/main.ts'] as string).replace(
    /^(#!.*\n)/,
    `$1import { writeFileSync as leak } from 'node:fs';\nleak(${JSON.stringify(marker('src'))}, 'pull request code ran');\n`,
  );
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    [ACTION_YML]: stringify(action),
    [PLAN_YML]: stringify(workflow),
    'src/cli/main.ts': main,
  };
}

beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.resetRequests();
  gh.clearRequests();
  root = await mkdtemp(join(tmpdir(), 'rolecall-trust-'));
  markers = join(root, 'markers');
  await mkdir(markers);
  repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2, 8)}`);
  repo.environment(ENVIRONMENT);

  origin = await createBareRemote();
  // actions/checkout fetches a `ref:` by sha; GitHub serves any reachable one.
  await origin.git.raw(['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  author = await createTempRepo({ prefix: 'rolecall-trust-author-' });
  const trusted = trustedFiles();
  mainSha = await author.commit({
    files: {
      ...trusted,
      'policies/acme-books.yaml': await exampleYaml(),
      'policies/acme-holdings.yaml': HOLDINGS_YAML,
    },
    message: 'rolecall and the policies',
    date: DATE,
  });
  await author.git.raw(['push', '--quiet', origin.url, 'main']);

  await author.branch('access-change');
  headSha = await author.commit({
    files: {
      ...attack(trusted),
      'policies/acme-books.yaml': `${await exampleYaml()}${GRANT}`,
    },
    message: 'Hire Nina (and a few other things)',
    date: DATE,
  });
  number = repo.addPullRequest({ author: 'dev', headSha, headRef: 'access-change' });
  // GitHub keeps every pull request's head here; the branch itself is not pushed, so the
  // head is in a checkout only if something fetches it.
  await author.git.raw(['push', '--quiet', origin.url, `access-change:refs/pull/${number}/head`]);
}, 120_000);
afterEach(async () => {
  await author.cleanup();
  await origin.cleanup();
  await rm(root, { recursive: true, force: true });
});

/** A runner for plan.yml's jobs on this pull request, under `event`. */
const runner = (event: 'pull_request_target' | 'pull_request'): Promise<Runner> =>
  pullRequestRunner({
    event,
    root,
    origin: origin.url,
    gh,
    repo,
    emulator,
    number,
    headSha,
    headRef: 'access-change',
    mainSha,
  });

/** The markers left by pull-request code that ran. */
const markersLeft = () => readdirSync(markers).sort();

/** GitHub's choice of workflow file for the event. */
const workflowFor = (event: 'pull_request_target' | 'pull_request') =>
  workflowAt(author.dir, event === 'pull_request' ? headSha : 'main', PLAN_YML);

const sh = (cwd: string, args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function hasCommit(cwd: string, sha: string): boolean {
  try {
    sh(cwd, ['cat-file', '-e', `${sha}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

function step(results: readonly StepResult[], name: RegExp): StepResult {
  const found = results.find((r) => name.test(r.name));
  if (!found) throw new Error(`no step ${String(name)}: ${results.map((r) => r.name).join(', ')}`);
  return found;
}

/** The git subcommand of an argument vector (after `-c k=v` and other global options). */
function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '-c' || arg === '-C') i += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return '';
}

/** Paths a git command names: its pathspecs after `--`, and `rev:path` arguments. */
function pathsNamed(args: readonly string[]): string[] {
  const dash = args.indexOf('--');
  const specs = dash === -1 ? [] : args.slice(dash + 1);
  const revPaths = args
    .slice(0, dash === -1 ? undefined : dash)
    .map((a) => /^[^:\s]+:(?:\.\/)?(.+)$/.exec(a)?.[1])
    .filter((p): p is string => p !== undefined && !p.startsWith('//'));
  return [...specs, ...revPaths];
}

// Each test runs a whole workflow job (git, npm scripts, the built CLI): on a fully loaded
// two-core machine that takes far longer than the 30 s default, so the bound is generous.
describe(
  'plan.yml under pull_request_target: the pull request is data, never code',
  { timeout: 180_000 },
  () => {
    it('plan job: the comment shows the pull request’s grant; nothing it changed outside policies/ ran; the checkout is untouched; git only read policies', async () => {
      const run = await runner('pull_request_target');
      const results = await run.runJob(workflowFor('pull_request_target'), 'plan');
      const failed = results.find((r) => r.code !== 0);
      expect(
        failed,
        failed && `${failed.name}\n${failed.stdout}\n${failed.stderr}`,
      ).toBeUndefined();

      // Nothing the pull request changed outside policies/ was executed.
      expect(markersLeft()).toEqual([]);

      // The checkout is the default branch, exactly as checked out: HEAD, the tree, no stray file.
      expect(sh(run.workspace, ['rev-parse', 'HEAD']).trim()).toBe(mainSha);
      expect(sh(run.workspace, ['status', '--porcelain'])).toBe('');
      expect(await readFile(join(run.workspace, 'src/cli/main.ts'), 'utf8')).toBe(
        readFileSync(packagePath('src/cli/main.ts'), 'utf8'),
      );
      // The head came in as objects, through the workflow's own fetch step.
      const fetch = step(results, /^Fetch the pull request's head/);
      expect(fetch.git.map(subcommand)).toEqual(['fetch']);
      expect(sh(run.workspace, ['rev-parse', 'refs/remotes/rolecall/pr-head']).trim()).toBe(
        headSha,
      );

      // The plan: the pull request's grant, commented; the refresh token rotated in the environment.
      const plan = step(results, /^Plan the changed businesses/);
      expect(plan.stderr).not.toContain('pull request code next to secrets');
      const [comment] = repo.commentsOn(number);
      expect(comment?.body).toContain('### Acme Books Inc. (240340)');
      expect(comment?.body).toMatch(/^➕ `nina@acme\.example` grant employee/mu);
      expect(comment?.body).toContain(`\`policies/acme-books.yaml\` @ \`${headSha.slice(0, 7)}\``);
      expect(repo.secretValue(SECRET, ENVIRONMENT)).toMatch(/\S{24,}/);
      expect(repo.secretValue(SECRET)).toBeNull();

      // rolecall read policy data only: read-only git commands, naming only policies/, and none
      // of the pull request's other files as objects either.
      expect(plan.git.length).toBeGreaterThan(0);
      for (const args of plan.git) {
        expect(READ_ONLY, args.join(' ')).toContain(subcommand(args));
        for (const path of pathsNamed(args))
          expect(path, args.join(' ')).toMatch(/^policies(\/|$)/);
      }
      const others = sh(author.dir, ['ls-tree', '-r', headSha])
        .split('\n')
        .filter((line) => line !== '' && !line.endsWith('\tpolicies/acme-books.yaml'))
        .filter((line) => !line.includes('\tpolicies/'))
        .map((line) => line.split(/\s+/)[2] as string);
      expect(others.length).toBeGreaterThan(5);
      const named = new Set(plan.git.flat());
      expect(others.filter((blob) => named.has(blob))).toEqual([]);
    });

    it('validate job: validates the head’s policies from git objects, with no secret and no pull-request code', async () => {
      const run = await runner('pull_request_target');
      const workflow = workflowFor('pull_request_target');
      expect(JSON.stringify(workflow.jobs['validate'])).not.toContain('secrets.');
      const results = await run.runJob(workflow, 'validate');
      const failed = results.find((r) => r.code !== 0);
      expect(
        failed,
        failed && `${failed.name}\n${failed.stdout}\n${failed.stderr}`,
      ).toBeUndefined();
      expect(markersLeft()).toEqual([]);
      const validate = step(results, /^Validate the pull request's policies/);
      expect(validate.stdout).toContain('0 errors, 0 warnings in 2 files');
      expect(sh(run.workspace, ['rev-parse', 'HEAD']).trim()).toBe(mainSha);
      expect(sh(run.workspace, ['status', '--porcelain'])).toBe('');
      for (const args of validate.git) expect(READ_ONLY).toContain(subcommand(args));
    });

    it('the head is absent until the fetch step: without it, rolecall names the fetch to run', async () => {
      const run = await runner('pull_request_target');
      const workflow = structuredClone(workflowFor('pull_request_target'));
      const job = workflow.jobs['plan'] as Job;
      job.steps = job.steps.filter((s) => !s.run?.includes('git fetch'));
      const results = await run.runJob(workflow, 'plan');
      expect(hasCommit(run.workspace, headSha)).toBe(false);
      const plan = step(results, /^Plan the changed businesses/);
      expect(plan.code).toBe(1);
      expect(plan.stderr).toContain(`commit ${headSha} is not in this clone`);
      expect(plan.stderr).toContain(`refs/pull/${number}/head:refs/remotes/rolecall/pr-head`);
      expect(emulator.control.requests().total).toBe(0);
      expect(markersLeft()).toEqual([]);
    });
  },
);

// Each test runs a whole workflow job (git, npm scripts, the built CLI): on a fully loaded
// two-core machine that takes far longer than the 30 s default, so the bound is generous.
describe(
  'controls: the harness sees pull-request code when a workflow does run it',
  { timeout: 180_000 },
  () => {
    it('the same pull request under plain pull_request runs its own workflow, action, install scripts and src', async () => {
      const run = await runner('pull_request');
      const results = await run.runJob(workflowFor('pull_request'), 'plan');
      // rolecall, even the pull request's own build of it, says what is wrong with this set-up.
      expect(step(results, /^Plan the changed businesses/).stderr).toContain(
        'title=rolecall%3A pull request code next to secrets::',
      );
      expect(markersLeft()).toEqual([
        'action',
        'package-postinstall',
        'package-prepare',
        'src',
        'workflow',
      ]);
    });

    it('the shipped plan.yml with a checkout of the head runs the pull request’s action, scripts and src', async () => {
      const run = await runner('pull_request_target');
      const workflow = structuredClone(workflowFor('pull_request_target'));
      for (const s of (workflow.jobs['plan'] as Job).steps) {
        if (s.uses?.startsWith('actions/checkout@')) {
          s.with = { ...s.with, ref: '${{ github.event.pull_request.head.sha }}' };
        }
      }
      await run.runJob(workflow, 'plan');
      expect(markersLeft()).toEqual(['action', 'package-postinstall', 'package-prepare', 'src']);
    });
  },
);
