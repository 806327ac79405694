/**
 * `rolecall plan --github` exactly as plan.yml runs it (the command line is read from plan.yml:
 * `--out plan.json --token-store github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production`),
 * with real parts: a temporary git repository as the checkout, the emulator as FreshBooks, the
 * fake GitHub as GitHub, an event payload from @octokit/webhooks-examples.
 *
 * As under `pull_request_target`: the default branch is checked out and the pull request's head
 * is in the clone as objects only (its branch exists; it is never checked out). rolecall reads
 * the head's policies from git, and the working tree and HEAD stay as they were.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { ACTIONS_BOT_LOGIN } from '../../../src/github/identity.js';
import { packagePath } from '../../../src/paths.js';
import { readApprovedPlan } from '../../../src/flows/github/plan-comment.js';
import { approvalDigest, saltedDigest } from '../../../src/plan/approval-digest.js';
import { addStandardTokens, fakeClient, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { createTempRepo, type TempRepo } from '../../support/temp-repo.js';
import {
  ACME,
  emulatorEnv,
  exampleYaml,
  readPlan,
  rolecall,
  workflowCommand,
} from './plan-harness.js';
import { webhookExample } from '../../support/webhook-examples.js';

const HOLDINGS_YAML = `business: 240341
name: Acme Holdings LLC
rules:
  protected: [olivia@acme.example]
members:
  - email: alice@acme.example
    role: admin
  - email: tom@acme.example
    role: employee
`;
const DATE = '2026-11-20T09:00:00Z';
/** plan.yml's plan step, as the workflow file says it. */
const PLAN_ARGS = workflowCommand('plan.yml', 'plan', 'plan');
const ENVIRONMENT = 'freshbooks-production';
const SECRET = 'FRESHBOOKS_REFRESH_TOKEN';

let emulator: RunningEmulator;
let gh: FakeGitHub;
let git: TempRepo;
let repo: FakeRepo;
let baseSha: string;
/** Event payload, summary, outputs: outside the checkout, like the runner's files. */
let scratch: string;

