/**
 * The doctor's pure checks, one fact changed at a time: what passes, what fails, and what
 * cannot be known (and so is never a pass).
 */
import { describe, expect, it } from 'vitest';
import {
  evaluateDoctor,
  isUnsafe,
  type CheckResult,
  type DoctorFacts,
  type GitHubSettings,
} from '../../../src/doctor/index.js';
import { facts, ok, protection, refused } from './builders.js';

function statuses(results: readonly CheckResult[]): string[] {
  return results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status}`);
}

function byId(results: readonly CheckResult[], id: string): CheckResult {
  const found = results.find((r) => r.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
}

function withGitHub(edit: (gh: GitHubSettings) => void): DoctorFacts {
  const f = facts();
  if (!f.github.checked) throw new Error('unchecked');
  edit(f.github);
  return f;
}

describe('evaluateDoctor', () => {
  it('the recommended deployment passes all 23 checks, each id once', () => {
    const results = evaluateDoctor(facts());
    expect(statuses(results)).toEqual([]);
    expect(results).toHaveLength(23);
    expect(new Set(results.map((r) => r.id)).size).toBe(23);
    expect(results.every((r) => r.fix === null && r.why.length > 20)).toBe(true);
  });

  it('without GitHub: one "?" line, which only --strict makes fail', () => {
    const f = facts();
    f.github = { checked: false, reason: 'pass --github' };
    const results = evaluateDoctor(f);
    expect(statuses(results)).toEqual(['github: unknown']);
    expect(isUnsafe(results, false)).toBe(false);
    expect(isUnsafe(results, true)).toBe(true);
  });
});

describe('branch rules from branch protection and rulesets together', () => {
  const rulesetRules = (id: number) => [
    {
      type: 'pull_request',
      rulesetId: id,
      pullRequest: { approvals: 2, dismissStale: true, codeOwners: true, lastPush: true },
      statusChecks: [],
    },
    { type: 'non_fast_forward', rulesetId: id, pullRequest: null, statusChecks: [] },
    { type: 'deletion', rulesetId: id, pullRequest: null, statusChecks: [] },
    {
      type: 'required_status_checks',
      rulesetId: id,
      pullRequest: null,
      statusChecks: ['validate', 'plan'],
    },
  ];

  it('admins may bypass the protection, but a ruleset nobody bypasses holds them: no hole', () => {
    const results = evaluateDoctor(
      withGitHub((gh) => {
        gh.protection = ok({ ...protection(), enforceAdmins: false });
        gh.rules = ok(rulesetRules(5));
        gh.rulesets = { '5': ok({ id: 5, name: 'main', bypassActors: [] }) };
      }),
    );
    expect(statuses(results)).toEqual([]);
    expect(byId(results, 'branch.bypass').found).toBe(
      'nobody may bypass the branch protection of main or ruleset "main" (id 5)',
    );
  });

  it('a setting only a bypassable source holds is a hole', () => {
    const results = evaluateDoctor(
      withGitHub((gh) => {
        gh.protection = ok({ ...protection(), allowForcePushes: true });
        gh.rules = ok(rulesetRules(5));
        gh.rulesets = {
          '5': ok({
            id: 5,
            name: 'main',
            bypassActors: [{ type: 'Team', id: 42, mode: 'always' }],
          }),
        };
      }),
    );
    expect(statuses(results)).toEqual(['branch.bypass: fail']);
    expect(byId(results, 'branch.bypass').found).toBe(
      'may bypass — ruleset "main" (id 5): Team 42',
    );
  });

  it('a setting neither source holds fails, naming both, with the fix in the protection rule', () => {
    const results = evaluateDoctor(
      withGitHub((gh) => {
        const base = protection();
        gh.protection = ok({ ...base, pullRequest: { ...base.pullRequest!, codeOwners: false } });
        gh.rules = ok([
          {
            type: 'pull_request',
            rulesetId: 5,
            pullRequest: { approvals: 1, dismissStale: true, codeOwners: false, lastPush: true },
            statusChecks: [],
          },
        ]);
        gh.rulesets = { '5': ok({ id: 5, name: 'five', bypassActors: [] }) };
      }),
    );
    expect(statuses(results)).toEqual(['branch.code-owners: fail']);
    expect(byId(results, 'branch.code-owners')).toMatchObject({
      found:
        'neither the branch protection of main nor ruleset "five" (id 5) requires review from Code Owners',
      fix: 'Settings → Branches → the branch protection rule of `main` → "Require a pull request before merging" → "Require review from Code Owners"',
    });
  });

  it('a bypass list GitHub did not show is "?", not a pass', () => {
    const results = evaluateDoctor(
      withGitHub((gh) => {
        gh.protection = ok(null);
        gh.rules = ok(rulesetRules(5));
        gh.rulesets = { '5': ok({ id: 5, name: 'main', bypassActors: null }) };
      }),
    );
    expect(statuses(results)).toEqual(['branch.bypass: unknown']);
  });

  it('approvals: the strictest source counts', () => {
    const f = withGitHub((gh) => {
      gh.protection = ok({ ...protection(), statusChecks: ['validate'] });
      gh.rules = ok([
        {
          type: 'pull_request',
          rulesetId: 6,
          pullRequest: { approvals: 3, dismissStale: false, codeOwners: false, lastPush: false },
          statusChecks: [],
        },
        { type: 'required_status_checks', rulesetId: 6, pullRequest: null, statusChecks: ['plan'] },
      ]);
      gh.rulesets = { '6': ok({ id: 6, name: 'six', bypassActors: [] }) };
    });
    if (!f.policies.ok) throw new Error('policies');
    f.policies.businesses[0]!.approvalsRequired = 2;
    const results = evaluateDoctor(f);
    expect(statuses(results)).toEqual([]);
    expect(byId(results, 'branch.approvals').found).toBe(
      `ruleset "six" (id 6) requires enough approvals (3 required; the policies' lowest approvals.required is 2)`,
    );
  });

  it('a protection the token cannot read: met by a ruleset → pass; otherwise "?" with the permission', () => {
    const hidden = refused('Administration: read');
    const met = evaluateDoctor(
      withGitHub((gh) => {
        gh.protection = hidden;
        gh.rules = ok(rulesetRules(5));
        gh.rulesets = { '5': ok({ id: 5, name: 'main', bypassActors: [] }) };
      }),
    );
    expect(statuses(met)).toEqual([]);
    const unmet = evaluateDoctor(withGitHub((gh) => (gh.protection = hidden)));
    const branch = unmet.filter((r) => r.id.startsWith('branch.'));
    expect(branch.every((r) => r.status === 'unknown')).toBe(true);
    expect(byId(unmet, 'branch.deletion').fix).toContain(
      'a workflow\'s GITHUB_TOKEN cannot have "Administration: read": set ROLECALL_DOCTOR_TOKEN',
    );
  });

  it('the default branch unknown: every branch check is "?"', () => {
    const results = evaluateDoctor(
      withGitHub(
        (gh) =>
          (gh.defaultBranch = refused('Metadata: read', 404, 'ROLECALL_DOCTOR_TOKEN', 'Not Found')),
      ),
    );
    expect(statuses(results).filter((s) => s.startsWith('branch.'))).toHaveLength(8);
    expect(statuses(results).every((s) => s.endsWith('unknown') || !s.startsWith('branch.'))).toBe(
      true,
    );
  });

  it('the lowest approvals.required of several policies is the bar', () => {
    const f = facts();
    if (!f.policies.ok) throw new Error('policies');
    f.policies.businesses.push({
      ...f.policies.businesses[0]!,
      businessId: 2,
      approvalsRequired: 3,
    });
    if (f.freshbooks.identity.state !== 'read') throw new Error('identity');
    f.freshbooks.identity.businesses.push({ businessId: 2, name: 'Two', role: 'owner' });
    f.policies.businesses[0]!.approvalsRequired = 2;
    expect(statuses(evaluateDoctor(f))).toEqual(['branch.approvals: fail']);
  });
});

