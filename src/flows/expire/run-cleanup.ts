/**
 * The clean-up half of `rolecall expire`: after the revokes, remove from the YAML the expired
 * entries that no longer hold access — through the single clean-up pull request under
 * `--github`, or printed as a diff locally.
 */
import type { Console } from '../../ports.js';
import { RolecallError, EXIT } from '../../errors.js';
import { isRepository } from '../../git/index.js';
import type { GitHubSession } from '../../github/session.js';
import { formatDiagnostic, validateDocuments } from '../../policy/load-desired-state.js';
import { redact } from '../../redact.js';
import { applyCleanup, chooseCleanup, describeCleanupEntry } from '../../jit/choose-cleanup.js';
import { closeStaleCleanupPullRequest, syncCleanupPullRequest } from './cleanup-pull-request.js';
import { pushRemoteOf, resolvePullRequestTarget } from '../pull-request-target.js';
import { readPoliciesAtCommit } from '../policy-snapshot.js';
import { yamlDiff } from '../../jit/yaml-diff.js';

export interface CleanupContext {
  io: Console;
  github: GitHubSession | null;
  now: Date;
  policiesDir: string;
  /** The businesses whose live state this run read (and revoked in). */
  businessIds: ReadonlySet<number>;
  holdsAccess: (businessId: number, email: string) => boolean;
  remote?: string | undefined;
  base?: string | undefined;
}

export interface CleanupReport {
  exitCode: 0 | 1;
  /** One line for the job summary. */
  summary: string;
}

function say(io: Console, text: string): void {
  io.stdout.write(redact(text));
}

export async function runCleanup(ctx: CleanupContext): Promise<CleanupReport> {
  const { io, github } = ctx;
  if (!(await isRepository(io.cwd))) {
    if (github) {
      throw new RolecallError(
        'GIT_NOT_A_REPOSITORY',
        'the clean-up pull request needs the policy repository checked out (actions/checkout)',
      );
    }
    say(io, '\nClean-up: not in a git repository; remove the expired entries by hand.\n');
    return { exitCode: EXIT.OK, summary: 'Clean-up skipped: not in a git repository.' };
  }
  const target = await resolvePullRequestTarget(io.cwd, {
    remote: ctx.remote,
    base: ctx.base,
    env: io.env,
  });
  const snapshot = await readPoliciesAtCommit(io.cwd, ctx.policiesDir, target.baseSha);
  const base = validateDocuments(snapshot.sources, { now: ctx.now });
  if (!base.value || base.errors.length > 0 || snapshot.problems.length > 0) {
    for (const d of [...snapshot.problems, ...base.errors])
      io.stderr.write(`${formatDiagnostic(d)}\n`);
    throw new RolecallError(
      'POLICY_INVALID',
      `the policies on ${target.baseRef} do not validate; no clean-up pull request`,
    );
  }
  const choice = chooseCleanup(base.value, {
    now: ctx.now,
    businessIds: ctx.businessIds,
    holdsAccess: ctx.holdsAccess,
  });
  if (choice.kept.length > 0) {
    say(
      io,
      `\nKept in the policies (expired, but FreshBooks still shows access; rolecall retries on the next run):\n${choice.kept.map((e) => `  ${describeCleanupEntry(e)}\n`).join('')}`,
    );
  }
  if (choice.remove.length === 0) {
    const closed = github
      ? await closeStaleCleanupPullRequest(github.octokit, github.repo, github.identity.login)
      : null;
    const note = closed === null ? '' : ` Closed the stale clean-up pull request #${closed}.`;
    say(io, `\nClean-up: nothing to remove from the policies on ${target.baseRef}.${note}\n`);
    return { exitCode: EXIT.OK, summary: `Clean-up: nothing to remove.${note}` };
  }

  const cleaned = applyCleanup(snapshot.sources, choice.remove);
  const check = validateDocuments(cleaned.sources, { now: ctx.now });
  if (check.errors.length > 0) {
    for (const d of check.errors) io.stderr.write(`${formatDiagnostic(d)}\n`);
    throw new RolecallError(
      'CLEANUP_INVALID',
      'removing the expired entries would leave an invalid policy (errors above); remove them by hand',
    );
  }
  const list = choice.remove.map((e) => `  ${describeCleanupEntry(e)}\n`).join('');
  if (!github) {
    const label = `${target.baseRef} ${target.baseSha.slice(0, 7)}`;
    say(
      io,
      `\nClean-up: these expired entries hold no access any more and can be removed from the policies:\n${list}\n${cleaned.changed.map((c) => yamlDiff(c.file, c.before, c.after, label)).join('')}\nrolecall expire --github (the expire workflow) keeps one pull request open with this change; locally nothing was committed or pushed.\n`,
    );
    return { exitCode: EXIT.OK, summary: `Clean-up: ${choice.remove.length} entries to remove.` };
  }
  const remote = pushRemoteOf(target, 'the clean-up branch');
  const outcome = await syncCleanupPullRequest({
    octokit: github.octokit,
    repo: github.repo,
    author: github.identity.login,
    cwd: io.cwd,
    remote,
    baseBranch: target.baseBranch,
    baseSha: target.baseSha,
    policiesDir: ctx.policiesDir,
    entries: choice.remove,
    sources: cleaned.sources,
    changed: cleaned.changed,
    now: ctx.now,
  });
  const pr = outcome.pullRequest;
  const branchNote =
    outcome.branch.action === 'unchanged'
      ? `branch ${outcome.branch.name} already up to date`
      : `branch ${outcome.branch.name} ${outcome.branch.action} at ${outcome.branch.sha.slice(0, 12)}`;
  say(io, `\nClean-up pull request #${pr.number} ${pr.action} (${branchNote}): ${pr.url}\n${list}`);
  return {
    exitCode: EXIT.OK,
    summary: `Clean-up pull request [#${pr.number}](${pr.url}) ${pr.action}: ${choice.remove.length} expired entries.`,
  };
}
