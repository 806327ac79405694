/**
 * After `expire --github` revoked expired grants, each access-request issue whose grant has
 * ended says so — "revoked by expiry" in its status comment — and closes: the request's life is
 * over. An issue is closed only when the policy's entry for that person has expired *and*
 * FreshBooks no longer shows the access (revoked now, or gone already); an expiry someone
 * extended, or one not revoked yet, leaves the issue open.
 *
 * Quiet by construction: it reads the open request issues, and writes only to those it
 * closes, so a second run with nothing new writes nothing.
 */
import { closeIssue, openIssuesLabelled } from '../../github/request-issue.js';
import type { GitHubSession } from '../../github/session.js';
import { REQUEST_LABEL, type RequestStatusRecord } from '../../jit/request-link.js';
import type { Console } from '../../ports.js';
import { redact } from '../../redact.js';
import type { BusinessPolicy, DesiredMember } from '../../types.js';
import { StatusComment } from '../request/status-comment.js';

export interface ExpiryNarration {
  now: Date;
  /** The expired policy entries this run looked at. */
  expired: ReadonlyArray<{ business: BusinessPolicy; members: readonly DesiredMember[] }>;
  /** FreshBooks still shows this person's access (after this run's revokes). */
  holdsAccess: (businessId: number, email: string) => boolean;
}

/** One line per issue closed (or that could not be), for the job summary. */
export async function narrateExpiry(
  io: Console,
  github: Pick<GitHubSession, 'octokit' | 'repo' | 'identity'>,
  input: ExpiryNarration,
): Promise<string[]> {
  const ended = new Set(
    input.expired.flatMap(({ business, members }) =>
      members
        .filter((m) => !input.holdsAccess(business.businessId, m.email))
        .map((m) => `${business.businessId} ${m.email}`),
    ),
  );
  if (ended.size === 0) return [];
  const lines: string[] = [];
  try {
    for (const number of await openIssuesLabelled(github.octokit, github.repo, REQUEST_LABEL)) {
      const status = new StatusComment(github, number);
      const found = await status.read();
      const request = found?.record.request;
      if (
        !found ||
        !request ||
        (found.record.state !== 'granted' && found.record.state !== 'partial')
      ) {
        continue;
      }
      const key = `${request.businessId} ${request.email.trim().toLowerCase()}`;
      if (!ended.has(key) || Date.parse(request.endsAt) > input.now.getTime()) continue;
      const record: RequestStatusRecord = {
        ...found.record,
        state: 'revoked',
        at: input.now.toISOString(),
      };
      await status.write(record);
      await closeIssue(github.octokit, github.repo, number);
      const line = `Request issue #${number} closed: ${request.email}'s ${request.role} access ended (revoked by expiry).`;
      io.stdout.write(`${redact(line)}\n`);
      lines.push(line);
    }
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error));
    io.stderr.write(`rolecall: warning: could not update the access-request issues: ${message}\n`);
    lines.push(`Access-request issues not updated: ${message}`);
  }
  return lines;
}
