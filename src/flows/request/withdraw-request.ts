/**
 * A request issue was closed. Before the merge, that withdraws the request: its pull request is
 * closed (with a note saying why) and the status comment says so. After the merge the issue is
 * only closed — closing an issue takes no access away; the expiry does, or a pull request.
 */
import type { GitHubSession } from '../../github/session.js';
import { commentOnce, readPullRequest, setPullRequestState } from '../../github/request-issue.js';
import type { RequestStatusRecord } from '../../jit/request-link.js';
import type { Console } from '../../ports.js';
import type { ReadStatus, StatusComment } from './status-comment.js';

/** States after which a pull request was merged: nothing left to withdraw. */
const AFTER_MERGE = new Set(['granted', 'partial', 'not-applied', 'revoked']);

export async function withdrawRequest(
  io: Console,
  input: {
    session: Pick<GitHubSession, 'octokit' | 'repo' | 'identity'>;
    status: StatusComment;
    previous: ReadStatus | null;
    requester: string;
    /** The open pull request of the issue's branch, when the record does not name one. */
    branchPullRequest: number | null;
    now: Date;
  },
): Promise<{ closedPullRequest: number | null }> {
  const { session, previous } = input;
  const issue = input.status.issue;
  if (previous && AFTER_MERGE.has(previous.record.state)) {
    io.stdout.write(
      `Issue #${issue} is closed; its request was already merged (${previous.record.state}). Nothing to withdraw.\n`,
    );
    return { closedPullRequest: null };
  }
  const number = previous?.record.pullRequest ?? input.branchPullRequest;
  const pr = number === null ? null : await readPullRequest(session.octokit, session.repo, number);
  if (pr?.merged) {
    io.stdout.write(
      `Issue #${issue} is closed; pull request #${pr.number} was already merged, so there is nothing to withdraw (apply.yml grants it).\n`,
    );
    return { closedPullRequest: null };
  }
  let closed: number | null = null;
  if (pr && pr.state === 'open') {
    await commentOnce(
      session.octokit,
      session.repo,
      pr.number,
      `Closed by rolecall: the request issue #${issue} was closed, which withdraws the request.`,
    );
    await setPullRequestState(session.octokit, session.repo, pr.number, 'closed');
    closed = pr.number;
  }
  if (previous?.record.state === 'withdrawn' && closed === null) {
    io.stdout.write(`Issue #${issue} was already withdrawn. Nothing to do.\n`);
    return { closedPullRequest: null };
  }
  const record: RequestStatusRecord = {
    v: 1,
    state: 'withdrawn',
    issue,
    requester: previous?.record.requester ?? input.requester,
    editors: previous?.record.editors ?? [],
    formDigest: previous?.record.formDigest ?? null,
    request: previous?.record.request ?? null,
    pullRequest: pr?.number ?? null,
    approvers: [],
    at: input.now.toISOString(),
  };
  await input.status.write(record);
  io.stdout.write(
    `Issue #${issue} is closed: the request is withdrawn${closed === null ? '' : `, pull request #${closed} closed`}.\n`,
  );
  return { closedPullRequest: closed };
}
