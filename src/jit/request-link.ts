/**
 * How a request issue, its pull request and its commit point at each other, and what the issue's
 * status comment remembers. Pure: the records are plain data, shape-checked when read back
 * (anyone can paste a marker, so a record is only trusted with its author; see
 * github/sticky-comment.ts), and the commit trailers are parsed from text.
 *
 * - The **commit** carries trailers (`Rolecall-Request: #12`, `Rolecall-Requested-By: login`):
 *   a commit cannot be edited, and rewriting it makes the rewriter a pusher the gate excludes.
 * - The **pull request's body** carries a hidden record naming the issue and the requester.
 * - The **issue** carries rolecall's status comment, whose record holds the request, its pull
 *   request and its state; apply and expire update it.
 */

/** The label the form puts on a request issue; request.yml runs only for issues that have it. */
export const REQUEST_LABEL = 'access-request';
/** Added while the form has problems, removed once it is fixed. */
export const REQUEST_INVALID_LABEL = 'access-request-invalid';

/** Hidden-record kind and scopes (github/hidden-record.ts). */
export const REQUEST_KIND = 'request';
/** The issue's status comment. */
export const STATUS_SCOPE = 'status';
/** The pull request's body. */
export const LINK_SCOPE = 'issue';

/** The branch of issue N's pull request: the same one for every edit of the issue. */
export function issueBranchName(issue: number): string {
  return `rolecall/request/issue-${issue}`;
}

export const REQUEST_TRAILER = 'Rolecall-Request';
export const REQUESTED_BY_TRAILER = 'Rolecall-Requested-By';
export const EDITED_BY_TRAILER = 'Rolecall-Edited-By';

/** GitHub logins, and app bots (`name[bot]`). */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

export function isLogin(text: unknown): text is string {
  return typeof text === 'string' && LOGIN.test(text);
}

/** The trailers of a request commit, one per line, after a blank line. */
export function requestTrailers(link: {
  issue: number;
  requester: string;
  editors: readonly string[];
}): string {
  return [
    `${REQUEST_TRAILER}: #${link.issue}`,
    `${REQUESTED_BY_TRAILER}: ${link.requester}`,
    ...link.editors.map((login) => `${EDITED_BY_TRAILER}: ${login}`),
  ].join('\n');
}

export interface CommitRequestLink {
  issues: number[];
  /** Requesters and editors: the people who asked, as the commit records them. */
  logins: string[];
}

/** The request trailers found in a commit message (none: empty lists). */
export function parseRequestTrailers(message: string | null | undefined): CommitRequestLink {
  const issues = new Set<number>();
  const logins = new Set<string>();
  for (const line of (message ?? '').split(/\r?\n/)) {
    const match = /^(Rolecall-Request|Rolecall-Requested-By|Rolecall-Edited-By):\s*(\S+)\s*$/i.exec(
      line.trim(),
    );
    if (!match) continue;
    const [, key = '', value = ''] = match;
    if (key.toLowerCase() === REQUEST_TRAILER.toLowerCase()) {
      const number = /^#(\d{1,9})$/.exec(value)?.[1];
      if (number !== undefined) issues.add(Number(number));
    } else if (isLogin(value)) {
      logins.add(value);
    }
  }
  return { issues: [...issues], logins: [...logins] };
}

/** The hidden record of a request pull request's body. */
export interface PullRequestLinkRecord {
  v: 1;
  issue: number;
  requester: string;
  editors: string[];
}

export function parseLinkRecord(value: unknown): PullRequestLinkRecord | null {
  if (!value || typeof value !== 'object') return null;
  const r = value as Partial<PullRequestLinkRecord>;
  if (r.v !== 1 || !Number.isSafeInteger(r.issue) || (r.issue as number) < 1) return null;
  if (!isLogin(r.requester)) return null;
  const editors = Array.isArray(r.editors) ? r.editors.filter(isLogin) : [];
  return { v: 1, issue: r.issue as number, requester: r.requester, editors };
}

