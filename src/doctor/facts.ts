/**
 * What `rolecall doctor` read, as plain data. The flow (src/flows/doctor.ts) gathers these
 * facts from FreshBooks, the repository's files and the GitHub REST API; every check is a pure
 * function of them. Nothing here holds a secret: tokens appear as the names of their
 * variables, secrets by name only.
 */

/** A value read from GitHub, or why it could not be. */
export type Read<T> = { ok: true; value: T } | Unreadable;

export interface Unreadable {
  ok: false;
  /** HTTP status; `null` when there was no answer (network). */
  status: number | null;
  /** GitHub's message (redacted). */
  message: string;
  /** The fine-grained permission that would let the token read it, e.g. `Administration: read`. */
  permission: string;
  /** The variable whose token was used, e.g. `GITHUB_TOKEN`. */
  token: string;
}

export interface DoctorFacts {
  policies: PolicyFacts;
  freshbooks: FreshBooksFacts;
  repository: RepositoryFacts;
  github: GitHubFacts;
}

// ── Policies ──────────────────────────────────────────────────────────────────────────────

export type PolicyFacts =
  | { ok: true; dir: string; businesses: PolicyBusiness[] }
  | { ok: false; dir: string; message: string };

export interface PolicyBusiness {
  businessId: number;
  name: string | null;
  /** Repository-relative path of the policy file. */
  file: string;
  /** `approvals.required` (1 when the policy has no `approvals:`). */
  approvalsRequired: number;
  /** Some action is provisioned through the API (`api`, the default): apply writes. */
  writes: boolean;
  /** `approvals:` names GitHub teams (the teams token is then needed). */
  namesTeams: boolean;
}

// ── FreshBooks ────────────────────────────────────────────────────────────────────────────

export interface FreshBooksFacts {
  /** `https://api.freshbooks.com (client abc)`; `null` when no client id is set. */
  target: string | null;
  store: StoreFact;
  refresh: RefreshFact;
  identity: IdentityFact;
}

export type StoreFact =
  | {
      state: 'open';
      /** `file .rolecall/credentials.json`, `GitHub environment secret …`. */
      description: string;
      /** The store holds a refresh token for this target. */
      entry: boolean;
      /** The variable holding a refresh token that would seed the store, if any. */
      envToken: string | null;
      /** An entry of an older rolecall with no target recorded (tried, then claimed). */
      unclaimed: boolean;
      /** Other targets the store holds tokens for. */
      otherTargets: string[];
      /**
       * A GitHub secret store (`github-secret:NAME@environment`): opening it wrote the secret
       * back unchanged, which proves the secrets token can write it.
       */
      secret: { name: string; environment: string | null } | null;
    }
  | {
      state: 'error';
      description: string | null;
      message: string;
      /** rolecall's error code, e.g. `SECRET_WRITE_REFUSED` (the secrets token cannot write). */
      code: string;
    };

export type RefreshFact =
  | { state: 'skipped'; reason: string }
  | { state: 'failed'; message: string }
  | {
      state: 'refreshed';
      /** The store holds the rotated refresh token (read back). */
      persisted: boolean;
      store: string;
      /** The token answer's `scope`, space-separated; `null` when FreshBooks sent none. */
      scope: string | null;
    };

export type IdentityFact =
  | { state: 'skipped' }
  | { state: 'failed'; message: string }
  | {
      state: 'read';
      email: string;
      businesses: Array<{ businessId: number; name: string; role: string }>;
    };

// ── The repository's files ────────────────────────────────────────────────────────────────

export interface BuildFacts {
  version: string;
  /** The commit this rolecall was built from; `null` when unknown (built without git). */
  commit: string | null;
  dirty: boolean;
}

export interface RepositoryFacts {
  /** Workflow file name → its text in `.github/workflows/`, or `null` when missing. */
  workflows: Record<string, string | null>;
  /** Workflow file name → rolecall's own text (what `rolecall init` renders from). */
  templates: Record<string, string>;
  build: BuildFacts;
  /**
   * The directory is rolecall's own source (its `action.yml`): the workflows set rolecall up
   * with `uses: ./`, built from this checkout, and are rolecall's own files.
   */
  ownRepository: boolean;
  /** The CODEOWNERS GitHub uses (`.github/`, the root, `docs/`, in that order), or `null`. */
  codeowners: { path: string; text: string } | null;
}

// ── GitHub ────────────────────────────────────────────────────────────────────────────────

export type GitHubFacts = { checked: false; reason: string } | GitHubSettings;

export interface GitHubSettings {
  checked: true;
  /** `owner/repo`. */
  repository: string;
  defaultBranch: Read<string>;
  /** `null`: the branch is not protected. */
  protection: Read<BranchProtection | null>;
  /** The active ruleset rules that apply to the default branch. */
  rules: Read<BranchRule[]>;
  /** Ruleset id → the ruleset (for its bypass list). */
  rulesets: Record<string, Read<RulesetDetail>>;
  /** `null`: no CODEOWNERS file on the default branch. */
  codeownersErrors: Read<CodeownersError[] | null>;
  /** `null`: the environment does not exist. */
  environment: Read<EnvironmentSettings | null>;
  /** Names of the environment's secrets. */
  environmentSecrets: Read<string[]>;
  repositorySecrets: Read<string[]>;
  workflowPermissions: Read<WorkflowPermissions>;
  /** `ROLECALL_SECRETS_TOKEN`: absent from this run, or its read of the environment's key. */
  secretsToken: { present: false } | { present: true; publicKey: Read<true> };
}

export interface PullRequestRule {
  approvals: number;
  dismissStale: boolean;
  codeOwners: boolean;
  lastPush: boolean;
}

export interface BranchProtection {
  pullRequest: (PullRequestRule & { bypass: string[] }) | null;
  statusChecks: string[];
  /** "Do not allow bypassing the above settings" (administrators are held to them too). */
  enforceAdmins: boolean;
  allowForcePushes: boolean;
  allowDeletions: boolean;
}

export interface BranchRule {
  /** `pull_request`, `non_fast_forward`, `deletion`, `required_status_checks`, … */
  type: string;
  rulesetId: number | null;
  pullRequest: PullRequestRule | null;
  statusChecks: string[];
}

export interface RulesetDetail {
  id: number;
  name: string;
  /** `null`: GitHub did not show the bypass list (it shows it only to who may edit the ruleset). */
  bypassActors: Array<{ type: string; id: number | null; mode: string }> | null;
}

export interface CodeownersError {
  line: number;
  kind: string;
  message: string;
}

export interface EnvironmentSettings {
  /** Required reviewers (logins and team slugs). */
  reviewers: string[];
  /** `null`: every branch may deploy. */
  branchPolicy:
    | null
    | { kind: 'protected'; protectedBranches: Read<string[]> }
    | { kind: 'custom'; policies: Read<Array<{ name: string; type: string }>> };
}

export interface WorkflowPermissions {
  defaultWorkflowPermissions: string;
  canApprovePullRequestReviews: boolean;
}
