import { RolecallError, UsageError } from '../../errors.js';
import { commitOnNewBranch, deleteBranch, isRepository, pushBranch } from '../../git/index.js';
import { openPullRequest } from '../../github/pull-requests.js';
import { resolveGitHubTarget, resolveGitTarget, type GitTarget } from '../../jit/git-target.js';
import { planRequestEdit, type AccessRequest } from '../../jit/plan-request-edit.js';
import {
  readPoliciesAtCommit,
  readPoliciesInWorkingTree,
  type PolicySnapshot,
} from '../../jit/policy-snapshot.js';
import { renderRequest } from '../../jit/render-request.js';
import { requestBranchName } from '../../jit/request-branch.js';
import { resolveExpiry } from '../../jit/resolve-expiry.js';
import { yamlDiff } from '../../jit/yaml-diff.js';
import { formatInstant } from '../../policy/parse-time.js';
import {
  formatDiagnostic,
  formatGitHubAnnotation,
  validateDocuments,
} from '../../policy/load-desired-state.js';
import { redact } from '../../redact.js';
import type { Diagnostic } from '../../types.js';
import { integerOption, parseCommandArgs } from '../args.js';
import { nowFrom } from '../../flows/clock.js';
import type { Console } from '../../ports.js';
import { inGitHubActions } from '../../console.js';
import { DEFAULT_POLICIES_DIR } from '../../flows/context.js';

const HELP = `Usage: rolecall request --business ID --email EMAIL --role ROLE
                        (--for DURATION | --until DATE) --reason TEXT [options]

Asks for time-bound access the way every access change is made: as a pull request. rolecall
edits the business's policy file (comments and layout kept; for someone who already has a
time-bound grant, it edits that entry: an extension is a new \`expires\`), checks the result
exactly as \`rolecall validate\` does (known role, allowed domain, rules.maxDuration measured
from now, a reason, ...), then commits it on a new branch rolecall/request/<who>-<role>-<time>
without touching your checkout, pushes it and opens the pull request. Anything validation
refuses is refused before git is touched. Merging the pull request grants the access; when it
ends, \`rolecall expire\` revokes it.

The edit is made to the policy as it is on the base branch (origin/<base> as last fetched),
not to your working tree: uncommitted edits never ride along.

Options:
  --business ID       the FreshBooks business id (the policy's \`business:\`)
  --email EMAIL       who gets the access
  --role ROLE         admin, manager, accountant, employee, contractor or unassigned
  --for DURATION      how long, from now: 30m, 8h, 14d, 2w
  --until DATE        until a date (through the end of that day, UTC) or a date-time with
                      an offset (2026-12-01T18:00:00+01:00)
  --reason TEXT       why (shown to the reviewer, kept in the policy)
  --ticket T          a ticket reference
  --dry-run           print the policy diff and change nothing
  --policies DIR      the policy directory (default: policies)
  --base BRANCH       the branch the pull request targets (default: the remote's default branch)
  --remote NAME       the remote to push to (default: the upstream remote, else origin)
  -h, --help          this help

GitHub: the repository comes from the remote's URL (or GITHUB_REPOSITORY=owner/repo), the
token from GITHUB_TOKEN (or GH_TOKEN), the API from GITHUB_API_URL (GitHub Enterprise).
The clock: ROLECALL_NOW (an ISO instant) replaces now, for --for and for the commit date.
`;