beforeAll(async () => {
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
  repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2, 8)}`);
  repo.environment(ENVIRONMENT);
  git = await createTempRepo({ prefix: 'rolecall-plan-gh-' });
  scratch = await mkdtemp(join(tmpdir(), 'rolecall-plan-gh-runner-'));
  baseSha = await git.commit({
    files: {
      'policies/acme-books.yaml': await exampleYaml(),
      'policies/acme-holdings.yaml': HOLDINGS_YAML,
      // rolecall's own: plan.json (the workflow's --out) is ignored, as in a real checkout.
      '.gitignore': await readFile(packagePath('.gitignore'), 'utf8'),
    },
    message: 'Policies',
    date: DATE,
  });
  await git.branch('access-change');
  await git.checkout('main');
});
afterEach(async () => {
  await git.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

/**
 * A commit on the pull request's branch editing the Acme policy. The default branch is checked
 * out again afterwards: the runner's checkout under pull_request_target.
 */
async function pushAcme(edit: (yaml: string) => string): Promise<string> {
  await git.checkout('access-change');
  const sha = await git.commit({
    files: { 'policies/acme-books.yaml': edit(await exampleYaml()) },
    message: 'Edit Acme access',
    date: DATE,
  });
  await git.checkout('main');
  return sha;
}

/** The refresh token as the environment secret now holds it. */
const rotatedToken = () => repo.secretValue(SECRET, ENVIRONMENT);

/** HEAD and `git status`: what a run must leave exactly as it found it. */
async function checkoutState(): Promise<{ head: string; status: string; branch: string }> {
  return { head: await git.head(), status: await git.status(), branch: await git.currentBranch() };
}

/**
 * The Actions environment of plan.yml's job for pull request `number` at `head`: a
 * `pull_request_target` event (GITHUB_SHA is the default branch's), or `pull_request`.
 */
async function actionsEnv(
  number: number,
  head: string,
  options: {
    fork?: boolean;
    refreshToken?: string;
    event?: 'pull_request' | 'pull_request_target';
  } = {},
): Promise<Record<string, string>> {
  interface Side {
    sha: string;
    ref: string;
    repo: Record<string, unknown>;
  }
  const event = webhookExample('pull_request', 'synchronize') as {
    number: number;
    pull_request: Record<string, unknown> & { head: Side; base: Side };
  };
  const full = options.fork ? 'mallory/access' : repo.fullName;
  event.number = number;
  Object.assign(event.pull_request, {
    number,
    html_url: `https://github.com/${repo.fullName}/pull/${number}`,
    user: { login: 'dev', type: 'User' },
  });
  Object.assign(event.pull_request.head, { sha: head, ref: 'access-change' });
  event.pull_request.head.repo = { ...event.pull_request.head.repo, full_name: full };
  Object.assign(event.pull_request.base, { sha: baseSha, ref: 'main' });
  const eventPath = join(scratch, 'event.json');
  await writeFile(eventPath, JSON.stringify(event));
  const env: Record<string, string> = {
    ...emulatorEnv(emulator),
    ...gh.env(TOKENS.actions),
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: repo.fullName,
    GITHUB_EVENT_NAME: options.event ?? 'pull_request_target',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: options.event === 'pull_request' ? head : baseSha,
    GITHUB_RUN_ID: '7001',
    GITHUB_STEP_SUMMARY: join(scratch, 'summary.md'),
    GITHUB_OUTPUT: join(scratch, 'output.txt'),
    ROLECALL_SECRETS_TOKEN: TOKENS.secrets,
  };
  if (options.refreshToken) env.FRESHBOOKS_REFRESH_TOKEN = options.refreshToken;
  if (options.fork) {
    // A fork's job: no secrets, a read-only token.
    for (const name of Object.keys(env))
      if (/^(FRESHBOOKS_|ROLECALL_SECRETS)/.test(name)) delete env[name];
  }
  return env;
}

function outputs(text: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const m of text.matchAll(/^([A-Za-z_][\w-]*)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2$/gm)) {
    found[m[1] as string] = m[3] as string;
  }
  return found;
}

const commentWrites = () =>
  gh.writes().filter((r) => r.path.includes('/issues/') && r.path.includes('comments'));

