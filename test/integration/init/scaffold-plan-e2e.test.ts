/**
 * The access repository `rolecall init` writes, run as GitHub would run it: its plan.yml — the
 * scaffold's own file, taken from its default branch — on a pull request that grants access,
 * with rolecall coming from the pinned action `uses: rolecall-dev/rolecall@<sha>` (the runner's
 * action cache, a directory holding rolecall's action.yml and package files), never from the
 * workspace, which holds only policies and workflows.
 *
 * Real parts: a bare "origin" with the pull request at `refs/pull/N/head`, the scaffold's
 * workflow run step by step by workflow-runner.ts, rolecall's trusted build (the runner's npm
 * stand-in installs and builds it at the action's path), the emulator as FreshBooks, the fake
 * GitHub as GitHub. Needs `npm run build`.
 */
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import { pullRequestRunner } from '../plan/pull-request-runner.js';
import { emulatorEnv, rolecall } from '../plan/plan-harness.js';
import { workflowAt, type StepResult } from '../plan/workflow-runner.js';

const ENVIRONMENT = 'freshbooks-production';
const SECRET = 'FRESHBOOKS_REFRESH_TOKEN';
const DATE = '2026-11-20T09:00:00Z';
const SHA = '5ca1ab1e'.repeat(5);
const ACTION = `rolecall-dev/rolecall@${SHA}`;

let emulator: RunningEmulator;
let gh: FakeGitHub;
let repo: FakeRepo;
let root: string;
let actionDir: string;
let author: TempRepo;
let origin: BareRemote;
let mainSha: string;
let headSha: string;
let number: number;

beforeAll(async () => {
  if (!existsSync(packagePath('dist', 'cli', 'main.js'))) {
    throw new Error(
      'run `npm run build` first: the runner builds the action from the trusted build',
    );
  }
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
});

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'rolecall-scaffold-'));
  // The action as the runner downloads it for `uses: OWNER/REPO@SHA`: rolecall's source at that
  // commit. The stand-in npm installs and builds the trusted build there.
  actionDir = join(root, '_actions', 'rolecall-dev', 'rolecall', SHA);
  for (const file of ['action.yml', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    await copyFile(packagePath(file), join(await mkdirp(actionDir), file));
  }
  await cp(packagePath('schemas'), join(actionDir, 'schemas'), { recursive: true });

  author = await createTempRepo({ prefix: 'rolecall-scaffold-author-' });
  emulator.control.loadState(loadDefaultSeed());
  const init = await rolecall({ cwd: author.dir, env: emulatorEnv(emulator) }, [
    'init',
    '--owner',
    '@acme/access-admins',
    '--action',
    ACTION,
  ]);
  if (init.code !== 0) throw new Error(`init failed: ${init.err}`);
  // The refresh token init spent is the sandbox's; the workflow's secret starts afresh.
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.resetRequests();
  gh.clearRequests();

  repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2, 8)}`);
  repo.environment(ENVIRONMENT);
  origin = await createBareRemote();
  await origin.git.raw(['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  const scaffold: Record<string, string> = {};
  for (const path of [
    '.github/workflows/plan.yml',
    '.github/workflows/apply.yml',
    '.github/workflows/drift.yml',
    '.github/workflows/expire.yml',
    '.github/workflows/review.yml',
    '.github/CODEOWNERS',
    '.gitignore',
    'README.md',
    'policies/acme-books-inc.yaml',
    'policies/acme-holdings-llc.yaml',
  ]) {
    scaffold[path] = await readFile(join(author.dir, path), 'utf8');
  }
  mainSha = await author.commit({
    files: scaffold,
    message: 'Our access repository (rolecall init)',
    date: DATE,
  });
  await author.git.raw(['push', '--quiet', origin.url, 'HEAD:main']);
  await author.branch('hire-nina');
  const policy = scaffold['policies/acme-books-inc.yaml'] as string;
  headSha = await author.commit({
    files: {
      'policies/acme-books-inc.yaml': policy.replace(
        /^members:\n/m,
        'members:\n  - email: nina@acme.example\n    role: employee\n    reason: New hire in accounts payable\n',
      ),
    },
    message: 'Hire Nina',
    date: DATE,
  });
  number = repo.addPullRequest({ author: 'dev', headSha, headRef: 'hire-nina' });
  await author.git.raw(['push', '--quiet', origin.url, `hire-nina:refs/pull/${number}/head`]);
}, 120_000);
afterEach(async () => {
  await author.cleanup();
  await origin.cleanup();
  await rm(root, { recursive: true, force: true });
});

async function mkdirp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

const runner = () =>
  pullRequestRunner({
    event: 'pull_request_target',
    root,
    origin: origin.url,
    gh,
    repo,
    emulator,
    number,
    headSha,
    headRef: 'hire-nina',
    mainSha,
    actions: { [ACTION]: actionDir },
  });

const failure = (results: readonly StepResult[]) => {
  const failed = results.find((r) => r.code !== 0);
  return failed && `${failed.name}\n${failed.stdout}\n${failed.stderr}`;
};

describe('an access repository from rolecall init, on GitHub', { timeout: 180_000 }, () => {
  it('plan.yml (the scaffold’s): rolecall comes from the pinned action’s own path, and the grant is planned and commented', async () => {
    const run = await runner();
    const workflow = workflowAt(author.dir, 'main', '.github/workflows/plan.yml');
    const validate = await run.runJob(workflow, 'validate');
    expect(failure(validate)).toBeUndefined();
    const results = await run.runJob(workflow, 'plan');
    expect(failure(results)).toBeUndefined();

    // The tool was built at the action's path; the workspace holds no rolecall at all.
    expect(existsSync(join(actionDir, 'dist', 'cli', 'main.js'))).toBe(true);
    for (const path of ['package.json', 'node_modules', 'dist', 'src']) {
      expect(existsSync(join(run.workspace, path)), path).toBe(false);
    }
    const wrapper = await readFile(join(run.temp, 'rolecall-bin', 'rolecall'), 'utf8');
    expect(wrapper).toContain(join(actionDir, 'dist', 'cli', 'main.js'));

    const [comment] = repo.commentsOn(number);
    expect(comment?.body).toContain('### Acme Books Inc. (240340)');
    expect(comment?.body).toMatch(/^➕ `nina@acme\.example` grant employee/mu);
    expect(repo.secretValue(SECRET, ENVIRONMENT)).toMatch(/\S{24,}/);
  });
});
