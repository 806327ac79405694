/**
 * One repository of the fake: issues and pull requests (one numbering, as on GitHub), comments,
 * reviews, labels, the pull requests of each commit, the commits of each pull request, the
 * repository activity (who pushed what to which branch), collaborator permissions, and Actions
 * secrets sealed to a real libsodium key pair the fake holds (so tests can decrypt them).
 */
import { execFileSync } from 'node:child_process';
import sodium from 'libsodium-wrappers';
import { defaultSettings, type FakeEnvironmentSettings, type FakeSettings } from './settings.js';
import type {
  FakeComment,
  FakeIssue,
  FakeReview,
  FakeWorld,
  PullData,
  SecretBox,
} from './state.js';

/** A commit's author or committer: git's name and email, and the account GitHub links it to. */
export interface FakeGitPerson {
  name: string;
  email: string;
  /** The GitHub user whose verified email this is; `null` when none (GitHub then says `null`). */
  login: string | null;
}

/** A commit of a pull request, as `GET /pulls/{n}/commits` reports it. */
export interface FakeCommit {
  sha: string;
  message: string;
  author: FakeGitPerson;
  committer: FakeGitPerson;
  /** Author and committer date (ISO). */
  date: string;
  parents: string[];
}

export type FakeActivityType =
  'push' | 'force_push' | 'branch_creation' | 'branch_deletion' | 'pr_merge' | 'merge_queue_merge';

/** One repository activity (`GET /repos/{owner}/{repo}/activity`). */
export interface FakeActivity {
  id: number;
  before: string;
  after: string;
  /** `refs/heads/<branch>`. */
  ref: string;
  timestamp: string;
  activityType: FakeActivityType;
  /** Who did it; `null` for a deleted account. */
  actor: string | null;
}

/** The all-zero sha GitHub reports as `before` of a branch creation. */
export const ZERO_SHA = '0'.repeat(40);

let nextKeyId = 1;
function newSecretBox(): SecretBox {
  const pair = sodium.crypto_box_keypair();
  return {
    keyId: `key-${nextKeyId++}`,
    publicKey: pair.publicKey,
    privateKey: pair.privateKey,
    secrets: new Map(),
  };
}

export class FakeRepo {
  readonly issues = new Map<number, FakeIssue>();
  readonly comments: FakeComment[] = [];
  readonly reviews: FakeReview[] = [];
  readonly labels = new Map<string, { name: string; color: string; description: string }>();
  /** sha → pull request numbers associated with it (`GET /commits/{sha}/pulls`). */
  readonly commitPulls = new Map<string, number[]>();
  /**
   * Pull request number → its commits, oldest first. A pull request no test set commits for has
   * one: its head, authored and committed by the pull request's author (`commitsOf`).
   */
  readonly pullCommits = new Map<number, FakeCommit[]>();
  /** Repository activity, oldest first (the route lists newest first, as GitHub does). */
  readonly activities: FakeActivity[] = [];
  /** login → permission (`admin`, `maintain`, `write`, `triage`, `read`). */
  readonly permissions = new Map<string, string>();
  readonly repoSecrets: SecretBox = newSecretBox();
  readonly environments = new Map<string, SecretBox>();
  /** Each environment's reviewers and deployment-branch rule (see settings.ts). */
  readonly environmentSettings = new Map<string, FakeEnvironmentSettings>();
  /** Branch protection, rulesets, CODEOWNERS errors, Actions permissions. */
  readonly settings: FakeSettings = defaultSettings();
  private nextNumber = 1;
  readonly id: number;
  /**
   * A real (bare) git repository standing for this one's branches, when a test pushes to it:
   * a pull request's head then follows its branch there (a force-push moves it), and its
   * commits are read from it (`commitsOf`), as GitHub records a push.
   */
  gitDir: string | null = null;
  /** Set by `refuseActionsPullRequests`. */
  private actionsPullRequestsRefused = false;