describe('rolecall plan --github on a pull request', () => {
  it('comments once, leaves an unchanged comment alone, updates it in place when the policy changes; the digest is what apply recomputes', async () => {
    const head1 = await pushAcme((y) =>
      y.replace('reason: Accounts payable', 'reason: Accounts payable (AP)'),
    );
    const number = repo.addPullRequest({ author: 'dev', headSha: head1 });
    const cwd = git.dir;
    const before = await checkoutState();
    expect(before).toMatchObject({ head: baseSha, status: '', branch: 'main' });

    const env1 = await actionsEnv(number, head1);
    const first = await rolecall({ cwd, env: env1 }, PLAN_ARGS);
    expect(first.err).not.toContain('rolecall:');
    expect(first.err).not.toContain('pull request code next to secrets');
    expect(first.code).toBe(0);
    // Read from the head's objects: the checkout is untouched, the plan names the head.
    expect(await checkoutState()).toEqual(before);
    expect(first.err).toContain('Planning the business whose policy files changed since');
    expect(first.err).toMatch(/Plan comment created: /);
    expect(commentWrites().map((r) => r.method)).toEqual(['POST']);
    const [comment] = repo.commentsOn(number);
    expect(comment?.body).toMatch(/^🔄 `maya@acme\.example` change employee → manager/mu);
    expect(comment?.user.login).toBe(ACTIONS_BOT_LOGIN);
    expect(comment?.body).toContain('<!-- rolecall:plan:pr ');
    expect(comment?.body).toContain('### Acme Books Inc. (240340)');
    expect(comment?.body).toContain('Plan: 2 to grant, 2 to change, 2 to revoke.');
    expect(comment?.body).toContain(
      'Planned: the business whose policy files this pull request changes (`policies/acme-books.yaml`).',
    );
    expect(comment?.body).not.toContain('240341');

    // The plan file for the artifact, the outputs, the job summary.
    const planFile = readPlan(await readFile(join(cwd, 'plan.json'), 'utf8'));
    expect(planFile.businesses.map((b) => b.businessId)).toEqual([ACME]);
    expect(planFile.businesses[0]?.policyCommit).toEqual({ sha: head1, dirty: false });
    expect(comment?.body).toContain(`\`policies/acme-books.yaml\` @ \`${head1.slice(0, 7)}`);
    expect(outputs(await readFile(env1.GITHUB_OUTPUT as string, 'utf8'))).toMatchObject({
      plan: 'plan.json',
      has_changes: 'true',
      applyable: 'true',
      changes: '6',
      businesses: String(ACME),
      comment_url: expect.stringContaining(`/pull/${number}#issuecomment-`) as unknown as string,
    });
    expect(await readFile(env1.GITHUB_STEP_SUMMARY as string, 'utf8')).toContain(
      '## rolecall plan',
    );

    // The refresh token rotated and was written to the environment's secret before use (the
    // repository has none); never printed.
    const rotated = rotatedToken();
    expect(repo.secretValue(SECRET)).toBeNull();
    expect(rotated).toMatch(/\S{24,}/);
    expect(rotated).not.toBe(emulator.credentials.refreshToken);
    for (const text of [first.out, first.err, comment?.body ?? '']) {
      expect(text).not.toContain(rotated as string);
      expect(text).not.toContain(emulator.credentials.clientSecret);
    }

    // Same head, nothing changed — a later run, at another time: no write at all (the comment
    // holds nothing that changes from run to run).
    gh.clearRequests();
    const env2 = {
      ...(await actionsEnv(number, head1, { refreshToken: rotated as string })),
      ROLECALL_NOW: '2026-11-29T18:30:00.000Z',
      GITHUB_RUN_ID: '7002',
    };
    const second = await rolecall({ cwd, env: env2 }, PLAN_ARGS);
    expect(second.code).toBe(0);
    expect(second.err).toContain('Plan comment already up to date');
    expect(commentWrites()).toEqual([]);

    // A new push that changes the policy: the same comment is edited, never duplicated.
    const head2 = await pushAcme((y) =>
      y.replace('maya@acme.example\n    role: manager', 'maya@acme.example\n    role: employee'),
    );
    repo.pushHead(number, head2);
    gh.clearRequests();
    const env3 = await actionsEnv(number, head2, { refreshToken: rotatedToken() as string });
    const third = await rolecall({ cwd, env: env3 }, PLAN_ARGS);
    expect(third.code).toBe(0);
    expect(third.err).toContain('Plan comment updated in place');
    expect(commentWrites().map((r) => `${r.method} ${r.path}`)).toEqual([
      `PATCH /repos/${repo.fullName}/issues/comments/${comment?.id}`,
    ]);
    expect(repo.commentsOn(number)).toHaveLength(1);
    expect(repo.commentsOn(number)[0]?.body).toContain(
      'Plan: 2 to grant, 1 to change, 2 to revoke.',
    );
    // Maya is no longer promoted: no FreshBooks change names her.
    expect(repo.commentsOn(number)[0]?.body).not.toMatch(/^(➕|🔄|➖) `maya@acme\.example`/mu);

    expect(await checkoutState()).toEqual(before);

    // What apply does after the merge: read the posted digest, re-plan the recorded businesses
    // at the merge commit (at another time: createdAt is not part of what is approved), salt,
    // compare.
    await git.merge('access-change', { message: `Merge pull request #${number}`, date: DATE });
    const htmlUrl = `https://github.com/${repo.fullName}/pull/${number}`;
    const approved = await readApprovedPlan(
      fakeClient(gh, TOKENS.actions),
      { owner: repo.owner, repo: repo.name, number, htmlUrl },
      ACTIONS_BOT_LOGIN,
    );
    expect(approved?.businesses).toEqual([ACME]);
    expect(approved?.headSha).toBe(head2);
    const replan = await rolecall(
      { cwd, env: { ...env3, ROLECALL_NOW: '2026-11-30T08:00:00.000Z' } },
      [
        'plan',
        '--format',
        'json',
        '--business',
        String(ACME),
        '--token-store',
        `file:${join(scratch, 'creds.json')}`,
      ],
      { FRESHBOOKS_REFRESH_TOKEN: rotatedToken() as string },
    );
    expect(replan.code).toBe(0);
    const recomputed = readPlan(replan.out);
    expect(recomputed.createdAt).not.toBe(planFile.createdAt);
    // The approval also covers the policy facts the pull request changes (Maya's role).
    const policyChanges = approved?.policyChanges ?? [];
    expect(policyChanges.flatMap((c) => c.changes.map((f) => f.path))).toContain(
      'members["maya@acme.example"].role',
    );
    expect(saltedDigest(htmlUrl, approvalDigest(recomputed, policyChanges))).toBe(approved?.digest);
    // …and the digest is salted: the same plan on another pull request does not match.
    expect(saltedDigest(`${htmlUrl}0`, approvalDigest(recomputed, policyChanges))).not.toBe(
      approved?.digest,
    );
  });

  it('with octokit’s retry and throttling on (as in a workflow), a secondary rate limit on the comment is waited out', async () => {
    const head = await pushAcme((y) =>
      y.replace('reason: Accounts payable', 'reason: Accounts payable (AP)'),
    );
    const number = repo.addPullRequest({ author: 'dev', headSha: head });
    const comments = new RegExp(`/issues/${number}/comments$`);
    gh.rateLimitNext('POST', comments, { kind: 'secondary', status: 429, retryAfter: 1 });
    const env = { ...(await actionsEnv(number, head)) };
    delete env['ROLECALL_GITHUB_RETRY'];
    const run = await rolecall({ cwd: git.dir, env }, PLAN_ARGS);
    expect(run.code, run.err).toBe(0);
    expect(gh.calls('POST', comments).map((r) => r.status)).toEqual([429, 201]);
    expect(repo.commentsOn(number)).toHaveLength(1);
  });

  it('does not overwrite the comment from an older head (a newer push is being planned)', async () => {
    const head1 = await pushAcme((y) => `${y}\n# first\n`);
    const number = repo.addPullRequest({ author: 'dev', headSha: head1 });
    repo.pushHead(number, 'f'.repeat(40));
    const result = await rolecall(
      { cwd: git.dir, env: await actionsEnv(number, head1) },
      PLAN_ARGS,
    );
    expect(result.code).toBe(0);
    expect(result.err).toContain('Plan comment not written: pull request');
    expect(commentWrites()).toEqual([]);
  });

  it('outside a pull request (a manual run): every business, the job summary, the default plan file, no GitHub call', async () => {
    const env = await actionsEnv(1, await git.head());
    await writeFile(env.GITHUB_EVENT_PATH as string, JSON.stringify({ inputs: {} }));
    env.GITHUB_EVENT_NAME = 'workflow_dispatch';
    delete env.GITHUB_TOKEN;
    const result = await rolecall({ cwd: git.dir, env }, [
      'plan',
      '--github',
      '--detailed-exitcode',
    ]);
    expect(result.err).toContain('Not a pull_request event (workflow_dispatch)');
    expect(result.code).toBe(2);
    const saved = readPlan(await readFile(join(git.dir, '.rolecall', 'plan.json'), 'utf8'));
    expect(saved.businesses.map((b) => b.businessId)).toEqual([ACME, 240341]);
    const summary = await readFile(env.GITHUB_STEP_SUMMARY as string, 'utf8');
    expect(summary).toContain('### Acme Books Inc. (240340)');
    expect(summary).toContain('### Acme Holdings LLC (240341)');
    expect(outputs(await readFile(env.GITHUB_OUTPUT as string, 'utf8'))).toMatchObject({
      plan: '.rolecall/plan.json',
      comment_url: '',
    });
    expect(gh.requests).toEqual([]);
  });

  it('a fork gets validation only: no FreshBooks request, no GitHub write, and says why', async () => {
    const head = await pushAcme((y) => `${y}\n# from a fork\n`);
    const number = repo.addPullRequest({
      author: 'mallory',
      headSha: head,
      headRepoFullName: 'mallory/access',
    });
    gh.clearRequests();
    const env = await actionsEnv(number, head, { fork: true });
    const result = await rolecall({ cwd: git.dir, env }, PLAN_ARGS);
    expect(result.code).toBe(0);
    expect(result.out).toContain('::notice title=rolecall%3A validation only (fork)::');
    expect(result.out).toContain('comes from a fork: rolecall validated its policies');
    expect(await readFile(env.GITHUB_STEP_SUMMARY as string, 'utf8')).toContain(
      'rolecall: validation only',
    );
    expect(emulator.control.requests().total).toBe(0);
    expect(gh.requests).toEqual([]);
  });

  it('a fork whose head has an invalid policy: validated from the head, exit 1, still no FreshBooks', async () => {
    const head = await pushAcme((y) =>
      y.replace('role: manager\n    reason: Operations', 'role: boss\n    reason: Operations'),
    );
    const number = repo.addPullRequest({
      author: 'mallory',
      headSha: head,
      headRepoFullName: 'mallory/access',
    });
    gh.clearRequests();
    const result = await rolecall(
      { cwd: git.dir, env: await actionsEnv(number, head, { fork: true }) },
      PLAN_ARGS,
    );
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^::error file=policies\/acme-books\.yaml,line=\d+/m);
    expect(emulator.control.requests().total).toBe(0);
    expect(gh.requests).toEqual([]);
  });

  it('an invalid policy: annotations on the diff, exit 1, no FreshBooks request, no comment', async () => {
    const head = await pushAcme((y) =>
      y.replace('role: manager\n    reason: Operations', 'role: boss\n    reason: Operations'),
    );
    const number = repo.addPullRequest({ author: 'dev', headSha: head });
    gh.clearRequests();
    const result = await rolecall({ cwd: git.dir, env: await actionsEnv(number, head) }, PLAN_ARGS);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^::error file=policies\/acme-books\.yaml,line=\d+/m);
    expect(emulator.control.requests().total).toBe(0);
    expect(commentWrites()).toEqual([]);
  });
  it('measures maxDuration from the head commit that set `expires` (blamed at the head, not the checkout)', async () => {
    // A contractor added in a commit of June: 2027-03-31 is more than 180 days after it. Blamed
    // in the checkout (main, which lacks the lines), the grant would count from now and pass.
    await git.checkout('access-change');
    const head = await git.commit({
      files: {
        'policies/acme-books.yaml': `${await exampleYaml()}
  - email: zed@contractors.example
    role: contractor
    expires: 2027-03-31
    reason: Audit support
`,
      },
      message: 'Add Zed',
      date: '2026-06-01T09:00:00Z',
    });
    await git.checkout('main');
    const number = repo.addPullRequest({ author: 'dev', headSha: head });
    gh.clearRequests();
    const result = await rolecall({ cwd: git.dir, env: await actionsEnv(number, head) }, PLAN_ARGS);
    expect(result.code).toBe(1);
    const line =
      (await git.git.raw(['show', `${head}:policies/acme-books.yaml`]))
        .split('\n')
        .lastIndexOf('    expires: 2027-03-31') + 1; // zed's, appended after bob's
    expect(line).toBeGreaterThan(80);
    expect(result.err).toContain(
      `policies/acme-books.yaml:${line}:14: error EXPIRY_TOO_LONG zed@contractors.example`,
    );
    expect(result.err).toContain('after the commit that set it (2026-06-01');
    expect(emulator.control.requests().total).toBe(0);
    expect(commentWrites()).toEqual([]);
  });

  it('the head commit is not in the clone: a clear error naming the fetch, nothing planned', async () => {
    const head = await pushAcme((y) => `${y}\n# somewhere else\n`);
    const number = repo.addPullRequest({ author: 'dev', headSha: head });
    const missing = 'e'.repeat(40);
    repo.pushHead(number, missing);
    gh.clearRequests();
    const result = await rolecall(
      { cwd: git.dir, env: await actionsEnv(number, missing) },
      PLAN_ARGS,
    );
    expect(result.code).toBe(1);
    expect(result.err).toContain(`commit ${missing} is not in this clone`);
    expect(result.err).toContain(
      `git fetch --no-tags origin "+refs/pull/${number}/head:refs/remotes/rolecall/pr-head"`,
    );
    expect(emulator.control.requests().total).toBe(0);
    expect(commentWrites()).toEqual([]);
  });

  it('under plain pull_request (the checkout is the pull request): plans the working tree, and warns', async () => {
    const head = await pushAcme((y) =>
      y.replace('maya@acme.example\n    role: manager', 'maya@acme.example\n    role: employee'),
    );
    await git.checkout('access-change');
    const number = repo.addPullRequest({ author: 'dev', headSha: head });
    const env = await actionsEnv(number, head, { event: 'pull_request' });
    const result = await rolecall({ cwd: git.dir, env }, PLAN_ARGS);
    expect(result.code).toBe(0);
    const warnings = result.err.split('\n').filter((l) => l.startsWith('::warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('title=rolecall%3A pull request code next to secrets::');
    expect(warnings[0]).toContain('Run plan.yml on pull_request_target');
    expect(repo.commentsOn(number)[0]?.body).toContain(
      'Plan: 2 to grant, 1 to change, 2 to revoke.',
    );
  });
  it('a policy file deleted by the pull request is judged at the head (the checkout still has it): reported, never revoked', async () => {
    await git.checkout('access-change');
    const head = await git.commit({
      files: { 'policies/acme-holdings.yaml': null },
      message: 'Stop managing Holdings',
      date: DATE,
    });
    await git.checkout('main');
    expect(await git.read('policies/acme-holdings.yaml')).toBe(HOLDINGS_YAML);
    const number = repo.addPullRequest({ author: 'dev', headSha: head });
    const result = await rolecall({ cwd: git.dir, env: await actionsEnv(number, head) }, PLAN_ARGS);
    expect(result.code).toBe(0);
    expect(result.err).toContain(
      'warning: policies/acme-holdings.yaml was deleted: business 240341 (Acme Holdings LLC) is no longer managed by rolecall.',
    );
    expect(repo.commentsOn(number)[0]?.body).toContain(
      '**`policies/acme-holdings.yaml` was deleted**: business 240341 (Acme Holdings LLC)',
    );
    expect(emulator.control.requests().log.filter((e) => e.path.includes('240341'))).toEqual([]);
  });
  it('a pull_request_target payload without the head sha is refused before anything is read', async () => {
    const head = await pushAcme((y) => `${y}\n# edited\n`);
    const number = repo.addPullRequest({ author: 'dev', headSha: head });
    const env = await actionsEnv(number, head);
    const event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH as string, 'utf8')) as {
      pull_request: { head: Record<string, unknown> };
    };
    delete event.pull_request.head['sha'];
    await writeFile(env.GITHUB_EVENT_PATH as string, JSON.stringify(event));
    gh.clearRequests();
    const result = await rolecall({ cwd: git.dir, env }, PLAN_ARGS);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'the pull_request_target event has no head sha (pull_request.head.sha)',
    );
    expect(emulator.control.requests().total).toBe(0);
    expect(gh.requests).toEqual([]);
  });
});