describe('the rest, one fact at a time', () => {
  it('unreadable answers name the fix for each token and status', () => {
    const cases: Array<[GitHubSettings['workflowPermissions'], string]> = [
      [
        refused('Administration: read', 401, 'ROLECALL_DOCTOR_TOKEN', 'Bad credentials'),
        'ROLECALL_DOCTOR_TOKEN was refused (401): it is invalid or expired; replace it',
      ],
      [
        refused('Administration: read', 502, 'GITHUB_TOKEN', 'Bad gateway'),
        'GitHub did not answer: run `rolecall doctor` again',
      ],
      [
        refused('Administration: read', 404, 'ROLECALL_DOCTOR_TOKEN', 'Not Found'),
        'give ROLECALL_DOCTOR_TOKEN the permission "Administration: read"',
      ],
    ];
    for (const [read, fix] of cases) {
      const results = evaluateDoctor(withGitHub((gh) => (gh.workflowPermissions = read)));
      expect(byId(results, 'actions.pull-requests')).toMatchObject({ status: 'unknown', fix });
    }
    const actions = evaluateDoctor(withGitHub((gh) => (gh.environment = refused('Actions: read'))));
    expect(byId(actions, 'environment.branches').fix).toBe(
      'give the job the permission "Actions: read" (`permissions: actions: read`), or set ROLECALL_DOCTOR_TOKEN to a token that has it',
    );
  });

  it('scopes: unreported is "?"; a missing read scope fails even for a read-only deployment', () => {
    const f = facts();
    if (f.freshbooks.refresh.state !== 'refreshed' || !f.policies.ok) throw new Error('facts');
    f.freshbooks.refresh.scope = null;
    expect(statuses(evaluateDoctor(f))).toEqual(['freshbooks.scopes: unknown']);
    f.freshbooks.refresh.scope = 'user:profile:read user:teams:write';
    for (const b of f.policies.businesses) b.writes = false;
    const results = evaluateDoctor(f);
    expect(byId(results, 'freshbooks.scopes').found).toBe(
      'granted: user:profile:read user:teams:write; missing user:teams:read user:account:read: rolecall cannot read the team',
    );
  });

  it('teams in approvals: rules make ROLECALL_TEAMS_TOKEN a required secret', () => {
    const f = facts();
    if (!f.policies.ok) throw new Error('policies');
    f.policies.businesses[0]!.namesTeams = true;
    const results = evaluateDoctor(f);
    expect(statuses(results)).toEqual(['secrets.environment: fail']);
    expect(byId(results, 'secrets.environment').found).toBe(
      "freshbooks-production lacks ROLECALL_TEAMS_TOKEN (a policy's approvals: names GitHub teams)",
    );
  });

  it('secrets.token: without a proving write, reading the public key is only "?"', () => {
    const f = facts();
    if (f.freshbooks.store.state !== 'open') throw new Error('store');
    f.freshbooks.store.secret = null;
    expect(statuses(evaluateDoctor(f))).toEqual(['secrets.token: unknown']);
    // A repository secret store proves nothing about the environment's.
    f.freshbooks.store.secret = { name: 'FRESHBOOKS_REFRESH_TOKEN', environment: null };
    expect(statuses(evaluateDoctor(f))).toEqual(['secrets.token: unknown']);
  });

  it('the refresh: not persisted fails; skipped is "?"', () => {
    const f = facts();
    f.freshbooks.refresh = { state: 'refreshed', persisted: false, store: 'file x', scope: null };
    expect(statuses(evaluateDoctor(f))).toEqual([
      'freshbooks.refresh: fail',
      'freshbooks.scopes: unknown',
    ]);
    f.freshbooks.refresh = { state: 'skipped', reason: 'no token' };
    f.freshbooks.identity = { state: 'skipped' };
    expect(statuses(evaluateDoctor(f))).toEqual([
      'freshbooks.refresh: unknown',
      'freshbooks.scopes: unknown',
      'freshbooks.businesses: unknown',
    ]);
  });

  it('environment reviewers are reported, not judged', () => {
    const results = evaluateDoctor(
      withGitHub((gh) => {
        gh.environment = ok({
          reviewers: ['olivia'],
          branchPolicy: { kind: 'custom', policies: ok([{ name: 'main', type: 'branch' }]) },
        });
      }),
    );
    expect(byId(results, 'environment.branches')).toMatchObject({
      status: 'pass',
      found:
        'only main may deploy to freshbooks-production; required reviewers: olivia (every plan and the hourly expiry wait for them; the security model recommends none)',
    });
  });

  it('a tag rule in the environment, or no rule at all, fails', () => {
    const tag = evaluateDoctor(
      withGitHub((gh) => {
        gh.environment = ok({
          reviewers: [],
          branchPolicy: {
            kind: 'custom',
            policies: ok([
              { name: 'main', type: 'branch' },
              { name: 'v*', type: 'tag' },
            ]),
          },
        });
      }),
    );
    expect(byId(tag, 'environment.branches').found).toBe(
      'freshbooks-production may also be deployed from tag `v*`; no required reviewers',
    );
  });
});
