/**
 * `rolecall request --from-issue N`: the request form's issue turned into the same pull request
 * `rolecall request` opens — for people who never open a terminal. request.yml runs it when an
 * issue labelled `access-request` is opened, edited or closed.
 *
 * The issue body is read from the API as data (never from the workflow's expressions, never
 * into a shell) and checked exactly as `rolecall request` checks its flags (jit/
 * check-request-form.ts). Then, in order:
 *
 * - problems → the status comment lists them, the issue is labelled `access-request-invalid`,
 *   nothing is committed or opened (an open pull request of the issue is closed: what it
 *   proposes is no longer what is asked);
 * - a valid request → the issue's branch is rebuilt from the base as one commit (trailers name
 *   the issue and the requester) and planned against FreshBooks; its pull request — always the
 *   same one — is opened, updated or reopened with the seats and cost the plan counted in its
 *   body, the plan is commented as plan.yml would, and the status comment says what is needed;
 * - a closed issue → its pull request is closed (withdraw-request.ts).
 *
 * Once merged, the request belongs to apply and expire (narrate-merge.ts, narrate-expiry.ts);
 * editing the issue afterwards changes nothing.
 */
import { RolecallError, UsageError, EXIT } from '../../errors.js';
import { isRepository } from '../../git/index.js';
import { hiddenRecord } from '../../github/hidden-record.js';
import { ownsMailbox, sameLogin } from '../../github/identity.js';
import { openPullRequest, openPullRequestFor } from '../../github/pull-requests.js';
import {
  commentOnce,
  isActionsPullRequestRefusal,
  readIssue,
  readPullRequest,
  setIssueLabel,
  setPullRequestState,
  type PullRequestState,
  type RequestIssue,
} from '../../github/request-issue.js';
import { fetchPublicEmails } from '../../github/reviewer-facts.js';
import type { GitHubSession } from '../../github/session.js';
import { repoParams } from '../../github/context.js';
import { githubError } from '../../github/github-error.js';
import { approvalNeeds } from '../../jit/approval-needs.js';
import {
  checkRequestForm,
  diagnosticLine,
  type CheckedRequest,
} from '../../jit/check-request-form.js';
import { renderRequest, type IssueOrigin, type RenderedRequest } from '../../jit/render-request.js';
import {
  issueBranchName,
  LINK_SCOPE,
  REQUEST_INVALID_LABEL,
  REQUEST_KIND,
  REQUEST_LABEL,
  type PullRequestLinkRecord,
  type RequestDetails,
  type RequestStatusRecord,
} from '../../jit/request-link.js';
import type { StatusExtras } from '../../jit/render-request-status.js';
import { requestSeats, seatsText, withoutSeats } from '../../jit/request-seats.js';
import { yamlDiff } from '../../jit/yaml-diff.js';
import { formatDiagnostic, validateDocuments } from '../../policy/load-desired-state.js';
import { formatInstant } from '../../policy/parse-time.js';
import type { Console } from '../../ports.js';
import { redact } from '../../redact.js';
import { openGitHub } from '../context.js';
import { readPoliciesAtCommit } from '../policy-snapshot.js';
import {
  botIdentity,
  githubEnvFor,
  pushRemoteOf,
  resolvePullRequestTarget,
} from '../pull-request-target.js';
import { syncIssueBranch } from './issue-branch.js';
import { commentRequestPlan, planRequest } from './plan-request.js';
import { StatusComment, type ReadStatus } from './status-comment.js';
import { withdrawRequest } from './withdraw-request.js';

export interface RequestFromIssueOptions {
  policiesDir: string;
  issue: number;
  /** Check the form and print the policy diff; write nothing anywhere. */
  dryRun: boolean;
  base?: string | undefined;
  remote?: string | undefined;
  /** For the plan (FreshBooks). */
  tokenStore?: string | undefined;
  rate?: number | undefined;
  now: Date;
}

export interface RequestFromIssueOutcome {
  /** 0 done (or nothing to do); 1 refused, blocked or failed (the status comment says why). */
  exitCode: number;
  action:
    | 'refused'
    | 'unchanged'
    | 'opened'
    | 'updated'
    | 'withdrawn'
    | 'ignored'
    | 'blocked'
    | 'failed'
    | 'dry-run';
  pullRequest?: number;
}

export const INVALID_LABEL = {
  name: REQUEST_INVALID_LABEL,
  color: 'd93f0b',
  description: 'An access request whose form needs fixing (rolecall)',
};

