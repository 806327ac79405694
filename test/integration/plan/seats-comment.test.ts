/**
 * Issue 17's "the PR comment of a grant shows the seat and cost line", as GitHub would run it:
 * the shipped plan.yml's plan job, step by step (workflow-runner.ts), on a pull request that
 * grants someone access in a policy with `seats: {limit, price}` — the emulator's default
 * business holds 13 paid seats (pending invitations included, the owner not).
 *
 * - Within the limit: the plan comment carries the seat line with the cost, and the check passes.
 * - Over it: the comment shows the failed `seats` guard with how many seats to free or buy, and
 *   the plan step — the check — fails, with an error annotation.
 *
 * Real parts: a bare "origin" with the pull request at `refs/pull/N/head`, rolecall's trusted
 * build, the emulator as FreshBooks, the fake GitHub as GitHub. Needs `npm run build`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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
import { pullRequestRunner } from './pull-request-runner.js';
import { workflowAt, type StepResult } from './workflow-runner.js';

const ENVIRONMENT = 'freshbooks-production';
const DATE = '2026-11-20T09:00:00Z';
const PLAN_YML = '.github/workflows/plan.yml';
const POLICY_FILE = 'policies/acme-books.yaml';

/** The emulator's default business, additive: only the pull request's grant is planned. */
function policy(limit: number, grant = ''): string {
  return `business: 240340
name: Acme Books Inc.
mode: additive

seats:
  limit: ${limit}
  price: { amount: 11, currency: USD, per: month }

members:
  - email: alice@acme.example
    role: admin
  - email: ben@acme.example
    role: admin
${grant}`;
}
/** The pull request: a new employee. */
const GRANT = `  - email: nina@acme.example
    role: employee
    reason: New hire in accounts payable
`;

let emulator: RunningEmulator;
let gh: FakeGitHub;
let repo: FakeRepo;
let root: string;
let author: TempRepo;
let origin: BareRemote;

beforeAll(async () => {
  if (!existsSync(packagePath('dist', 'seats.js'))) {
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

beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.resetRequests();
  gh.clearRequests();
  root = await mkdtemp(join(tmpdir(), 'rolecall-seats-comment-'));
  repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2, 8)}`);
  repo.environment(ENVIRONMENT);
  origin = await createBareRemote();
  await origin.git.raw(['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  author = await createTempRepo({ prefix: 'rolecall-seats-comment-author-' });
}, 120_000);
afterEach(async () => {
  await author.cleanup();
  await origin.cleanup();
  await rm(root, { recursive: true, force: true });
});

/** rolecall's own files on the default branch: plan.yml's `uses: ./` builds and runs them. */
function trustedFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of ['.gitignore', 'package.json', 'tsconfig.json', PLAN_YML, 'action.yml']) {
    files[path] = readFileSync(packagePath(path), 'utf8');
  }
  for (const schema of readdirSync(packagePath('schemas'))) {
    files[`schemas/${schema}`] = readFileSync(packagePath('schemas', schema), 'utf8');
  }
  return files;
}

/** The default branch with `base`, a pull request changing it to `head`; plan.yml's plan job. */
async function planPullRequest(base: string, head: string) {
  const mainSha = await author.commit({
    files: { ...trustedFiles(), [POLICY_FILE]: base },
    message: 'rolecall and the policy',
    date: DATE,
  });
  await author.git.raw(['push', '--quiet', origin.url, 'main']);
  await author.branch('hire-nina');
  const headSha = await author.commit({
    files: { [POLICY_FILE]: head },
    message: 'Hire Nina',
    date: DATE,
  });
  const number = repo.addPullRequest({ author: 'dev', headSha, headRef: 'hire-nina' });
  await author.git.raw(['push', '--quiet', origin.url, `hire-nina:refs/pull/${number}/head`]);
  const run = await pullRequestRunner({
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
  });
  const results = await run.runJob(workflowAt(author.dir, 'main', PLAN_YML), 'plan');
  const comments = repo.commentsOn(number).filter((c) => c.body.includes('<!-- rolecall:plan:pr '));
  expect(comments).toHaveLength(1);
  return { results, comment: comments[0]?.body ?? '' };
}

function step(results: readonly StepResult[], name: RegExp): StepResult {
  const found = results.find((r) => name.test(r.name));
  if (!found) throw new Error(`no step ${String(name)}: ${results.map((r) => r.name).join(', ')}`);
  return found;
}

// Each test runs a whole workflow job (git, npm stand-ins, the built CLI): generous bounds on a
// loaded two-core machine, as the other runner tests have.
describe(
  'plan.yml: the plan comment of a grant shows the seats and their cost',
  { timeout: 180_000 },
  () => {
    it('within the limit: the seat line with the cost; the seats guard passes and so does the check', async () => {
      const { results, comment } = await planPullRequest(policy(20), policy(20, GRANT));
      const failed = results.find((r) => r.code !== 0);
      expect(
        failed,
        failed && `${failed.name}\n${failed.stdout}\n${failed.stderr}`,
      ).toBeUndefined();
      expect(comment).toMatch(/^➕ `nina@acme\.example` grant employee/mu);
      expect(comment).toContain(
        '💺 **Seats**: +1 paid seat: 13 → 14 of 20, +USD 11/month (USD 154/month in all)\n',
      );
      expect(comment).toContain('✅ `seats` — 14 paid seats after this plan (13 now), limit 20');
      expect(comment).not.toContain('over the limit');
      expect(comment).not.toContain('⛔');
    });

    it('over the limit: the failed seats guard says how many to free or buy, and the check fails', async () => {
      const { results, comment } = await planPullRequest(policy(13), policy(13, GRANT));
      const plan = step(results, /^Plan the changed businesses/);
      expect(plan.code).toBe(1);
      expect(results.at(-1)).toBe(plan);
      expect(comment).toContain(
        '💺 **Seats**: +1 paid seat: 13 → 14 of 13, +USD 11/month (USD 154/month in all) ⚠️ over the limit\n',
      );
      expect(comment).toContain(
        '❌ `seats` — 14 paid seats after this plan (13 now), limit 13: free 1 seat (revoke someone or change them to unassigned in this plan) or buy 1 more and raise seats.limit to 14',
      );
      expect(comment).toContain('⛔ This plan cannot be applied as it stands');
      expect(plan.stdout).toMatch(
        /::error title=rolecall%3A plan cannot be applied::.*seats: 14 paid seats after this plan \(13 now\), limit 13: free 1 seat/,
      );
    });
  },
);
