/**
 * What `rolecall init` writes into an access repository, as text: the workflows, CODEOWNERS,
 * `.gitignore`, a README, and (when nothing can be imported) an example policy. Pure: the
 * workflow templates, the action reference and the owners come in as arguments.
 *
 * The workflows are rolecall's own `.github/workflows/*.yml` — the files its test suite runs —
 * with the one line that differs: rolecall's repository sets itself up with `uses: ./`, an
 * access repository with the action pinned to a commit of rolecall.
 */

/** The workflows an access repository runs (ci.yml is rolecall's own). */
export const SCAFFOLD_WORKFLOWS = [
  'plan.yml',
  'apply.yml',
  'drift.yml',
  'expire.yml',
  'review.yml',
  'doctor.yml',
  'request.yml',
];

/** The issue forms an access repository ships, copied as they are (`.github/ISSUE_TEMPLATE/`). */
export const SCAFFOLD_ISSUE_TEMPLATES = ['request-access.yml'];

/** How rolecall's own workflows set rolecall up: the action at the repository root. */
export const LOCAL_ACTION_LINE = /^(\s*- uses: )\.\/$/gm;

export interface ActionPin {
  /** `OWNER/REPO@REF`, REF a full commit sha when known. */
  ref: string;
  /** What the ref is, for the trailing comment (`v0.1.0`). */
  label: string;
}

export interface ScaffoldOptions {
  /** Workflow file name → rolecall's own text of it. */
  workflows: Record<string, string>;
  /** Issue form file name → rolecall's own text of it (`SCAFFOLD_ISSUE_TEMPLATES`). */
  issueTemplates?: Record<string, string>;
  action: ActionPin;
  /** CODEOWNERS owners (`@org/team` or `@user`); a placeholder when none is given. */
  owners: readonly string[];
  /** rolecall's version, for the README. */
  version: string;
}

export interface ScaffoldFile {
  /** Relative to the repository root, `/`-separated. */
  path: string;
  text: string;
}

export const PLACEHOLDER_OWNER = '@YOUR-ORG/access-admins';

/** The workflows with rolecall's `uses: ./` replaced by the pinned action. */
export function renderWorkflows(
  workflows: Record<string, string>,
  action: ActionPin,
): ScaffoldFile[] {
  return SCAFFOLD_WORKFLOWS.map((name) => {
    const text = workflows[name];
    if (text === undefined) throw new Error(`rolecall init: no template for ${name}`);
    if (text.match(LOCAL_ACTION_LINE) === null) {
      throw new Error(`rolecall init: ${name} does not set rolecall up with \`uses: ./\``);
    }
    return {
      path: `.github/workflows/${name}`,
      text: text.replace(LOCAL_ACTION_LINE, `$1${action.ref} # ${action.label}`),
    };
  });
}

export function renderScaffold(options: ScaffoldOptions): ScaffoldFile[] {
  const owners = options.owners.length > 0 ? options.owners : [PLACEHOLDER_OWNER];
  return [
    ...renderWorkflows(options.workflows, options.action),
    ...Object.entries(options.issueTemplates ?? {}).map(([name, text]) => ({
      path: `.github/ISSUE_TEMPLATE/${name}`,
      text,
    })),
    { path: '.github/CODEOWNERS', text: renderCodeowners(owners) },
    { path: '.gitignore', text: GITIGNORE },
    { path: 'README.md', text: renderReadme(options) },
  ];
}

export const GITIGNORE_ENTRY = '.rolecall/';

const GITIGNORE = `# rolecall's local state: FreshBooks credentials (never commit them), the apply journal and
# the audit log of local runs.
${GITIGNORE_ENTRY}
# Plan files written with \`rolecall plan --out\`.
/plan.json
`;

function renderCodeowners(owners: readonly string[]): string {
  const who = owners.join(' ');
  return `# Who must review a change here. Turn on "Require review from Code Owners" in the branch
# protection rule (or ruleset) of the default branch, with "Require approval of the most recent
# reviewable push" (README.md lists every setting).
#
# Everything is owned: the workflows run with the FreshBooks credentials and a token that
# writes secrets, and \`policies/\` is who can see the books. rolecall itself is pinned by commit
# in the workflows' \`uses:\` line, so changing the tool is a change to .github/ too.
# CODEOWNERS uses the last matching line: the catch-all comes first so that a file added later
# is never unowned.

# Everything, including files that do not exist yet.
*             ${who}

# Access decisions (rolecall's \`approvals:\` rules add a per-business gate on top).
/policies/    ${who}

# The workflows, and this file.
/.github/     ${who}
`;
}