function printDiagnostics(io: Console, diagnostics: readonly Diagnostic[]): void {
  const annotate = inGitHubActions(io);
  for (const d of diagnostics) {
    io.stderr.write(`${formatDiagnostic(d)}\n`);
    if (annotate) io.stderr.write(`${formatGitHubAnnotation(d)}\n`);
  }
}

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: { type: 'string', default: DEFAULT_POLICIES_DIR },
    business: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    for: { type: 'string' },
    until: { type: 'string' },
    reason: { type: 'string' },
    ticket: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    base: { type: 'string' },
    remote: { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  for (const name of ['business', 'email', 'role', 'reason'] as const) {
    if (values[name] === undefined || values[name].trim() === '') {
      throw new UsageError(`request needs --${name} (see rolecall request --help)`);
    }
  }
  const businessId = integerOption('business', values.business) as number;
  const now = nowFrom(io.env);
  const request: AccessRequest = {
    businessId,
    email: (values.email as string).trim(),
    role: (values.role as string).trim(),
    expiry: resolveExpiry({ for: values.for, until: values.until }, now),
    reason: (values.reason as string).trim(),
    ticket: values.ticket?.trim() || undefined,
  };
  const dryRun = values['dry-run'];

  // 1. The policies as the pull request will change them: at the base commit.
  const inRepo = await isRepository(io.cwd);
  if (!inRepo && !dryRun) {
    throw new RolecallError(
      'NOT_A_REPOSITORY',
      'rolecall request commits on a branch and opens a pull request: run it inside the policy repository (or use --dry-run)',
    );
  }
  let target: GitTarget | null = null;
  let snapshot: PolicySnapshot;
  let label: string;
  if (inRepo) {
    target = await resolveGitTarget(io.cwd, { remote: values.remote, base: values.base });
    snapshot = await readPoliciesAtCommit(io.cwd, values.policies, target.baseSha);
    label = `${target.baseRef} ${target.baseSha.slice(0, 7)}`;
  } else {
    snapshot = await readPoliciesInWorkingTree(io.cwd, values.policies);
    label = 'working tree';
  }
  const base = validateDocuments(snapshot.sources, { now });
  const baseErrors = [...snapshot.problems, ...base.errors];
  if (baseErrors.length > 0 || !base.value) {
    printDiagnostics(io, baseErrors);
    throw new RolecallError(
      'POLICY_INVALID',
      `the policies in ${values.policies} (${label}) do not validate; fix them before requesting access. Nothing was changed`,
    );
  }

  // 2. The edit, validated exactly as `rolecall validate` would (now = the request's clock).
  const edit = planRequestEdit(base.value, snapshot.sources, request);
  if (edit.after === edit.before) {
    io.stdout.write(
      `${request.email} already has ${request.role} in ${edit.file} with this expiry, reason and ticket: nothing to request.\n`,
    );
    return 0;
  }
  const checked = validateDocuments(edit.sources, { now });
  printDiagnostics(io, [
    ...checked.errors,
    ...checked.warnings.filter((w) => w.source?.file === edit.file),
  ]);
  if (checked.errors.length > 0) {
    const n = checked.errors.length;
    throw new RolecallError(
      'REQUEST_REFUSED',
      `request refused: the edited ${edit.file} would not validate (${n} error${n === 1 ? '' : 's'} above). Nothing was changed`,
    );
  }
  const diff = yamlDiff(edit.file, edit.before, edit.after, label);
  const rendered = renderRequest(edit, request, now);

  if (dryRun) {
    io.stdout.write(diff);
    io.stdout.write(
      `\nDry run: ${rendered.title}. Nothing was written, committed or pushed; run without --dry-run to open the pull request.\n`,
    );
    return 0;
  }

  // 3. Everything that can be checked without side effects is checked: now git and GitHub.
  const t = target as GitTarget;
  if (t.remote === null) {
    throw new RolecallError(
      'NO_REMOTE',
      'this repository has no remote to push the request branch to; add one, or pass --remote NAME',
    );
  }
  const github = await resolveGitHubTarget(io.cwd, t.remote, io.env, (message) =>
    io.stderr.write(`${message}\n`),
  );
  const branch = requestBranchName(request.email, request.role, now);
  const commit = await commitOnNewBranch(io.cwd, {
    branch,
    base: t.baseSha,
    files: [{ path: edit.file, content: edit.after }],
    message: rendered.commitMessage,
    date: now,
  });
  try {
    await pushBranch(io.cwd, { remote: t.remote, branch });
  } catch (error) {
    // Nothing left behind: the local branch goes (only if still where rolecall put it).
    await deleteBranch(io.cwd, branch, { expect: commit.sha }).catch(() => false);
    throw error;
  }
  let opened;
  try {
    opened = await openPullRequest(github.octokit, {
      repo: github.repo,
      head: branch,
      base: t.baseBranch,
      title: rendered.title,
      body: rendered.body,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RolecallError(
      'REQUEST_PR_FAILED',
      `branch ${branch} is pushed to ${t.remote}, but opening the pull request failed: ${message}. Open it by hand from ${branch} into ${t.baseBranch}`,
    );
  }
  io.stdout.write(
    redact(
      [
        `Requested ${request.role} for ${request.email} in ${edit.business.name ?? edit.business.businessId} until ${formatInstant(request.expiry.endsAt)}.`,
        `Branch ${branch} (${commit.sha.slice(0, 12)} on ${t.baseRef}) pushed to ${t.remote}.`,
        `Pull request #${opened.number}: ${opened.url}`,
        '',
      ].join('\n'),
    ),
  );
  return 0;
}
