/**
 * The request form's world, all real: a temporary git repository as the Actions checkout whose
 * `origin` is a bare remote, the fake GitHub on loopback reading pull-request heads and commits
 * from that remote (`gitDir`), the FreshBooks emulator, and rolecall run in-process through
 * `main` with each workflow's own command line (request.yml, apply.yml, expire.yml) and an
 * `issues` / `push` event payload from GitHub's examples.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { AuditRecord } from '../../../src/apply/records.js';
import { main } from '../../../src/cli/main.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { bufferIo } from '../../support/buffer-io.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import type { FakeComment } from '../../support/fake-github/state.js';
import {
  createBareRemote,
  createTempRepo,
  type BareRemote,
  type TempRepo,
} from '../../support/temp-repo.js';
import { webhookExample } from '../../support/webhook-examples.js';
import { formBody, type FormAnswers } from '../../unit/jit/request-form.js';

export const ACME = 240340;
export const POLICY_FILE = 'policies/acme-books.yaml';
export const TEMP = 'temp@contractors.example';
export const REQUESTER = 'temp-gh';

/** The emulator's default business, time-bound contractors revoked on their own at expiry. */
export const POLICY = `# Who has access to Acme Books Inc.
business: 240340 # FreshBooks business_id
name: Acme Books Inc.
mode: additive # people not listed here are left alone

rules:
  protected: [olivia@acme.example]
  minAdmins: 2
  requireExpiry: [contractor]
  maxDuration:
    contractor: 30d
  allowedDomains: [acme.example, contractors.example]
  requireReason: true
  autoApproveExpiry: true # expired grants are revoked without a pull request

members:
  - email: alice@acme.example
    role: admin
    reason: Finance lead

  - email: ben@acme.example
    role: admin
    reason: Controller
`;

/**
 * POLICY with a `seats:` block (issue 17): `limit` paid seats at USD 11 a month each. The
 * emulator's default business holds 13 paid seats (invitations included, the owner not).
 */
export function policyWithSeats(limit: number): string {
  return POLICY.replace(
    '\nmembers:\n',
    `\nseats:\n  limit: ${limit}\n  price: { amount: 11, currency: USD, per: month }\n\nmembers:\n`,
  );
}

