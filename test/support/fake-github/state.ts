/**
 * The fake GitHub's in-memory world: users and their tokens, teams, and repositories
 * (repo.ts). Seeding helpers are methods; the routes read and write the same objects.
 */
import { FakeRepo } from './repo.js';

export type UserType = 'User' | 'Bot';

export interface FakeUser {
  id: number;
  login: string;
  type: UserType;
  email: string | null;
}

/** What a token may do. GITHUB_TOKEN-like by default: write issues/PRs, nothing else. */
export interface TokenPowers {
  /** `GET /user` works (a PAT); otherwise 403 "Resource not accessible by integration". */
  user: boolean;
  /**
   * `true`: read secret public keys and write secrets ("Secrets: Read and write").
   * `'read'`: read the public keys only ("Secrets: Read-only"); a PUT answers 403.
   */
  secrets: boolean | 'read';
  /** Read organization teams and memberships. */
  teams: boolean;
  /** Create/update issues, comments, pull requests, labels. */
  write: boolean;
  /**
   * "Administration": `'read'` reads branch protection and the Actions workflow permissions;
   * `'write'` also sees a ruleset's bypass list (GitHub shows it only to who may edit it).
   */
  administration: false | 'read' | 'write';
  /** "Actions: read": environments and their deployment-branch rules. Default true. */
  actions: boolean;
}

export interface FakeToken {
  token: string;
  user: FakeUser;
  powers: TokenPowers;
}

export interface PullData {
  headRef: string;
  headSha: string;
  headRepoFullName: string | null;
  baseRef: string;
  baseSha: string;
  merged: boolean;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  draft: boolean;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  pull: PullData | null;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
}

export interface FakeReview {
  id: number;
  pullNumber: number;
  user: FakeUser;
  state: string;
  commitId: string | null;
  submittedAt: string | null;
  body: string;
}

export interface SealedSecret {
  encryptedValue: string;
  keyId: string;
  updatedAt: string;
}

export interface SecretBox {
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
  secrets: Map<string, SealedSecret>;
}

export class FakeClock {
  private seconds = 0;
  constructor(private readonly base = Date.parse('2026-01-05T09:00:00Z')) {}
  /** Every call is one second later: creation order is visible in the timestamps. */
  tick(): string {
    this.seconds += 1;
    return new Date(this.base + this.seconds * 1000).toISOString();
  }
}

export class FakeWorld {
  readonly clock = new FakeClock();
  readonly users = new Map<string, FakeUser>();
  readonly tokens = new Map<string, FakeToken>();
  readonly repos = new Map<string, FakeRepo>();
  /** `org/slug` → login → membership state. */
  readonly teams = new Map<string, Map<string, 'active' | 'pending'>>();
  private id = 1000;

  nextId(): number {
    return ++this.id;
  }

  /** The user with this login, created on first mention (type Bot for `…[bot]`). */
  user(login: string, extra: { email?: string | null; type?: UserType } = {}): FakeUser {
    let user = this.users.get(login.toLowerCase());
    if (!user) {
      user = {
        id: this.nextId(),
        login,
        type: extra.type ?? (login.endsWith('[bot]') ? 'Bot' : 'User'),
        email: extra.email ?? null,
      };
      this.users.set(login.toLowerCase(), user);
    } else {
      if (extra.email !== undefined) user.email = extra.email;
      if (extra.type) user.type = extra.type;
    }
    return user;
  }

  addToken(token: string, login: string, powers: Partial<TokenPowers> = {}): void {
    this.tokens.set(token, {
      token,
      user: this.user(login),
      powers: {
        user: false,
        secrets: false,
        teams: false,
        write: true,
        administration: false,
        actions: true,
        ...powers,
      },
    });
  }

  repo(owner: string, name: string): FakeRepo {
    const key = `${owner}/${name}`.toLowerCase();
    let repo = this.repos.get(key);
    if (!repo) {
      repo = new FakeRepo(owner, name, this);
      this.repos.set(key, repo);
    }
    return repo;
  }

  findRepo(owner: string, name: string): FakeRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  addTeam(
    team: string,
    members: Array<string | { login: string; state: 'active' | 'pending' }>,
  ): void {
    this.teams.set(
      team.toLowerCase(),
      new Map(
        members.map((m) =>
          typeof m === 'string' ? [m.toLowerCase(), 'active'] : [m.login.toLowerCase(), m.state],
        ),
      ),
    );
  }
}

export { FakeRepo };