/**
 * Where a request stands, as the status comment says it:
 * - `refused`: the form has problems (listed); nothing requested;
 * - `unchanged`: the policy already says exactly this;
 * - `blocked`: GitHub would not let the workflow open the pull request (a setting);
 * - `failed`: something else went wrong (the message says what);
 * - `open`: the pull request waits for approval;
 * - `withdrawn`: the issue was closed before the merge (the pull request is closed);
 * - `not-applied`: merged, but apply refused it;
 * - `partial`: merged, partly applied (manual tasks or failures);
 * - `granted`: applied;
 * - `revoked`: the access ended at its expiry (the issue is closed).
 */
export type RequestState =
  | 'refused'
  | 'unchanged'
  | 'blocked'
  | 'failed'
  | 'open'
  | 'withdrawn'
  | 'not-applied'
  | 'partial'
  | 'granted'
  | 'revoked';

const STATES: ReadonlySet<string> = new Set<RequestState>([
  'refused',
  'unchanged',
  'blocked',
  'failed',
  'open',
  'withdrawn',
  'not-applied',
  'partial',
  'granted',
  'revoked',
]);

/** What was requested, once the form made sense. */
export interface RequestDetails {
  businessId: number;
  businessName: string | null;
  email: string;
  role: string;
  /** The policy's `expires` value as written. */
  expires: string;
  /** The first instant without access, ISO. */
  endsAt: string;
  /** As asked: `8h`, `until 2026-12-31`. */
  asked: string;
  reason: string;
  ticket: string | null;
  /** When the request was made (a duration counts from here), ISO. */
  requestedAt: string;
}

/** The status comment's hidden record. */
export interface RequestStatusRecord {
  v: 1;
  state: RequestState;
  issue: number;
  requester: string;
  editors: string[];
  /** Digest of the form's answers this request was made from (an unchanged form keeps its time). */
  formDigest: string | null;
  request: RequestDetails | null;
  pullRequest: number | null;
  /** Who approved it (after apply). */
  approvers: string[];
  /**
   * The address asked for is the requester's own (their public e-mail, their login), or not —
   * then the request is for someone else, and the comment says so; null: not known yet.
   */
  forThemselves?: boolean | null;
  /** When this state was reached, ISO. */
  at: string;
}

function str(value: unknown): value is string {
  return typeof value === 'string';
}

function details(value: unknown): RequestDetails | null {
  if (!value || typeof value !== 'object') return null;
  const d = value as Partial<RequestDetails>;
  if (
    !Number.isSafeInteger(d.businessId) ||
    !str(d.email) ||
    !str(d.role) ||
    !str(d.expires) ||
    !str(d.endsAt) ||
    Number.isNaN(Date.parse(d.endsAt)) ||
    !str(d.asked) ||
    !str(d.reason) ||
    !str(d.requestedAt) ||
    Number.isNaN(Date.parse(d.requestedAt))
  ) {
    return null;
  }
  return {
    businessId: d.businessId as number,
    businessName: str(d.businessName) ? d.businessName : null,
    email: d.email,
    role: d.role,
    expires: d.expires,
    endsAt: d.endsAt,
    asked: d.asked,
    reason: d.reason,
    ticket: str(d.ticket) ? d.ticket : null,
    requestedAt: d.requestedAt,
  };
}

/** Shape check of an untrusted record; anything odd is "no record". */
export function parseStatusRecord(value: unknown): RequestStatusRecord | null {
  if (!value || typeof value !== 'object') return null;
  const r = value as Partial<RequestStatusRecord>;
  if (r.v !== 1 || !str(r.state) || !STATES.has(r.state)) return null;
  if (!Number.isSafeInteger(r.issue) || !isLogin(r.requester) || !str(r.at)) return null;
  return {
    v: 1,
    state: r.state,
    issue: r.issue as number,
    requester: r.requester,
    editors: Array.isArray(r.editors) ? r.editors.filter(isLogin) : [],
    formDigest: str(r.formDigest) ? r.formDigest : null,
    request: details(r.request),
    pullRequest: Number.isSafeInteger(r.pullRequest) ? (r.pullRequest as number) : null,
    approvers: Array.isArray(r.approvers) ? r.approvers.filter(isLogin) : [],
    ...(typeof r.forThemselves === 'boolean' ? { forThemselves: r.forThemselves } : {}),
    at: r.at,
  };
}
