/**
 * A fake repository's settings, the ones `rolecall doctor` reads: branch protection per
 * branch, rulesets, what GitHub says about CODEOWNERS, each environment's reviewers and
 * deployment-branch rule, and the Actions workflow permissions. Tests set them field by field;
 * `recommendedSettings` is the configuration the security model recommends.
 */

export interface FakePullRequestReviews {
  approvals: number;
  dismissStale: boolean;
  codeOwners: boolean;
  lastPush: boolean;
  /** "Allow specified actors to bypass required pull requests": logins. */
  bypassUsers: string[];
}

export interface FakeProtection {
  /** `null`: "Require a pull request before merging" is off. */
  pullRequest: FakePullRequestReviews | null;
  /** Required status checks (contexts); empty: none. */
  statusChecks: string[];
  /** "Do not allow bypassing the above settings". */
  enforceAdmins: boolean;
  allowForcePushes: boolean;
  allowDeletions: boolean;
}

export interface FakeRulesetRule {
  type: string;
  parameters?: Record<string, unknown>;
}

export interface FakeRuleset {
  id: number;
  name: string;
  enforcement: 'active' | 'evaluate' | 'disabled';
  /** `ref_name.include`: `~DEFAULT_BRANCH`, `~ALL`, `refs/heads/main`. */
  include: string[];
  rules: FakeRulesetRule[];
  bypassActors: Array<{
    actor_id: number | null;
    actor_type:
      'Integration' | 'OrganizationAdmin' | 'RepositoryRole' | 'Team' | 'DeployKey' | 'User';
    bypass_mode: 'always' | 'pull_request' | 'exempt';
  }>;
}

export interface FakeCodeownersError {
  line: number;
  column: number;
  kind: string;
  message: string;
  path: string;
  source?: string;
  suggestion?: string | null;
}

export interface FakeEnvironmentSettings {
  /** Required reviewers (logins). */
  reviewers: string[];
  /**
   * `null`: "No restriction"; `protected`: "Protected branches only"; `custom`: "Selected
   * branches and tags" with these rules.
   */
  branchPolicy:
    | null
    | { kind: 'protected' }
    | { kind: 'custom'; rules: Array<{ name: string; type: 'branch' | 'tag' }> };
}

export interface FakeActionsPermissions {
  defaultWorkflowPermissions: 'read' | 'write';
  canApprovePullRequestReviews: boolean;
}

export interface FakeSettings {
  defaultBranch: string;
  /** Every branch of the repository (the default one included). */
  branches: Set<string>;
  /** branch → its protection; a branch absent here is not protected. */
  protection: Map<string, FakeProtection>;
  rulesets: FakeRuleset[];
  /** `null`: the default branch has no CODEOWNERS file (GitHub answers 404). */
  codeownersErrors: FakeCodeownersError[] | null;
  actions: FakeActionsPermissions;
}

export function defaultSettings(): FakeSettings {
  return {
    defaultBranch: 'main',
    branches: new Set(['main']),
    protection: new Map(),
    rulesets: [],
    codeownersErrors: null,
    actions: { defaultWorkflowPermissions: 'read', canApprovePullRequestReviews: false },
  };
}

/** The branch protection the security model recommends, for `approvals` approvals. */
export function recommendedProtection(approvals = 1): FakeProtection {
  return {
    pullRequest: {
      approvals,
      dismissStale: true,
      codeOwners: true,
      lastPush: true,
      bypassUsers: [],
    },
    statusChecks: ['validate', 'plan'],
    enforceAdmins: true,
    allowForcePushes: false,
    allowDeletions: false,
  };
}

/** A ruleset on the default branch with every recommended rule, and nobody to bypass it. */
export function recommendedRuleset(id: number, approvals = 1): FakeRuleset {
  return {
    id,
    name: 'Protect the default branch',
    enforcement: 'active',
    include: ['~DEFAULT_BRANCH'],
    rules: [
      { type: 'deletion' },
      { type: 'non_fast_forward' },
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: approvals,
          dismiss_stale_reviews_on_push: true,
          require_code_owner_review: true,
          require_last_push_approval: true,
          required_review_thread_resolution: false,
        },
      },
      {
        type: 'required_status_checks',
        parameters: {
          strict_required_status_checks_policy: false,
          required_status_checks: [{ context: 'validate' }, { context: 'plan' }],
        },
      },
    ],
    bypassActors: [],
  };
}