/** States in which the request's pull request was merged: edits no longer change it. */
const AFTER_MERGE = new Set(['granted', 'partial', 'not-applied', 'revoked']);

/** What says "GitHub would not open the pull request", and how to allow it. */
export const ACTIONS_PULL_REQUESTS_HELP =
  'GitHub refused to let this workflow open the pull request ("GitHub Actions is not permitted to create or approve pull requests"). ' +
  'A repository admin turns on Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to create and approve pull requests"; ' +
  'request.yml’s GITHUB_TOKEN also needs `permissions: contents: write, pull-requests: write, issues: write`. ' +
  'Then edit this issue (or re-run the workflow) to try again';

/** The login of whoever edited the issue in this event, when not its author. */
function editorOf(event: Record<string, unknown>, issue: RequestIssue): string | null {
  const action = event['action'];
  const sender = (event['sender'] as { login?: unknown } | undefined)?.login;
  const number = (event['issue'] as { number?: unknown } | undefined)?.number;
  if (action !== 'edited' || typeof sender !== 'string' || number !== issue.number) return null;
  return sameLogin(sender, issue.author) ? null : sender;
}

/** The record's time stays that of the last change: a run with nothing new writes nothing. */
function stamped(next: RequestStatusRecord, previous: ReadStatus | null): RequestStatusRecord {
  if (!previous) return next;
  const { at: _a, ...a } = next;
  const { at: _b, ...b } = previous.record;
  return JSON.stringify(a) === JSON.stringify(b) ? { ...next, at: previous.record.at } : next;
}

