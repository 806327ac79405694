/**
 * The merge-time GitHub flow with real parts, in-process: a temporary git repository as the
 * Actions checkout, the emulator as FreshBooks, the fake GitHub as GitHub, event payloads from
 * @octokit/webhooks-examples. `rolecall plan --github` comments the plan on a pull request as
 * plan.yml runs it; `rolecall apply --github` runs as apply.yml runs it (plus `--rate`, so that
 * the tests do not wait on the production rate budget). The FreshBooks refresh token lives in
 * the fake's repository secret and rotates on every run, as in Actions.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { afterAll, beforeAll } from 'vitest';
import { packagePath } from '../../../src/paths.js';
import type { AuditRecord } from '../../../src/apply/records.js';
import { bufferIo } from '../../support/buffer-io.js';
import { ACTIONS_BOT_LOGIN } from '../../../src/github/identity.js';
import { upsertPlanComment } from '../../../src/flows/github/plan-comment.js';
import { planReview } from '../../../src/flows/plan/policy-review.js';
import { loadDesiredState } from '../../../src/policy/load-desired-state.js';
import type { Plan } from '../../../src/types.js';
import { addStandardTokens, fakeClient, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { ZERO_SHA, type FakeCommit, type FakeGitPerson } from '../../support/fake-github/repo.js';
import type { FakeComment } from '../../support/fake-github/state.js';
import {
  createBareRemote,
  createTempRepo,
  type BareRemote,
  type TempRepo,
} from '../../support/temp-repo.js';
import { workflowCommand } from '../plan/plan-harness.js';
import { webhookExample } from '../../support/webhook-examples.js';

export const ACME = 240340;
export const NOW = '2026-11-29T10:00:00.000Z';
/** Commit dates: bob's contractor grant (to 2027-03-31) stays within its 180-day maximum. */
export const DATE = '2026-11-20T09:00:00Z';
export const SECRET = 'FRESHBOOKS_REFRESH_TOKEN';

/**
 * People as git and GitHub know them: the name and email a commit carries, and the account
 * GitHub links that email to. `dev` opens and writes the pull requests unless a test says
 * otherwise.
 */
export const PEOPLE = {
  dev: { name: 'Dev Eloper', email: 'dev@acme.example', login: 'dev' },
  maya: { name: 'Maya Park', email: 'maya@acme.example', login: 'maya' },
  ben: { name: 'Ben Ortiz', email: 'ben@acme.example', login: 'ben-gh' },
  renovate: {
    name: 'renovate[bot]',
    email: '29139614+renovate[bot]@users.noreply.github.com',
    login: 'renovate[bot]',
  },
  /** `GITHUB_TOKEN`'s bot: what any workflow, a writer's included, commits and opens as. */
  actions: {
    name: 'github-actions[bot]',
    email: '41898282+github-actions[bot]@users.noreply.github.com',
    login: ACTIONS_BOT_LOGIN,
  },
} as const satisfies Record<string, FakeGitPerson>;

/** The environment that holds every secret in the shipped workflows. */
export const ENVIRONMENT = 'freshbooks-production';

/** plan.yml's and apply.yml's command lines, read from the shipped workflows. */
export const PLAN_ARGS = workflowCommand('plan.yml', 'plan', 'plan');
export const APPLY_ARGS = workflowCommand('apply.yml', 'apply', 'apply');

export const APPROVALS = `
approvals:
  required: 1
  roles:
    manager: { required: 2, teams: [acme/owners] }
`;

/** The example policy with approval rules: what the pull requests merge (Maya becomes manager). */
export function headYaml(approvals = APPROVALS): string {
  return `${readFileSync(packagePath('policies', 'acme-books.yaml'), 'utf8')}${approvals}`;
}

/** The same policy before the pull request: Maya is an employee. */
export function baseYaml(): string {
  const yaml = headYaml();
  const promoted = '  - email: maya@acme.example\n    role: manager';
  if (!yaml.includes(promoted)) throw new Error('the example policy moved: update baseYaml');
  return yaml.replace(promoted, '  - email: maya@acme.example\n    role: employee');
}

/** The emulator and the fake GitHub of one test file, started once around its tests. */
export interface World {
  emulator: RunningEmulator;
  gh: FakeGitHub;
}

/**
 * Starts the emulator and the fake GitHub (standard tokens, the `acme/owners` team by default)
 * before the file's tests and closes them after; read the fields inside tests and hooks.
 */
