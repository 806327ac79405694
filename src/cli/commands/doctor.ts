import { EXIT } from '../../errors.js';
import { nowFrom } from '../../flows/clock.js';
import { doctor } from '../../flows/doctor.js';
import type { Console } from '../../ports.js';
import { parseCommandArgs, POLICIES_OPTION } from '../args.js';

const HELP = `Usage: rolecall doctor [--github] [--json] [--strict] [--policies DIR] [--token-store SPEC]

Checks that this deployment is actually safe: the FreshBooks credentials, the repository's
workflows and CODEOWNERS, and the GitHub settings rolecall's approval gate depends on. One line
per check: ✓ passed, ✗ unsafe, ? not verified (the token may not see it; the line names the
permission that would let it). For ✗ and ? it says why it matters and the exact fix.

  policies               the policies load and validate
  freshbooks.store       the token store opens and holds a token for this API URL and client
  freshbooks.refresh     a refresh works and the rotated token is saved
  freshbooks.scopes      the granted scopes cover what the policies need
  freshbooks.businesses  every business in the policies is reachable, as an admin
  workflows.present      plan, apply, drift, expire, review and doctor .yml are there
  workflows.pinned       they pin this rolecall by commit
  workflows.current      and are what \`rolecall init\` writes (a diff otherwise)
  codeowners.coverage    CODEOWNERS owns policies/, .github/ and everything else
GitHub (with --github, or when GITHUB_REPOSITORY and a token — GITHUB_TOKEN or
ROLECALL_DOCTOR_TOKEN — are set):
  branch.pull-request, branch.approvals, branch.dismiss-stale, branch.code-owners,
  branch.last-push, branch.force-push, branch.deletion, branch.bypass
                         the default branch's protection or rulesets
  codeowners.errors      GitHub finds no error in CODEOWNERS (unknown owners included)
  environment.branches   only the default branch may use the environment freshbooks-production
  secrets.environment    the secrets are in that environment (names only, never values)
  secrets.repository     and none of them is a repository secret
  secrets.token          ROLECALL_SECRETS_TOKEN can write the environment's secrets
  actions.pull-requests  "Allow GitHub Actions to create and approve pull requests"

Read-only, except that the refresh rotates the FreshBooks refresh token, which is saved to the
token store as every command saves it. Settings are read with ROLECALL_DOCTOR_TOKEN when set (a
read-only token with Administration, Actions, Contents, Environments and Secrets: read), else
GITHUB_TOKEN, which cannot see branch protection or secret names.

Options:
  --github             also check GitHub's settings, and keep one issue (label rolecall-doctor)
                       open while anything is unsafe, closed when fixed (GITHUB_REPOSITORY,
                       GITHUB_TOKEN; the job needs \`issues: write\` and \`actions: read\`)
  --json               print [{id, status, found, why, fix}] (status: pass, fail or unknown)
  --strict             a check that could not be verified (?) fails the run too
  --policies DIR       policy directory (default: policies)
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment] (which also proves the secrets token
                       can write: opening it writes the secret back unchanged)
  --verbose            log every FreshBooks request (redacted) on stderr
  -h, --help           this help

Exit codes: 0 nothing unsafe (with --strict: everything verified); 1 something is unsafe, or
the doctor issue could not be updated.
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: POLICIES_OPTION,
    github: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    'token-store': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const outcome = await doctor(io, {
    policiesDir: values.policies,
    github: values.github,
    json: values.json,
    strict: values.strict,
    tokenStore: values['token-store'],
    verbose: values.verbose,
    now: nowFrom(io.env),
  });
  return outcome.exitCode;
}