export async function requestFromIssue(
  io: Console,
  options: RequestFromIssueOptions,
): Promise<RequestFromIssueOutcome> {
  const { now } = options;
  if (!(await isRepository(io.cwd))) {
    throw new RolecallError(
      'GIT_NOT_A_REPOSITORY',
      'rolecall request --from-issue commits on a branch and opens a pull request: run it in a checkout of the policy repository (actions/checkout)',
    );
  }
  const target = await resolvePullRequestTarget(io.cwd, {
    remote: options.remote,
    base: options.base,
    env: io.env,
  });
  const remote = pushRemoteOf(target, 'the request branch');
  const session = await openGitHub({ ...io, env: await githubEnvFor(io.cwd, remote, io.env) });
  const { octokit, repo } = session;
  const issue = await readIssue(octokit, repo, options.issue);
  if (issue.isPullRequest) {
    throw new UsageError(`#${issue.number} is a pull request, not a request issue`);
  }
  if (!issue.labels.some((l) => l.toLowerCase() === REQUEST_LABEL)) {
    throw new RolecallError(
      'REQUEST_NOT_A_FORM',
      `issue #${issue.number} is not labelled ${REQUEST_LABEL}, so it is not an access request; nothing was done`,
    );
  }
  const status = new StatusComment(session, issue.number);
  const previous = await status.read();
  const branch = issueBranchName(issue.number);
  const branchPr = await openPullRequestFor(octokit, repo, branch);

  // Closed: withdrawn (before the merge), or nothing to do (after it).
  if (issue.state === 'closed') {
    if (options.dryRun) {
      io.stdout.write(`Issue #${issue.number} is closed: nothing to request.\n`);
      return { exitCode: EXIT.OK, action: 'dry-run' };
    }
    const { closedPullRequest } = await withdrawRequest(io, {
      session,
      status,
      previous,
      requester: issue.author,
      branchPullRequest: branchPr?.number ?? null,
      now,
    });
    return {
      exitCode: EXIT.OK,
      action: 'withdrawn',
      ...(closedPullRequest === null ? {} : { pullRequest: closedPullRequest }),
    };
  }

  // Merged already: the request is apply's and expire's now.
  let pr: PullRequestState | null = null;
  const known = previous?.record.pullRequest ?? branchPr?.number ?? null;
  if (known !== null) pr = await readPullRequest(octokit, repo, known);
  if ((previous && AFTER_MERGE.has(previous.record.state)) || pr?.merged) {
    io.stdout.write(
      `The request of issue #${issue.number} was merged in #${pr?.number ?? known}; editing the issue changes nothing now. Open a new request to extend or change the access.\n`,
    );
    return { exitCode: EXIT.OK, action: 'ignored' };
  }

  // The base branch's policies, as the pull request will change them.
  const snapshot = await readPoliciesAtCommit(io.cwd, options.policiesDir, target.baseSha);
  const base = validateDocuments(snapshot.sources, { now });
  const editor = editorOf(session.context.event, issue);
  const earlier =
    previous?.record.formDigest && previous.record.request
      ? {
          formDigest: previous.record.formDigest,
          requestedAt: new Date(previous.record.request.requestedAt),
        }
      : null;
  const check =
    base.value && base.errors.length === 0 && snapshot.problems.length === 0
      ? checkRequestForm({
          body: issue.body,
          desired: base.value,
          sources: snapshot.sources,
          now,
          previous: earlier,
        })
      : null;

  const writer = new RequestWriter(io, session, issue, status, previous, now, options.dryRun);
  if (check === null) {
    for (const d of [...snapshot.problems, ...base.errors]) {
      io.stderr.write(`${formatDiagnostic(d)}\n`);
    }
    return writer.fail(
      'failed',
      `the policies on ${target.baseRef} do not validate, so no request can be checked against them; a maintainer must fix them first`,
      pr,
    );
  }
  if (!check.ok) return writer.refuse(check.problems, pr);
  // The edited policy, validated as `rolecall validate` would, as of now (`maxDuration` is
  // measured from the commit, made now).
  const validated = validateDocuments(check.edit.sources, { now });
  if (validated.errors.length > 0) return writer.refuse(validated.errors.map(diagnosticLine), pr);

  const { edit, request } = check;
  const editors = [...(previous?.record.editors ?? [])];
  if (editor && previous?.record.formDigest !== check.formDigest && !editors.includes(editor)) {
    editors.push(editor);
  }
  const details = detailsOf(check);
  if (edit.after === edit.before) {
    if (!options.dryRun)
      await writer.closeStale(pr, 'asks for nothing the policy does not already say');
    return writer.settle(
      { state: 'unchanged', request: details, editors, formDigest: check.formDigest },
      {},
      'unchanged',
      `${request.email} already has ${request.role} in ${edit.file} with this expiry, reason and ticket: nothing to request.`,
    );
  }
  if (options.dryRun) {
    io.stdout.write(
      yamlDiff(
        edit.file,
        edit.before,
        edit.after,
        `${target.baseRef} ${target.baseSha.slice(0, 7)}`,
      ),
    );
    io.stdout.write(
      `\nDry run: issue #${issue.number} asks for ${request.role} for ${request.email} until ${formatInstant(request.expiry.endsAt)}. Nothing was written, committed or pushed.\n`,
    );
    return { exitCode: EXIT.OK, action: 'dry-run' };
  }

  // Who asked: recorded in the commit, the pull request and the audit log (via the gate).
  const forThemselves = await ownsRequestedAddress(session, issue.author, request.email);
  const origin: IssueOrigin = {
    issue: issue.number,
    requester: issue.author,
    editors,
    forThemselves,
  };
  // Title and commit message now; the body once the plan has counted the seats.
  const unplanned = renderRequest(edit, request, check.requestedAt, origin);
  const link: PullRequestLinkRecord = {
    v: 1,
    issue: issue.number,
    requester: issue.author,
    editors,
  };
  const bodyOf = (rendered: RenderedRequest) =>
    `${hiddenRecord(REQUEST_KIND, LINK_SCOPE, link)}\n${rendered.body}`;

  // A pull request closed because the form broke is reopened before its branch moves (GitHub
  // cannot reopen one whose branch was rewritten while closed); failing that, a new one opens.
  if (pr && pr.state === 'closed') {
    const reopened = await setPullRequestState(octokit, repo, pr.number, 'open');
    pr = reopened ? await readPullRequest(octokit, repo, pr.number) : null;
  }

  let branchAction;
  try {
    branchAction = await syncIssueBranch({
      cwd: io.cwd,
      remote,
      branch,
      issue: issue.number,
      baseSha: target.baseSha,
      policiesDir: options.policiesDir,
      sources: edit.sources,
      file: edit.file,
      after: edit.after,
      message: unplanned.commitMessage,
      date: now,
      author: botIdentity(session.identity.login),
    });
  } catch (error) {
    if (!(error instanceof RolecallError)) throw error;
    return writer.fail('failed', error.message, pr, {
      request: details,
      editors,
      formDigest: check.formDigest,
    });
  }

  // Nothing new since the last run (the same commit, the same pull request, the same text
  // around the seat line): no plan — no FreshBooks read, no write — and the body keeps the seat
  // line of the plan that was made for this very commit.
  const quiet =
    branchAction.action === 'unchanged' &&
    previous?.record.state === 'open' &&
    pr !== null &&
    previous.record.pullRequest === pr.number &&
    pr.title === unplanned.title &&
    withoutSeats(pr.body) === withoutSeats(bodyOf(unplanned));

  // The plan, as plan.yml would make it (a GITHUB_TOKEN pull request starts no workflow), made
  // before the pull request is written so that its body can show the seats and their cost.
  const planned = quiet
    ? null
    : await planRequest(io, {
        session,
        policiesDir: options.policiesDir,
        now,
        headSha: branchAction.sha,
        baseSha: target.baseSha,
        tokenStore: options.tokenStore,
        rate: options.rate,
      });
  const seats = requestSeats(
    edit,
    request,
    planned?.ok
      ? (planned.plan.businesses.find((b) => b.businessId === edit.business.businessId) ?? null)
      : null,
  );
  const rendered = renderRequest(edit, request, check.requestedAt, origin, seats);
  const prBody = bodyOf(rendered);

  let created = false;
  try {
    if (pr) {
      if (!quiet && (pr.title !== rendered.title || pr.body !== prBody)) {
        await octokit.rest.pulls
          .update({
            ...repoParams(repo),
            pull_number: pr.number,
            title: rendered.title,
            body: prBody,
          })
          .catch((error: unknown) => {
            throw githubError(`update pull request #${pr?.number}`, error);
          });
      }
    } else {
      const opened = await openPullRequest(octokit, {
        repo,
        head: branch,
        base: target.baseBranch,
        title: rendered.title,
        body: prBody,
      });
      created = opened.created;
    }
    const number = pr?.number ?? (await openPullRequestFor(octokit, repo, branch))?.number;
    pr = number === undefined ? null : await readPullRequest(octokit, repo, number);
  } catch (error) {
    if (!(error instanceof RolecallError)) throw error;
    const blocked = isActionsPullRequestRefusal(error);
    return writer.fail(
      blocked ? 'blocked' : 'failed',
      blocked
        ? `${ACTIONS_PULL_REQUESTS_HELP}. (Branch ${branch} is pushed.)`
        : `branch ${branch} is pushed, but the pull request could not be opened or updated: ${error.message}`,
      null,
      { request: details, editors, formDigest: check.formDigest },
    );
  }
  if (!pr) {
    return writer.fail(
      'failed',
      `GitHub lists no pull request from ${branch} after opening it`,
      null,
      {
        request: details,
        editors,
        formDigest: check.formDigest,
      },
    );
  }

  // The plan comment, as plan.yml would post it.
  const commented =
    planned === null
      ? null
      : await commentRequestPlan(io, {
          session,
          pullRequest: { number: pr.number, htmlUrl: pr.htmlUrl },
          planned,
        });
  io.stdout.write(
    redact(
      [
        `Issue #${issue.number}: ${request.role} for ${request.email} in ${edit.business.name ?? edit.business.businessId} until ${formatInstant(request.expiry.endsAt)}, asked by @${issue.author}.`,
        `Branch ${branch} ${branchAction.action} (${branchAction.sha.slice(0, 12)} on ${target.baseRef}).`,
        `Pull request #${pr.number} ${created ? 'opened' : 'updated'}: ${pr.htmlUrl}`,
        '',
      ].join('\n'),
    ),
  );
  if (commented === null) {
    // Nothing changed since the last run: the status comment stands as written.
    await writer.label(false);
    return { exitCode: EXIT.OK, action: 'unchanged', pullRequest: pr.number };
  }
  return writer.settle(
    {
      state: 'open',
      request: details,
      editors,
      formDigest: check.formDigest,
      pullRequest: pr.number,
      forThemselves,
    },
    {
      plan: { lines: commented.lines, note: commented.note, seats: seatsText(seats) },
      approvals: approvalNeeds(edit.business.approvals, request.role),
    },
    created ? 'opened' : 'updated',
    null,
  );
}

