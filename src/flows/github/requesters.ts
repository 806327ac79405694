/**
 * Who asked for a change made from an access-request issue: the approval gate excludes them
 * exactly like the pull request's author (a request opened by the workflow is *authored* by a
 * bot, so without this the requester could approve their own access).
 *
 * Three sources, united — each can only add people, never remove one:
 * - the trailers of the pull request's commits (`Rolecall-Requested-By`, `Rolecall-Edited-By`,
 *   `Rolecall-Request: #N`): a commit cannot be edited, and whoever rewrites it becomes a
 *   pusher the gate excludes anyway;
 * - the hidden record in the pull request's body (its issue and requester);
 * - the author of each issue those name, read from GitHub now (who opened it cannot change).
 */
import type { CommitInput } from '../../github/approvals.js';
import type { GitHubClient } from '../../github/client.js';
import type { RepoRef } from '../../github/context.js';
import { readHiddenRecord } from '../../github/hidden-record.js';
import { sameLogin } from '../../github/identity.js';
import { readIssue } from '../../github/request-issue.js';
import {
  LINK_SCOPE,
  parseLinkRecord,
  parseRequestTrailers,
  REQUEST_KIND,
} from '../../jit/request-link.js';

export interface Requester {
  login: string;
  /** Why they cannot approve, as the refusal lists it. */
  why: string;
}

export interface RequestersFound {
  requesters: Requester[];
  /** The request issues the change comes from. */
  issues: number[];
  /** What could not be checked (an issue the token cannot read). */
  notes: string[];
}

export async function findRequesters(
  octokit: GitHubClient,
  repo: RepoRef,
  pr: { number: number; body: string | null },
  commits: readonly CommitInput[],
): Promise<RequestersFound> {
  const found: Requester[] = [];
  const add = (login: string, why: string) => {
    if (!found.some((r) => sameLogin(r.login, login))) found.push({ login, why });
  };
  const issues = new Set<number>();
  const named: Requester[] = [];
  for (const commit of commits) {
    const link = parseRequestTrailers(commit.commit.message);
    for (const issue of link.issues) issues.add(issue);
    for (const login of link.logins) {
      named.push({
        login,
        why: `asked for this access (commit ${commit.sha.slice(0, 7)} names them)`,
      });
    }
  }
  const record = parseLinkRecord(readHiddenRecord(pr.body, REQUEST_KIND, LINK_SCOPE));
  if (record) {
    issues.add(record.issue);
    named.push({ login: record.requester, why: `asked for this access in #${record.issue}` });
    for (const login of record.editors) {
      named.push({ login, why: `edited the request in #${record.issue}` });
    }
  }
  const notes: string[] = [];
  // The issue's author first: the reason a refusal gives is the plainest one.
  for (const number of [...issues].sort((a, b) => a - b)) {
    try {
      const issue = await readIssue(octokit, repo, number);
      if (!issue.isPullRequest && issue.author) {
        add(issue.author, `asked for this access in #${number}`);
      }
    } catch (error) {
      notes.push(
        `could not read request issue #${number} (${error instanceof Error ? error.message : String(error)}); the requester the commit names is excluded`,
      );
    }
  }
  for (const r of named) add(r.login, r.why);
  return { requesters: found, issues: [...issues].sort((a, b) => a - b), notes };
}
