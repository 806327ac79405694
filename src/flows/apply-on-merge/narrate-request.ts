/**
 * After `apply --github`, the request issue a merged pull request came from (the issue form)
 * says what became of it: granted until when and by whose approval, applied only in part, or
 * refused. The pull request names its issue in a hidden record of its body; the issue's status
 * comment must name the pull request back, so a body edited to point elsewhere updates nothing.
 *
 * Telling the issue is a courtesy on top of the apply: a failure here is a warning in the job
 * log and never changes the apply's outcome or exit code.
 */
import { readHiddenRecord } from '../../github/hidden-record.js';
import type { MergedPullRequest } from '../../github/merged-pull-request.js';
import { readPullRequest } from '../../github/request-issue.js';
import type { GitHubSession } from '../../github/session.js';
import {
  LINK_SCOPE,
  parseLinkRecord,
  REQUEST_KIND,
  type RequestDetails,
  type RequestState,
} from '../../jit/request-link.js';
import { displayExpiry } from '../../plan/expiry.js';
import type { Console } from '../../ports.js';
import { redact } from '../../redact.js';
import type { DesiredState } from '../../types.js';
import { StatusComment } from '../request/status-comment.js';
import type { MergeGate } from './merge-gate.js';
import type { ApplyOnMergeOutcome } from './report-outcome.js';

/** What `apply --github` learnt on the way, filled in as it goes. */
export interface MergeFacts {
  session?: GitHubSession;
  pullRequest?: MergedPullRequest;
  /** The policies at the merge commit. */
  desired?: DesiredState;
  /** The last gate built (its evaluation names the approvers). */
  gate?: MergeGate;
}

const STATE_OF: Partial<Record<ApplyOnMergeOutcome['state'], RequestState>> = {
  applied: 'granted',
  nothing: 'granted',
  partial: 'partial',
  refused: 'not-applied',
};

/** The request as merged: the expiry at the merge commit wins over the one first asked for. */
function asMerged(request: RequestDetails, desired: DesiredState | undefined): RequestDetails {
  const member = desired?.businesses
    .find((b) => b.businessId === request.businessId)
    ?.members.find((m) => m.email === request.email.trim().toLowerCase());
  if (!member?.expires) return request;
  return member.expires === request.endsAt
    ? request
    : { ...request, endsAt: member.expires, expires: displayExpiry(member.expires) };
}

export async function narrateMerge(
  io: Console,
  facts: MergeFacts,
  outcome: ApplyOnMergeOutcome,
  now: Date,
): Promise<void> {
  const { session, pullRequest } = facts;
  const state = STATE_OF[outcome.state];
  if (!session || !pullRequest || !state) return;
  try {
    const pull = await readPullRequest(session.octokit, session.repo, pullRequest.number);
    const link = parseLinkRecord(readHiddenRecord(pull?.body, REQUEST_KIND, LINK_SCOPE));
    if (!link) return;
    const status = new StatusComment(session, link.issue);
    const previous = await status.read();
    if (!previous || previous.record.pullRequest !== pullRequest.number) {
      io.stderr.write(
        `rolecall: warning: #${pullRequest.number} names request issue #${link.issue}, whose status comment does not name it back; the issue was not updated\n`,
      );
      return;
    }
    const request = previous.record.request && asMerged(previous.record.request, facts.desired);
    const approvers = facts.gate?.evaluation?.counted ?? [];
    const record = {
      ...previous.record,
      state,
      request,
      approvers: approvers.length > 0 ? [...approvers] : previous.record.approvers,
      at: now.toISOString(),
    };
    const result = await status.write(record, { mergeCommit: pullRequest.mergeCommitSha });
    io.stderr.write(`Request issue #${link.issue}: status ${state} (${result.action}).\n`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `rolecall: warning: could not update the request issue of #${pullRequest.number}: ${redact(message)}\n`,
    );
  }
}
