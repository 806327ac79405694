/**
 * `rolecall request`: time-bound access asked for the way every access change is made, as a
 * pull request. The policy is edited as it is on the base branch (never the working tree),
 * validated exactly as `rolecall validate` would, and only then committed on a new branch,
 * pushed and proposed. Anything validation refuses is refused before git is touched. The body
 * says what the grant does to the paid seats as far as the policy tells (request-seats.ts).
 */
import { RolecallError, EXIT } from '../errors.js';
import { commitOnNewBranch, deleteBranch, isRepository, pushBranch } from '../git/index.js';
import { openPullRequest } from '../github/pull-requests.js';
import { planRequestEdit, type AccessRequest } from '../jit/plan-request-edit.js';
import {
  readPoliciesAtCommit,
  readPoliciesInWorkingTree,
  type PolicySnapshot,
} from './policy-snapshot.js';
import { renderRequest } from '../jit/render-request.js';
import { requestBranchName } from '../jit/request-branch.js';
import { requestSeats } from '../jit/request-seats.js';
import { resolveExpiry } from '../jit/resolve-expiry.js';
import { yamlDiff } from '../jit/yaml-diff.js';
import { formatInstant } from '../policy/parse-time.js';
import {
  formatDiagnostic,
  formatGitHubAnnotation,
  validateDocuments,
} from '../policy/load-desired-state.js';
import { redact } from '../redact.js';
import type { Diagnostic } from '../types.js';
import type { Console } from '../ports.js';
import { inGitHubActions } from '../console.js';
import { openGitHub } from './context.js';
import {
  githubEnvFor,
  pushRemoteOf,
  resolvePullRequestTarget,
  type PullRequestTarget,
} from './pull-request-target.js';

export interface RequestOptions {
  policiesDir: string;
  businessId: number;
  email: string;
  role: string;
  /** `--for` / `--until`: exactly one (resolveExpiry says so otherwise). */
  for?: string | undefined;
  until?: string | undefined;
  reason: string;
  ticket?: string | undefined;
  dryRun: boolean;
  base?: string | undefined;
  remote?: string | undefined;
  now: Date;
}

export interface RequestOutcome {
  exitCode: 0;
  /** `unchanged`: the policy already says exactly this. */
  action: 'unchanged' | 'dry-run' | 'opened';
  pullRequest?: { number: number; url: string; branch: string };
}

function printDiagnostics(io: Console, diagnostics: readonly Diagnostic[]): void {
  const annotate = inGitHubActions(io);
  for (const d of diagnostics) {
    io.stderr.write(`${formatDiagnostic(d)}\n`);
    if (annotate) io.stderr.write(`${formatGitHubAnnotation(d)}\n`);
  }
}

export async function request(io: Console, options: RequestOptions): Promise<RequestOutcome> {
  const { now, dryRun } = options;
  const request: AccessRequest = {
    businessId: options.businessId,
    email: options.email.trim(),
    role: options.role.trim(),
    expiry: resolveExpiry({ for: options.for, until: options.until }, now),
    reason: options.reason.trim(),
    ticket: options.ticket?.trim() || undefined,
  };

  // 1. The policies as the pull request will change them: at the base commit.
  const inRepo = await isRepository(io.cwd);
  if (!inRepo && !dryRun) {
    throw new RolecallError(
      'GIT_NOT_A_REPOSITORY',
      'rolecall request commits on a branch and opens a pull request: run it inside the policy repository (or use --dry-run)',
    );
  }
  let target: PullRequestTarget | null = null;
  let snapshot: PolicySnapshot;
  let label: string;
  if (inRepo) {
    target = await resolvePullRequestTarget(io.cwd, {
      remote: options.remote,
      base: options.base,
      env: io.env,
    });
    snapshot = await readPoliciesAtCommit(io.cwd, options.policiesDir, target.baseSha);
    label = `${target.baseRef} ${target.baseSha.slice(0, 7)}`;
  } else {
    snapshot = await readPoliciesInWorkingTree(io.cwd, options.policiesDir);
    label = 'working tree';
  }
  const base = validateDocuments(snapshot.sources, { now });
  const baseErrors = [...snapshot.problems, ...base.errors];
  if (baseErrors.length > 0 || !base.value) {
    printDiagnostics(io, baseErrors);
    throw new RolecallError(
      'POLICY_INVALID',
      `the policies in ${options.policiesDir} (${label}) do not validate; fix them before requesting access. Nothing was changed`,
    );
  }

  // 2. The edit, validated exactly as `rolecall validate` would (now = the request's clock).
  const edit = planRequestEdit(base.value, snapshot.sources, request);
  if (edit.after === edit.before) {
    io.stdout.write(
      `${request.email} already has ${request.role} in ${edit.file} with this expiry, reason and ticket: nothing to request.\n`,
    );
    return { exitCode: EXIT.OK, action: 'unchanged' };
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
  // The seats from the policy alone: a requester's laptop holds no FreshBooks credentials, and
  // plan.yml comments the count in use on the pull request this opens.
  const rendered = renderRequest(edit, request, now, undefined, requestSeats(edit, request, null));

  if (dryRun) {
    io.stdout.write(diff);
    io.stdout.write(
      `\nDry run: ${rendered.title}. Nothing was written, committed or pushed; run without --dry-run to open the pull request.\n`,
    );
    return { exitCode: EXIT.OK, action: 'dry-run' };
  }

  // 3. Everything that can be checked without side effects is checked: now git and GitHub.
  const t = target as PullRequestTarget;
  const remote = pushRemoteOf(t, 'the request branch');
  const github = await openGitHub({ ...io, env: await githubEnvFor(io.cwd, remote, io.env) });
  const branch = requestBranchName(request.email, request.role, now);
  const commit = await commitOnNewBranch(io.cwd, {
    branch,
    base: t.baseSha,
    files: [{ path: edit.file, content: edit.after }],
    message: rendered.commitMessage,
    date: now,
  });
  try {
    await pushBranch(io.cwd, { remote, branch });
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
      `branch ${branch} is pushed to ${remote}, but opening the pull request failed: ${message}. Open it by hand from ${branch} into ${t.baseBranch}`,
    );
  }
  io.stdout.write(
    redact(
      [
        `Requested ${request.role} for ${request.email} in ${edit.business.name ?? edit.business.businessId} until ${formatInstant(request.expiry.endsAt)}.`,
        `Branch ${branch} (${commit.sha.slice(0, 12)} on ${t.baseRef}) pushed to ${remote}.`,
        `Pull request #${opened.number}: ${opened.url}`,
        '',
      ].join('\n'),
    ),
  );
  return {
    exitCode: EXIT.OK,
    action: 'opened',
    pullRequest: { number: opened.number, url: opened.url, branch },
  };
}