  constructor(
    readonly owner: string,
    readonly name: string,
    private readonly world: FakeWorld,
  ) {
    this.id = world.nextId();
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  takeNumber(): number {
    return this.nextNumber++;
  }

  addIssue(input: {
    author: string;
    title?: string;
    body?: string;
    labels?: string[];
    state?: 'open' | 'closed';
  }): number {
    const now = this.world.clock.tick();
    const number = this.takeNumber();
    this.issues.set(number, {
      number,
      title: input.title ?? `Issue ${number}`,
      body: input.body ?? '',
      state: input.state ?? 'open',
      stateReason: null,
      labels: [...(input.labels ?? [])],
      user: this.world.user(input.author),
      createdAt: now,
      updatedAt: now,
      closedAt: input.state === 'closed' ? now : null,
      pull: null,
    });
    for (const label of input.labels ?? []) this.ensureLabel(label);
    return number;
  }

  addPullRequest(input: {
    author: string;
    headSha: string;
    headRef?: string;
    baseRef?: string;
    title?: string;
    body?: string;
    labels?: string[];
    headRepoFullName?: string | null;
  }): number {
    const number = this.addIssue({
      author: input.author,
      title: input.title ?? `Pull request`,
      ...(input.body === undefined ? {} : { body: input.body }),
      ...(input.labels ? { labels: input.labels } : {}),
    });
    const issue = this.issue(number);
    issue.pull = {
      headRef: input.headRef ?? `branch-${number}`,
      headSha: input.headSha,
      headRepoFullName:
        input.headRepoFullName === undefined ? this.fullName : input.headRepoFullName,
      baseRef: input.baseRef ?? 'main',
      baseSha: 'b'.repeat(40),
      merged: false,
      mergeCommitSha: null,
      mergedAt: null,
      draft: false,
    };
    this.associate(input.headSha, number);
    return number;
  }

  /**
   * "Allow GitHub Actions to create and approve pull requests" off, enforced: GitHub then
   * answers 403 when GITHUB_TOKEN (github-actions[bot]) opens a pull request. Opt-in, because
   * most tests open pull requests that way in repositories left at the default settings.
   */
  refuseActionsPullRequests(): void {
    this.settings.actions.canApprovePullRequestReviews = false;
    this.actionsPullRequestsRefused = true;
  }

  /** Whether GitHub refuses `login`'s new pull request under the Actions setting. */
  refusesPullRequestFrom(login: string): boolean {
    return (
      this.actionsPullRequestsRefused &&
      !this.settings.actions.canApprovePullRequestReviews &&
      login === 'github-actions[bot]'
    );
  }

  /** The commit `branch` points at in `gitDir`, or null (no git repository, or no branch). */
  branchHead(branch: string): string | null {
    if (this.gitDir === null) return null;
    try {
      return execFileSync(
        'git',
        [
          '--git-dir',
          this.gitDir,
          'rev-parse',
          '--verify',
          '--quiet',
          `refs/heads/${branch}^{commit}`,
        ],
        { encoding: 'utf8' },
      ).trim();
    } catch {
      return null;
    }
  }

  /** An open pull request's head follows its branch in `gitDir`. */
  followBranch(number: number): void {
    const issue = this.issue(number);
    if (!issue.pull || issue.state !== 'open') return;
    const sha = this.branchHead(issue.pull.headRef);
    if (sha !== null && sha !== issue.pull.headSha) this.pushHead(number, sha);
  }

  /** A new head commit (a push to the pull request's branch). */
  pushHead(number: number, sha: string): void {
    const pull = this.pull(number);
    pull.headSha = sha;
    this.associate(sha, number);
  }

  merge(number: number, mergeCommitSha: string): void {
    const issue = this.issue(number);
    const pull = this.pull(number);
    const now = this.world.clock.tick();
    pull.merged = true;
    pull.mergeCommitSha = mergeCommitSha;
    pull.mergedAt = now;
    issue.state = 'closed';
    issue.closedAt = now;
    issue.updatedAt = now;
    this.associate(mergeCommitSha, number);
  }

  /** Replaces the pull request's commits (oldest first). */
  setCommits(number: number, commits: FakeCommit[]): void {
    this.pull(number);
    this.pullCommits.set(number, [...commits]);
  }

  /** The pull request's commits as GitHub lists them (see `pullCommits`), oldest first. */
  commitsOf(number: number): FakeCommit[] {
    const set = this.pullCommits.get(number);
    if (set) return set;
    const issue = this.issue(number);
    const pull = this.pull(number);
    const fromGit = this.commitsInGit(pull.baseRef, pull.headSha);
    if (fromGit) return fromGit;
    const author: FakeGitPerson = {
      name: issue.user.login,
      email: `${issue.user.id}+${issue.user.login}@users.noreply.github.com`,
      login: issue.user.login,
    };
    return [
      {
        sha: pull.headSha,
        message: issue.title,
        author,
        committer: author,
        date: issue.createdAt,
        parents: [pull.baseSha],
      },
    ];
  }

  /** The commits `base..head` in `gitDir`, oldest first, or null without one. */
  private commitsInGit(base: string, head: string): FakeCommit[] | null {
    if (this.gitDir === null || this.branchHead(base) === null) return null;
    let out: string;
    try {
      out = execFileSync(
        'git',
        [
          '--git-dir',
          this.gitDir,
          'log',
          '--reverse',
          '--format=%H%x00%an%x00%ae%x00%cn%x00%ce%x00%aI%x00%P%x00%B%x1e',
          `refs/heads/${base}..${head}`,
        ],
        { encoding: 'utf8' },
      );
    } catch {
      return null;
    }
    const person = (name: string, email: string): FakeGitPerson => ({
      name,
      email,
      // GitHub links a no-reply address to its account, and any address a user holds.
      login:
        /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/.exec(email)?.[1] ??
        [...this.world.users.values()].find((u) => u.email === email)?.login ??
        null,
    });
    return out
      .split('\x1e')
      .map((entry) => entry.replace(/^\n/, ''))
      .filter((entry) => entry.trim() !== '')
      .map((entry) => {
        const [
          sha = '',
          an = '',
          ae = '',
          cn = '',
          ce = '',
          date = '',
          parents = '',
          message = '',
        ] = entry.split('\0');
        return {
          sha,
          message: message.trimEnd(),
          author: person(an, ae),
          committer: person(cn, ce),
          date,
          parents: parents.split(' ').filter(Boolean),
        };
      });
  }

  /** Records an activity (a push to a branch, by default). Returns its id. */
  addActivity(input: {
    before: string;
    after: string;
    ref: string;
    actor: string | null;
    activityType?: FakeActivityType;
  }): number {
    const id = this.world.nextId();
    this.activities.push({
      id,
      before: input.before,
      after: input.after,
      ref: input.ref.startsWith('refs/') ? input.ref : `refs/heads/${input.ref}`,
      timestamp: this.world.clock.tick(),
      activityType: input.activityType ?? 'push',
      actor: input.actor,
    });
    return id;
  }

  associate(sha: string, number: number): void {
    const list = this.commitPulls.get(sha) ?? [];
    if (!list.includes(number)) list.push(number);
    this.commitPulls.set(sha, list);
  }

  addReview(
    number: number,
    input: { user: string; state: string; commitId: string | null; submittedAt?: string },
  ): number {
    const id = this.world.nextId();
    this.reviews.push({
      id,
      pullNumber: number,
      user: this.world.user(input.user),
      state: input.state,
      commitId: input.commitId,
      submittedAt:
        input.state === 'PENDING' ? null : (input.submittedAt ?? this.world.clock.tick()),
      body: '',
    });
    return id;
  }

  /** GitHub turns a dismissed review's state into DISMISSED. */
  dismissReview(id: number): void {
    const review = this.reviews.find((r) => r.id === id);
    if (!review) throw new Error(`no review ${id}`);
    review.state = 'DISMISSED';
  }

  addComment(number: number, input: { user: string; body: string }): number {
    const now = this.world.clock.tick();
    const id = this.world.nextId();
    this.comments.push({
      id,
      issueNumber: number,
      body: input.body,
      user: this.world.user(input.user),
      createdAt: now,
      updatedAt: now,
    });
    return id;
  }

  commentsOn(number: number): FakeComment[] {
    return this.comments.filter((c) => c.issueNumber === number);
  }

  ensureLabel(name: string): void {
    if (!this.labels.has(name)) this.labels.set(name, { name, color: 'ededed', description: '' });
  }

  issue(number: number): FakeIssue {
    const issue = this.issues.get(number);
    if (!issue) throw new Error(`no issue ${number} in ${this.fullName}`);
    return issue;
  }

  pull(number: number): PullData {
    const pull = this.issue(number).pull;
    if (!pull) throw new Error(`#${number} is not a pull request`);
    return pull;
  }

  environment(name: string): SecretBox {
    let box = this.environments.get(name);
    if (!box) {
      box = newSecretBox();
      this.environments.set(name, box);
      this.environmentSettings.set(name, { reviewers: [], branchPolicy: null });
    }
    return box;
  }

  /** Creates the environment if needed and changes its settings. */
  configureEnvironment(name: string, patch: Partial<FakeEnvironmentSettings>): void {
    this.environment(name);
    const current = this.environmentSettings.get(name) as FakeEnvironmentSettings;
    this.environmentSettings.set(name, { ...current, ...patch });
  }

  /** Stores a secret as GitHub would after a PUT: sealed to the box's public key. */
  setSecret(name: string, value: string, environment?: string): void {
    const box = environment ? this.environment(environment) : this.repoSecrets;
    const sealed = sodium.crypto_box_seal(sodium.from_string(value), box.publicKey);
    box.secrets.set(name, {
      encryptedValue: sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL),
      keyId: box.keyId,
      updatedAt: this.world.clock.tick(),
    });
  }

  /** Decrypts a stored secret with the fake's private key: proves the client sealed it right. */
  secretValue(name: string, environment?: string): string | null {
    const box = environment ? this.environments.get(environment) : this.repoSecrets;
    const sealed = box?.secrets.get(name);
    if (!box || !sealed) return null;
    const plain = sodium.crypto_box_seal_open(
      sodium.from_base64(sealed.encryptedValue, sodium.base64_variants.ORIGINAL),
      box.publicKey,
      box.privateKey,
    );
    return sodium.to_string(plain);
  }
}