function detailsOf(check: CheckedRequest): RequestDetails {
  const { request, edit } = check;
  return {
    businessId: edit.business.businessId,
    businessName: edit.business.name ?? null,
    email: request.email,
    role: request.role,
    expires: request.expiry.value,
    endsAt: request.expiry.endsAt.toISOString(),
    asked: request.expiry.input,
    reason: request.reason,
    ticket: request.ticket ?? null,
    requestedAt: check.requestedAt.toISOString(),
  };
}

/** Whether the requester's public address is the one asked for (null: GitHub will not say). */
async function ownsRequestedAddress(
  session: Pick<GitHubSession, 'octokit'>,
  login: string,
  email: string,
): Promise<boolean | null> {
  try {
    const emails = await fetchPublicEmails(session.octokit, [login]);
    return ownsMailbox(login, emails[login] ?? [], email);
  } catch {
    return null;
  }
}

/** The status comment, the issue's label and the pull request, for each way a run ends. */
class RequestWriter {
  constructor(
    private readonly io: Console,
    private readonly session: GitHubSession,
    private readonly issue: RequestIssue,
    private readonly status: StatusComment,
    private readonly previous: ReadStatus | null,
    private readonly now: Date,
    private readonly dryRun: boolean,
  ) {}

  private record(patch: Partial<RequestStatusRecord> & Pick<RequestStatusRecord, 'state'>) {
    return stamped(
      {
        v: 1,
        issue: this.issue.number,
        requester: this.issue.author,
        editors: this.previous?.record.editors ?? [],
        formDigest: null,
        request: null,
        pullRequest: this.previous?.record.pullRequest ?? null,
        approvers: [],
        at: this.now.toISOString(),
        ...patch,
      },
      this.previous,
    );
  }

