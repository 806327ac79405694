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
 *
 * A pull request made entirely by bots is accepted as a request only when its one issue vouches
 * for it (`readRequestEvidence`, judged by flows/github/bot-made.ts): the link itself (trailers, body)
 * is whatever a workflow wrote, so the issue is read from GitHub and its form parsed again.
 */
import type { CommitInput } from '../../github/approvals.js';
import type { RequestEvidence } from './bot-made.js';
import type { GitHubClient } from '../../github/client.js';
import type { RepoRef } from '../../github/context.js';
import { readHiddenRecord } from '../../github/hidden-record.js';
import { isBot, sameLogin } from '../../github/identity.js';
import { readIssue, type RequestIssue } from '../../github/request-issue.js';
import { parseRequestForm } from '../../jit/parse-issue-form.js';
import { requestFromForm } from '../../jit/request-from-form.js';
import {
  LINK_SCOPE,
  parseLinkRecord,
  parseRequestTrailers,
  REQUEST_KIND,
  REQUEST_LABEL,
} from '../../jit/request-link.js';
import { normalizeEmail } from '../../sync/live-member.js';
import type { DesiredState } from '../../types.js';

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

/**
 * What the one request issue a change names says, read from GitHub now: who opened it and what
 * its form asks for, matched against the last approved policies (`approved`, as the request
 * flow matched it against the base branch). `problem` says why it cannot vouch for the change:
 * several issues or none readable, a pull request, no `access-request` label, closed
 * (withdrawn), opened by a bot, a form that does not parse, or no approved policies to read it
 * against.
 */
export async function readRequestEvidence(
  octokit: GitHubClient,
  repo: RepoRef,
  issues: readonly number[],
  approved: DesiredState | null,
): Promise<RequestEvidence> {
  const [number = 0] = issues;
  const evidence = (
    problem: string | null,
    rest: Partial<RequestEvidence> = {},
  ): RequestEvidence => ({
    issue: number,
    requester: null,
    requested: null,
    roleBefore: null,
    problem,
    ...rest,
  });
  if (issues.length !== 1) {
    return evidence(
      `it names ${issues.length} request issues (${issues.map((n) => `#${n}`).join(', ')}); a request pull request comes from one`,
    );
  }
  let issue: RequestIssue;
  try {
    issue = await readIssue(octokit, repo, number);
  } catch (error) {
    return evidence(
      `it cannot be read (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const requester = issue.author || null;
  if (issue.isPullRequest) return evidence(`#${number} is a pull request, not a request issue`);
  if (requester === null || isBot({ login: requester })) {
    return evidence(`it was opened by ${requester ? `@${requester}, a bot` : 'a deleted account'}`);
  }
  if (!issue.labels.some((l) => l.toLowerCase() === REQUEST_LABEL)) {
    return evidence(`it is not labelled ${REQUEST_LABEL}`, { requester });
  }
  if (issue.state !== 'open') {
    return evidence('it is closed (a closed request is withdrawn)', { requester });
  }
  if (approved === null) {
    return evidence('the last approved policies are unknown, so its form cannot be read', {
      requester,
    });
  }
  const parsed = parseRequestForm(issue.body);
  const mapped = parsed.problems.length === 0 ? requestFromForm(approved, parsed.fields) : null;
  if (mapped === null || !mapped.ok) {
    const problems = mapped === null ? parsed.problems : mapped.problems;
    return evidence(`its form is not a valid request (${problems[0] ?? 'unreadable'})`, {
      requester,
    });
  }
  const { businessId, email, role } = mapped.request;
  const listed = approved.businesses
    .find((b) => b.businessId === businessId)
    ?.members.find((m) => normalizeEmail(m.email) === normalizeEmail(email));
  return evidence(null, {
    requester,
    requested: { businessId, email, role },
    roleBefore: listed?.role ?? null,
  });
}