function renderReadme(options: ScaffoldOptions): string {
  return `# FreshBooks access

Who has access to which FreshBooks business, and why — as code, managed with
[rolecall](https://github.com/rolecall-dev/rolecall) ${options.version}.

- \`policies/\` holds one file per business: the desired team members, their roles and why.
- A pull request that changes a policy gets a plan comment (what would be granted, changed or
  revoked). Once approved and merged, \`apply.yml\` applies exactly that plan.
- \`drift.yml\` reports changes made in FreshBooks by hand, \`expire.yml\` revokes time-bound
  access when it expires, \`review.yml\` opens the quarterly access review, and \`doctor.yml\`
  checks every week that the settings below still hold (one issue while something is unsafe).
- Time-bound access without a terminal: the issue form "Request FreshBooks access"; \`request.yml\`
  turns it into a pull request and keeps the issue up to date until the access ends.

To change access: edit a file in \`policies/\` (\`rolecall validate\` checks it), open a pull
request, wait for the plan comment, and ask an approver who is not the author.

## Setting up this repository

The workflows run rolecall from \`${options.action.ref}\` (${options.action.label}); change that
line in all seven files together to upgrade.

1. **Environment** \`freshbooks-production\` (Settings → Environments): deployment branches
   limited to the default branch. Its secrets:
   - \`FRESHBOOKS_CLIENT_ID\`, \`FRESHBOOKS_CLIENT_SECRET\`: the FreshBooks OAuth app;
   - \`FRESHBOOKS_REFRESH_TOKEN\`: from \`rolecall auth login\` (rolecall rotates it: each run
     writes the new one back into this secret);
   - \`ROLECALL_SECRETS_TOKEN\`: a fine-grained token (or GitHub App token) with "Secrets: read
     and write" on this repository's environments, used only for that write-back;
   - optional \`ROLECALL_TEAMS_TOKEN\`: "Members: read" on the organisation, when a policy's
     \`approvals:\` names GitHub teams;
   - optional \`ROLECALL_DOCTOR_TOKEN\`: a fine-grained token for this repository with read-only
     "Administration", "Actions", "Contents", "Environments" and "Secrets", so that
     \`doctor.yml\` can see branch protection and secret names (GITHUB_TOKEN cannot).
2. **Branch protection** (or a ruleset) on the default branch: require a pull request, at
   least one approval, review from Code Owners, approval of the most recent push, dismiss stale
   approvals; block force pushes and deletion; nobody may bypass. (Do not make plan.yml's checks
   required: it runs only for policy changes, and GitHub would block every other pull request.)
3. **CODEOWNERS**: \`.github/CODEOWNERS\` names who reviews${
    options.owners.length === 0 ? ` — replace \`${PLACEHOLDER_OWNER}\` with a real team` : ''
  }.
4. **Actions** (Settings → Actions → General): "Allow GitHub Actions to create and approve pull
   requests", for the expiry clean-up, the access-review and the access-request pull requests.
5. **Label** \`access-request\` (Issues → Labels, or \`gh label create access-request\`): the
   request form adds it to each request, and GitHub adds only labels that exist.

Then check it: \`GITHUB_REPOSITORY=OWNER/REPO GITHUB_TOKEN=… rolecall doctor\` (a token that may
read the settings) prints one line per setting, and why and how to fix what is unsafe. Open a
pull request that changes a policy and watch the plan comment arrive.
`;
}

/** The policy written when there is nothing to import: valid, and explained line by line. */
export function renderExamplePolicy(schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
#
# An example policy: who should have access to one FreshBooks business, and why. Replace the
# business id with yours (\`rolecall businesses\` or \`rolecall auth status\` lists them), or
# delete this file and run \`rolecall import --business ID --out policies/NAME.yaml\` to start
# from the live team.

business: 1 # FreshBooks business_id
name: Example Company
mode: additive # people in FreshBooks but not listed here are reported, never revoked

rules:
  minAdmins: 1 # admins that must remain after any change
  requireReason: true

approvals:
  required: 1 # approving reviews, by someone other than the author, before apply

members:
  - email: finance-lead@example.com
    role: admin
    reason: Finance lead
`;
}