  async label(invalid: boolean): Promise<void> {
    await setIssueLabel(
      this.session.octokit,
      this.session.repo,
      this.issue,
      INVALID_LABEL,
      invalid,
    );
  }

  /** The form has problems: say which, label the issue, close what the old form opened. */
  async refuse(problems: string[], pr: PullRequestState | null): Promise<RequestFromIssueOutcome> {
    const { io } = this;
    io.stderr.write(
      redact(
        `rolecall: request refused (issue #${this.issue.number}):\n${problems.map((p) => `  - ${p}\n`).join('')}`,
      ),
    );
    if (this.dryRun) return { exitCode: EXIT.ERROR, action: 'refused' };
    await this.closeStale(pr, 'no longer passes its checks');
    await this.status.write(
      this.record({
        state: 'refused',
        pullRequest: pr?.number ?? this.previous?.record.pullRequest ?? null,
      }),
      { problems },
    );
    await this.label(true);
    return { exitCode: EXIT.ERROR, action: 'refused' };
  }

  /** Something outside the form went wrong: said in the status comment, exit 1. */
  async fail(
    state: 'failed' | 'blocked',
    message: string,
    pr: PullRequestState | null,
    patch: Partial<RequestStatusRecord> = {},
  ): Promise<RequestFromIssueOutcome> {
    this.io.stderr.write(`rolecall: ${redact(message)}\n`);
    if (this.dryRun) return { exitCode: EXIT.ERROR, action: state };
    await this.status.write(
      this.record({
        state,
        pullRequest: pr?.number ?? this.previous?.record.pullRequest ?? null,
        ...patch,
      }),
      { message },
    );
    return { exitCode: EXIT.ERROR, action: state };
  }

  /** A final state of this run: the status comment and the label. */
  async settle(
    patch: Partial<RequestStatusRecord> & Pick<RequestStatusRecord, 'state'>,
    extras: StatusExtras,
    action: RequestFromIssueOutcome['action'],
    say: string | null,
  ): Promise<RequestFromIssueOutcome> {
    if (say) this.io.stdout.write(`${redact(say)}\n`);
    if (this.dryRun) return { exitCode: EXIT.OK, action: 'dry-run' };
    const result = await this.status.write(this.record(patch), extras);
    this.io.stderr.write(
      `Status comment ${result.action} on #${this.issue.number}: ${result.comment.htmlUrl}\n`,
    );
    await this.label(false);
    const pr = patch.pullRequest ?? null;
    return { exitCode: EXIT.OK, action, ...(pr === null ? {} : { pullRequest: pr }) };
  }

  /** An open pull request whose request is no longer the issue's is closed, with a note. */
  async closeStale(pr: PullRequestState | null, why: string): Promise<void> {
    if (!pr || pr.state !== 'open' || pr.merged) return;
    await commentOnce(
      this.session.octokit,
      this.session.repo,
      pr.number,
      `Closed by rolecall: the request in #${this.issue.number} ${why}. Fixing the issue reopens this pull request.`,
    );
    await setPullRequestState(this.session.octokit, this.session.repo, pr.number, 'closed');
  }
}
