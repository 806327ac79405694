/**
 * Facts for the doctor's pure checks: a deployment exactly as the security model recommends,
 * which tests then change one fact at a time.
 */
import { readFileSync } from 'node:fs';
import type {
  BranchProtection,
  DoctorFacts,
  GitHubSettings,
  Read,
  Unreadable,
} from '../../../src/doctor/index.js';
import { renderWorkflows, SCAFFOLD_WORKFLOWS } from '../../../src/init/render-scaffold.js';
import { packagePath } from '../../../src/paths.js';

export const COMMIT = 'c'.repeat(40);
export const VERSION = '0.1.0';
export const PIN = { ref: `rolecall-dev/rolecall@${COMMIT}`, label: `v${VERSION}` };

export const TEMPLATES: Record<string, string> = Object.fromEntries(
  SCAFFOLD_WORKFLOWS.map((name) => [
    name,
    readFileSync(packagePath('.github', 'workflows', name), 'utf8'),
  ]),
);

export function ok<T>(value: T): Read<T> {
  return { ok: true, value };
}

export function refused(
  permission: string,
  status = 403,
  token = 'GITHUB_TOKEN',
  message = 'Resource not accessible by integration',
): Unreadable {
  return { ok: false, status, message, permission, token };
}

export function protection(): BranchProtection {
  return {
    pullRequest: {
      approvals: 1,
      dismissStale: true,
      codeOwners: true,
      lastPush: true,
      bypass: [],
    },
    statusChecks: ['validate', 'plan'],
    enforceAdmins: true,
    allowForcePushes: false,
    allowDeletions: false,
  };
}

export const CODEOWNERS = `*             @acme/access-admins
/policies/    @acme/access-admins
/.github/     @acme/access-admins
`;

export function github(): GitHubSettings {
  return {
    checked: true,
    repository: 'acme/access',
    defaultBranch: ok('main'),
    protection: ok(protection()),
    rules: ok([]),
    rulesets: {},
    codeownersErrors: ok([]),
    environment: ok({
      reviewers: [],
      branchPolicy: { kind: 'custom', policies: ok([{ name: 'main', type: 'branch' }]) },
    }),
    environmentSecrets: ok([
      'FRESHBOOKS_CLIENT_ID',
      'FRESHBOOKS_CLIENT_SECRET',
      'FRESHBOOKS_REFRESH_TOKEN',
      'ROLECALL_SECRETS_TOKEN',
    ]),
    repositorySecrets: ok([]),
    workflowPermissions: ok({
      defaultWorkflowPermissions: 'read',
      canApprovePullRequestReviews: true,
    }),
    secretsToken: { present: true, publicKey: ok(true) },
  };
}

export function facts(): DoctorFacts {
  const workflows = Object.fromEntries(
    renderWorkflows(TEMPLATES, PIN).map((file) => [
      file.path.split('/').at(-1) as string,
      file.text,
    ]),
  );
  return {
    policies: {
      ok: true,
      dir: 'policies',
      businesses: [
        {
          businessId: 240340,
          name: 'Acme Books Inc.',
          file: 'policies/acme-books.yaml',
          approvalsRequired: 1,
          writes: true,
          namesTeams: false,
        },
      ],
    },
    freshbooks: {
      target: 'https://api.freshbooks.com (client rolecall)',
      store: {
        state: 'open',
        description: 'GitHub environment secret FRESHBOOKS_REFRESH_TOKEN',
        entry: true,
        envToken: 'FRESHBOOKS_REFRESH_TOKEN',
        unclaimed: false,
        otherTargets: [],
        secret: { name: 'FRESHBOOKS_REFRESH_TOKEN', environment: 'freshbooks-production' },
      },
      refresh: {
        state: 'refreshed',
        persisted: true,
        store: 'GitHub environment secret FRESHBOOKS_REFRESH_TOKEN',
        scope:
          'user:profile:read user:teams:read user:account:read user:teams:write user:account:write',
      },
      identity: {
        state: 'read',
        email: 'alice@acme.example',
        businesses: [{ businessId: 240340, name: 'Acme Books Inc.', role: 'business_partner' }],
      },
    },
    repository: {
      workflows,
      templates: TEMPLATES,
      build: { version: VERSION, commit: COMMIT, dirty: false },
      ownRepository: false,
      codeowners: { path: '.github/CODEOWNERS', text: CODEOWNERS },
    },
    github: github(),
  };
}