export function useWorld(
  teams: Record<string, string[]> = { 'acme/owners': ['olivia-gh', 'ben-gh'] },
): World {
  const world = {} as World;
  beforeAll(async () => {
    world.emulator = await startEmulator({ port: 0 });
    world.gh = await startFakeGitHub();
    addStandardTokens(world.gh);
    for (const [team, members] of Object.entries(teams)) world.gh.world.addTeam(team, members);
  });
  afterAll(async () => {
    await world.emulator.close();
    await world.gh.close();
  });
  return world;
}

const example = webhookExample;

/** The object at `key` (created when missing), to edit an example payload in place. */
function objectIn(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = parent[key];
  if (value && typeof value === 'object' && !Array.isArray(value))
    return value as Record<string, unknown>;
  const created: Record<string, unknown> = {};
  parent[key] = created;
  return created;
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export interface PullRequest {
  number: number;
  branch: string;
  /** The first commit of the branch (an "older commit" for stale approvals). */
  first: string;
  /** The tip of main when the pull request was opened (its event's `base.sha`). */
  base: string;
  head: string;
}

export interface Merge {
  before: string;
  sha: string;
}

/** One test's world: a checkout, a fake repository, and the FreshBooks token as a secret. */
export class Flow {
  private counter = 0;
  private refreshToken: string;
  /**
   * Where the FreshBooks refresh token lives. `secret` is apply.yml's
   * `github-secret:FRESHBOOKS_REFRESH_TOKEN` (each run rotates it and PUTs the new one);
   * `file` keeps it in a file, which saves a throttled GitHub write per run in tests that are
   * about something else.
   */
  private readonly tokenStore: string;

  private constructor(
    readonly git: TempRepo,
    readonly repo: FakeRepo,
    readonly files: string,
    private readonly gh: FakeGitHub,
    private readonly emulator: RunningEmulator,
    readonly baseSha: string,
    store: 'secret' | 'file',
    /** `origin`, when the flow has one (`remote: true`): where rolecall's own bots push. */
    readonly remote: BareRemote | null = null,
  ) {
    this.refreshToken = emulator.credentials.refreshToken;
    this.tokenStore =
      store === 'secret'
        ? `github-secret:${SECRET}@${ENVIRONMENT}`
        : `file:${join(files, 'credentials.json')}`;
  }

  static async create(
    gh: FakeGitHub,
    emulator: RunningEmulator,
    options: {
      tokenStore?: 'secret' | 'file';
      /** The policy on main before any pull request (default `baseYaml()`). */
      policy?: string;
      /**
       * A bare `origin` holding main, which the fake GitHub reads pull-request heads and commits
       * from (`gitDir`), and a checkout without a git identity of its own, as on a CI runner:
       * for rolecall's own bot pull requests (`expire --github`, `review close`, `request
       * --from-issue`), which push their branch and open the pull request themselves.
       */
      remote?: boolean;
    } = {},
  ): Promise<Flow> {
    const repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2, 8)}`);
    repo.environment(ENVIRONMENT);
    for (const login of ['ben-gh', 'olivia-gh', 'carol-gh', 'maya', 'dev', 'renovate[bot]'])
      repo.permissions.set(login, 'write');
    const git = await createTempRepo({ prefix: 'rolecall-apply-gh-' });
    const files = await mkdtemp(join(tmpdir(), 'rolecall-apply-gh-files-'));
    const baseSha = await git.commit({
      files: { 'policies/acme-books.yaml': options.policy ?? baseYaml() },
      message: 'Acme Books access',
      date: DATE,
    });
    let remote: BareRemote | null = null;
    if (options.remote) {
      remote = await createBareRemote();
      await git.git.raw(['remote', 'add', 'origin', remote.url]);
      await git.git.raw(['push', '--quiet', '-u', 'origin', 'main']);
      repo.gitDir = remote.dir;
      await git.git.raw(['config', '--unset', 'user.name']);
      await git.git.raw(['config', '--unset', 'user.email']);
    }
    return new Flow(git, repo, files, gh, emulator, baseSha, options.tokenStore ?? 'file', remote);
  }

  async close(): Promise<void> {
    await this.git.cleanup();
    await this.remote?.cleanup();
    await rm(this.files, { recursive: true, force: true });
  }

  /**
   * A rolecall command as its workflow runs it on `main` (`GITHUB_REF`), the checkout at main:
   * `expire --github`, `review --github`, `review close`, `request --from-issue` (add
   * `storeArgs()` for those that reach FreshBooks).
   */
  async runOnMain(args: string[], eventName = 'workflow_dispatch'): Promise<CliResult> {
    await this.git.checkout('main');
    return this.run(args, eventName, {}, await this.git.head(), {
      GITHUB_REF: 'refs/heads/main',
    });
  }

  /**
   * A pull request a rolecall command opened on the fake GitHub from a branch it pushed to
   * `origin`: the branch is fetched into the checkout, and GitHub's activity records its creation
   * by the pull request's author (the bot that pushed it). Its commits are read from `origin`.
   */
  async adoptPullRequest(number: number): Promise<PullRequest> {
    const pull = this.repo.pull(number);
    const branch = pull.headRef;
    await this.git.git.raw([
      'fetch',
      '--quiet',
      'origin',
      `+refs/heads/${branch}:refs/heads/${branch}`,
    ]);
    const head = (await this.git.git.raw(['rev-parse', branch])).trim();
    const base = (await this.git.git.raw(['merge-base', 'main', branch])).trim();
    const [first = head] = (await this.git.git.raw(['rev-list', '--reverse', `${base}..${branch}`]))
      .split('\n')
      .filter(Boolean);
    this.repo.addActivity({
      before: ZERO_SHA,
      after: head,
      ref: branch,
      actor: this.repo.issue(number).user.login,
      activityType: 'branch_creation',
    });
    return { number, branch, first, base, head };
  }

  /**
   * A pull request from a branch of this repository: a first commit, then `files` (default: the
   * head policy), then its plan comment. `plan: 'cli'` runs `rolecall plan --github` as plan.yml
   * does; the default `'posted'` makes the same plan with `rolecall plan --changed-since BASE`
   * and posts it with the same library call plan --github makes (`upsertPlanComment`), through
   * a client without octokit's throttling — its 1-3 s spacing of writes is what makes CLI runs
   * slow in one test process; `false` posts no plan.
   */
  async openPullRequest(
    options: {
      files?: Record<string, string>;
      plan?: 'cli' | 'posted' | false;
      /** Opens the pull request, writes and pushes its commits. Default `PEOPLE.dev`. */
      by?: FakeGitPerson;
    } = {},
  ): Promise<PullRequest> {
    const by = options.by ?? PEOPLE.dev;
    this.counter += 1;
    const branch = `access-change-${this.counter}`;
    await this.git.checkout('main');
    const base = await this.git.head();
    await this.git.branch(branch);
    const first = await this.git.commit({
      files: { 'docs/access-change.md': `Access change ${this.counter}\n` },
      message: 'Describe the access change',
      author: by,
      date: DATE,
    });
    const head = await this.git.commit({
      files: options.files ?? { 'policies/acme-books.yaml': headYaml() },
      message: 'Promote Maya to manager',
      author: by,
      date: DATE,
    });
    const number = this.repo.addPullRequest({
      author: by.login ?? PEOPLE.dev.login,
      headSha: head,
      headRef: branch,
      title: 'Promote Maya to manager',
    });
    this.repo.associate(first, number);
    // GitHub's record of the branch: both commits by `by`, pushed by them as a new branch.
    this.repo.setCommits(number, [
      fakeCommit(first, base, 'Describe the access change', by),
      fakeCommit(head, first, 'Promote Maya to manager', by),
    ]);
    this.repo.addActivity({
      before: ZERO_SHA,
      after: head,
      ref: branch,
      actor: by.login,
      activityType: 'branch_creation',
    });
    const pr = { number, branch, first, head, base };
    const mode = options.plan ?? 'posted';
    if (mode === 'cli') {
      const planned = await this.plan(pr);
      if (planned.code !== 0) throw new Error(`plan --github failed: ${planned.err}`);
    } else if (mode === 'posted') {
      await this.postPlan(pr);
    }
    return pr;
  }

  /**
   * One more commit on the pull request's branch, written by `author` (committed by
   * `committer`, default the author) and pushed by `pusher`: GitHub records the commit in the
   * pull request and the push in the repository activity. The plan is posted again for the new
   * head (`plan: false`: not). `pr.head` becomes the new commit.
   */
  async pushCommit(
    pr: PullRequest,
    options: {
      files: Record<string, string>;
      message: string;
      author: FakeGitPerson;
      committer?: FakeGitPerson;
      pusher: string;
      plan?: 'posted' | false;
    },
  ): Promise<PullRequest> {
    await this.git.checkout(pr.branch);
    const before = pr.head;
    const sha = await this.git.commit({
      files: options.files,
      message: options.message,
      author: options.author,
      ...(options.committer ? { committer: options.committer } : {}),
      date: DATE,
    });
    // With an `origin`, GitHub follows the branch there: the commit is pushed to it.
    if (this.remote) await this.git.git.raw(['push', '--quiet', '--force', 'origin', pr.branch]);
    this.repo.pushHead(pr.number, sha);
    this.repo.setCommits(pr.number, [
      ...this.repo.commitsOf(pr.number),
      fakeCommit(sha, before, options.message, options.author, options.committer),
    ]);
    this.repo.addActivity({ before, after: sha, ref: pr.branch, actor: options.pusher });
    pr.head = sha;
    if ((options.plan ?? 'posted') === 'posted') await this.postPlan(pr);
    return pr;
  }

  /** The plan of the pull request's head, posted as rolecall's plan comment. */
  async postPlan(pr: PullRequest): Promise<void> {
    await this.git.checkout(pr.branch);
    const out = join(this.files, `plan-${pr.number}.json`);
    const planned = await this.run(
      ['plan', '--changed-since', pr.base, '--out', out, ...this.storeArgs()],
      'pull_request',
      {},
      pr.head,
    );
    if (planned.code !== 0) throw new Error(`plan failed: ${planned.err}`);
    const plan = JSON.parse(await readFile(out, 'utf8')) as Plan;
    const octokit = fakeClient(this.gh, TOKENS.actions);
    // The policy review exactly as plan --github computes it (its digest is part of the approval).
    const loaded = await loadDesiredState('policies', { cwd: this.git.dir, now: new Date(NOW) });
    if (!loaded.value) throw new Error('the pull request policies do not validate');
    const review = await planReview(this.git.dir, {
      session: {
        octokit,
        repo: { owner: this.repo.owner, repo: this.repo.name },
        identity: { login: ACTIONS_BOT_LOGIN, source: 'configured' },
      },
      policiesDir: 'policies',
      baseSha: pr.base,
      headSha: pr.head,
      desired: loaded.value,
      plan,
      now: new Date(NOW),
      touchedPolicies: true,
    });
    await upsertPlanComment(octokit, {
      review,
      pr: {
        owner: this.repo.owner,
        repo: this.repo.name,
        number: pr.number,
        htmlUrl: `https://github.com/${this.repo.fullName}/pull/${pr.number}`,
        headSha: pr.head,
      },
      plan,
      login: ACTIONS_BOT_LOGIN,
    });
  }

  /**
   * `rolecall plan --github` as plan.yml runs it: on `pull_request_target`, with the default
   * branch checked out (trusted code) and the pull request's head only present as git objects.
   */
  async plan(pr: PullRequest): Promise<CliResult> {
    await this.git.checkout('main');
    const event = example('pull_request', 'synchronize');
    event['number'] = pr.number;
    const pull = objectIn(event, 'pull_request');
    Object.assign(pull, {
      number: pr.number,
      html_url: `https://github.com/${this.repo.fullName}/pull/${pr.number}`,
      user: { login: 'dev', type: 'User' },
    });
    const head = objectIn(pull, 'head');
    Object.assign(head, { sha: pr.head, ref: pr.branch });
    Object.assign(objectIn(head, 'repo'), { full_name: this.repo.fullName });
    Object.assign(objectIn(pull, 'base'), { sha: pr.base, ref: 'main' });
    const args = PLAN_ARGS.map((a) => (a.startsWith('github-secret:') ? this.tokenStore : a));
    return this.run(args, 'pull_request_target', event, await this.git.head());
  }

  /** The pull request is merged (a merge commit on main); GitHub records it. */
  async merge(pr: PullRequest): Promise<Merge> {
    await this.git.checkout('main');
    const before = await this.git.head();
    const sha = await this.git.merge(pr.branch, {
      message: `Merge pull request #${pr.number} from acme/${pr.branch}`,
      date: DATE,
    });
    this.repo.merge(pr.number, sha);
    return { before, sha };
  }

  /** A commit pushed straight to main, no pull request. */
  async pushDirectly(): Promise<Merge> {
    await this.git.checkout('main');
    const before = await this.git.head();
    const sha = await this.git.commit({
      files: { 'policies/acme-books.yaml': headYaml() },
      message: 'Promote Maya (pushed directly)',
      date: DATE,
    });
    return { before, sha };
  }

  /** `rolecall apply --github` on the push of `merge`, as apply.yml runs it. */
  apply(
    merge: Merge,
    extraArgs: string[] = [],
    extraEnv: Record<string, string> = {},
  ): Promise<CliResult> {
    const event = example('push');
    Object.assign(event, {
      ref: 'refs/heads/main',
      before: merge.before,
      after: merge.sha,
      head_commit: { ...objectIn(event, 'head_commit'), id: merge.sha },
    });
    Object.assign(objectIn(event, 'repository'), {
      full_name: this.repo.fullName,
      name: this.repo.name,
    });
    const args = APPLY_ARGS.map((a) => (a.startsWith('github-secret:') ? this.tokenStore : a));
    // `--rate`: the tests do not wait on the production FreshBooks rate budget.
    return this.run([...args, '--rate', '200', ...extraArgs], 'push', event, merge.sha, extraEnv);
  }

  /** Any rolecall command with this flow's Actions environment. */
  async run(
    args: string[],
    eventName: string,
    event: Record<string, unknown>,
    sha: string,
    /** Overrides of this flow's Actions environment (e.g. a later ROLECALL_NOW). */
    extraEnv: Record<string, string> = {},
  ): Promise<CliResult> {
    const eventPath = join(this.files, `event-${eventName}.json`);
    await writeFile(eventPath, JSON.stringify(event));
    const io = bufferIo({
      cwd: this.git.dir,
      env: {
        ...this.gh.env(TOKENS.actions),
        FRESHBOOKS_API_URL: this.emulator.url,
        FRESHBOOKS_CLIENT_ID: this.emulator.credentials.clientId,
        FRESHBOOKS_CLIENT_SECRET: this.emulator.credentials.clientSecret,
        [SECRET]: this.refreshToken,
        ROLECALL_SECRETS_TOKEN: TOKENS.secrets,
        ROLECALL_TEAMS_TOKEN: TOKENS.teams,
        ROLECALL_NOW: NOW,
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: this.repo.fullName,
        GITHUB_EVENT_NAME: eventName,
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_SHA: sha,
        GITHUB_ACTOR: 'dev',
        GITHUB_RUN_ID: '9001',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_STEP_SUMMARY: this.summaryPath,
        GITHUB_OUTPUT: join(this.files, 'output.txt'),
        ...extraEnv,
      },
    });
    const code = await main(args, io);
    // Actions hands the next job the secret as it is now.
    this.refreshToken = this.repo.secretValue(SECRET, ENVIRONMENT) ?? this.refreshToken;
    return { code, out: io.out(), err: io.err() };
  }

  /** `--token-store` of this flow and a test-sized FreshBooks rate. */
  storeArgs(): string[] {
    return ['--token-store', this.tokenStore, '--rate', '200'];
  }

  get summaryPath(): string {
    return join(this.files, 'summary.md');
  }

  approve(pr: PullRequest, user: string, commitId = pr.head, state = 'APPROVED'): void {
    this.repo.addReview(pr.number, { user, state, commitId });
  }

  /** Forgets every review of the pull request (the fake lets tests replay the gate). */
  clearReviews(pr: PullRequest): void {
    const kept = this.repo.reviews.filter((r) => r.pullNumber !== pr.number);
    this.repo.reviews.splice(0, this.repo.reviews.length, ...kept);
  }

  /** After the emulator's state was reloaded: the seed's refresh token is the live one again. */
  resetFreshBooksToken(): void {
    this.refreshToken = this.emulator.credentials.refreshToken;
  }

  /** rolecall's comments of a kind on the pull request (by marker). */
  comments(pr: PullRequest, kind: 'plan' | 'apply'): FakeComment[] {
    return this.repo
      .commentsOn(pr.number)
      .filter((c) => c.body.includes(`<!-- rolecall:${kind}:pr `));
  }

  /** Every audit record the checkout's `.rolecall/audit/` holds (what the artifact uploads). */
  async audit(): Promise<AuditRecord[]> {
    const dir = join(this.git.dir, '.rolecall', 'audit');
    const names = await readdir(dir).catch(() => [] as string[]);
    const records: AuditRecord[] = [];
    for (const name of names.sort()) {
      for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
        if (line.trim()) records.push(JSON.parse(line) as AuditRecord);
      }
    }
    return records;
  }
}

/** A commit as GitHub's pull-request commit list records it. */
function fakeCommit(
  sha: string,
  parent: string,
  message: string,
  author: FakeGitPerson,
  committer: FakeGitPerson = author,
): FakeCommit {
  return { sha, message, author, committer, date: DATE, parents: [parent] };
}