/** A workflow step's `rolecall` command line, as arguments. */
export function workflowArgs(workflow: string, job: string, command: string): string[] {
  const doc = parse(readFileSync(packagePath('.github', 'workflows', workflow), 'utf8')) as {
    jobs: Record<string, { steps: Array<{ run?: string }> }>;
  };
  const runs = (doc.jobs[job]?.steps ?? [])
    .map((s) => s.run?.trim() ?? '')
    .filter((r) => r.startsWith(`rolecall ${command} `));
  if (runs.length !== 1) throw new Error(`${workflow}: ${runs.length} rolecall ${command} steps`);
  return (runs[0] as string).split(/\s+/).slice(1);
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export interface Merge {
  before: string;
  sha: string;
}

export class RequestWorld {
  private constructor(
    readonly emulator: RunningEmulator,
    readonly gh: FakeGitHub,
    readonly repo: FakeRepo,
    readonly git: TempRepo,
    readonly remote: BareRemote,
    readonly files: string,
  ) {}

  static async create(policy = POLICY, date = '2026-01-05T10:00:00Z'): Promise<RequestWorld> {
    const emulator = await startEmulator({ port: 0 });
    const gh = await startFakeGitHub();
    addStandardTokens(gh);
    const repo = gh.world.repo('acme', 'access');
    repo.environment('freshbooks-production');
    for (const login of ['ben-gh', 'olivia-gh', REQUESTER]) repo.permissions.set(login, 'write');
    repo.ensureLabel('access-request');
    const git = await createTempRepo({ prefix: 'rolecall-request-' });
    const remote = await createBareRemote();
    await git.commit({ files: { [POLICY_FILE]: policy }, message: 'Add the policies', date });
    await git.git.raw(['remote', 'add', 'origin', remote.url]);
    await git.git.raw(['push', '--quiet', '-u', 'origin', 'main']);
    // GitHub reads the pull requests' heads and commits from the remote the workflow pushes to.
    repo.gitDir = remote.dir;
    // A CI checkout: no git identity of its own (rolecall commits as the token's bot).
    await git.git.raw(['config', '--unset', 'user.name']);
    await git.git.raw(['config', '--unset', 'user.email']);
    const files = await mkdtemp(join(tmpdir(), 'rolecall-request-files-'));
    return new RequestWorld(emulator, gh, repo, git, remote, files);
  }

  async close(): Promise<void> {
    await this.git.cleanup();
    await this.remote.cleanup();
    await rm(this.files, { recursive: true, force: true });
    await this.emulator.close();
    await this.gh.close();
  }

  /** An issue made from the form by `author`. */
  openIssue(answers: FormAnswers | string, author = REQUESTER): number {
    return this.repo.addIssue({
      author,
      title: 'Access request: contractor',
      body: typeof answers === 'string' ? answers : formBody(answers),
      labels: ['access-request'],
    });
  }

  editIssue(number: number, answers: FormAnswers | string): void {
    this.repo.issue(number).body = typeof answers === 'string' ? answers : formBody(answers);
  }

  /**
   * request.yml's step, for an `issues` event (`opened`, `edited`, `closed`) sent by `sender`.
   * `env` is laid over the step's environment last (`ROLECALL_GITHUB_RETRY: undefined` runs
   * with octokit's retry and throttling on, as in a workflow).
   */
  async request(
    number: number,
    options: {
      action?: string;
      sender?: string;
      now: string;
      token?: string;
      env?: Record<string, string | undefined>;
    },
  ): Promise<CliRun> {
    // GitHub's examples have no `closed` issue event: an `opened` one, relabelled.
    const action = options.action ?? 'opened';
    const event = webhookExample('issues', action === 'closed' ? 'opened' : action);
    event['action'] = action;
    const issue = (event['issue'] ?? {}) as Record<string, unknown>;
    Object.assign(issue, { number });
    event['issue'] = issue;
    event['sender'] = { login: options.sender ?? REQUESTER, type: 'User' };
    const args = workflowArgs('request.yml', 'request', 'request').map((a) =>
      a === '"$ISSUE_NUMBER"'
        ? String(number)
        : a.startsWith('github-secret:')
          ? this.tokenStore
          : a,
    );
    return this.run([...args, '--rate', '200'], 'issues', event, {
      ROLECALL_NOW: options.now,
      ...(options.token ? { GITHUB_TOKEN: options.token } : {}),
      ...options.env,
    });
  }

  /** The pull request is approved by `user` at its head. */
  approve(pullNumber: number, user: string): void {
    this.repo.addReview(pullNumber, {
      user,
      state: 'APPROVED',
      commitId: this.repo.pull(pullNumber).headSha,
    });
  }

  /** Merged on GitHub: a merge commit on main, pushed; the checkout is at it. */
  async merge(pullNumber: number, date: string): Promise<Merge> {
    const branch = this.repo.pull(pullNumber).headRef;
    const before = await this.git.head();
    await this.git.git.raw(['fetch', '--quiet', 'origin', branch]);
    const sha = await this.git.merge('FETCH_HEAD', {
      message: `Merge pull request #${pullNumber} from acme/${branch}`,
      date,
    });
    await this.git.git.raw(['push', '--quiet', 'origin', 'main']);
    this.repo.merge(pullNumber, sha);
    return { before, sha };
  }

  /** apply.yml's step on the push of `merge`. */
  apply(merge: Merge, now: string): Promise<CliRun> {
    const event = webhookExample('push');
    Object.assign(event, { ref: 'refs/heads/main', before: merge.before, after: merge.sha });
    const args = workflowArgs('apply.yml', 'apply', 'apply').map((a) =>
      a.startsWith('github-secret:') ? this.tokenStore : a,
    );
    return this.run([...args, '--rate', '200'], 'push', event, {
      ROLECALL_NOW: now,
      GITHUB_SHA: merge.sha,
    });
  }

  /** expire.yml's step. */
  expire(now: string): Promise<CliRun> {
    const args = workflowArgs('expire.yml', 'expire', 'expire').map((a) =>
      a.startsWith('github-secret:') ? this.tokenStore : a,
    );
    return this.run([...args, '--rate', '200'], 'schedule', {}, { ROLECALL_NOW: now });
  }

  private get tokenStore(): string {
    return `file:${join(this.files, 'credentials.json')}`;
  }

  /** Any rolecall command line in this Actions environment (no event), at `now`. */
  cli(args: string[], now: string): Promise<CliRun> {
    return this.run(args, 'workflow_dispatch', {}, { ROLECALL_NOW: now });
  }

  private async run(
    args: string[],
    eventName: string,
    event: Record<string, unknown>,
    extra: Record<string, string | undefined>,
  ): Promise<CliRun> {
    const eventPath = join(this.files, `event-${eventName}.json`);
    await writeFile(eventPath, JSON.stringify(event));
    const io = bufferIo({
      cwd: this.git.dir,
      env: {
        ...this.gh.env(TOKENS.actions),
        FRESHBOOKS_API_URL: this.emulator.url,
        FRESHBOOKS_CLIENT_ID: this.emulator.credentials.clientId,
        FRESHBOOKS_CLIENT_SECRET: this.emulator.credentials.clientSecret,
        FRESHBOOKS_REFRESH_TOKEN: this.emulator.credentials.refreshToken,
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: 'acme/access',
        GITHUB_EVENT_NAME: eventName,
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_ACTOR: 'dev',
        GITHUB_RUN_ID: '9001',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_STEP_SUMMARY: join(this.files, 'summary.md'),
        GITHUB_OUTPUT: join(this.files, 'output.txt'),
        ...extra,
      },
    });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  }

  /** rolecall's status comments on the issue (by marker): one, always. */
  statusComments(number: number): FakeComment[] {
    return this.repo
      .commentsOn(number)
      .filter((c) => c.body.includes('<!-- rolecall:request:status '));
  }

  status(number: number): string {
    const [comment, ...more] = this.statusComments(number);
    if (!comment || more.length > 0) {
      throw new Error(`issue #${number} has ${this.statusComments(number).length} status comments`);
    }
    return comment.body;
  }

  /** The pull requests of the repository, by number. */
  pulls(): number[] {
    return [...this.repo.issues.values()].filter((i) => i.pull).map((i) => i.number);
  }

  /** Every audit record the checkout's `.rolecall/audit/` holds. */
  async audit(): Promise<AuditRecord[]> {
    const dir = join(this.git.dir, '.rolecall', 'audit');
    const records: AuditRecord[] = [];
    for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
      for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
        if (line.trim()) records.push(JSON.parse(line) as AuditRecord);
      }
    }
    return records;
  }

  /** FreshBooks writes the emulator saw. */
  freshbooksWrites() {
    return this.emulator.control.requests().log.filter((e) => e.applied !== undefined);
  }
}
