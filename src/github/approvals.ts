/**
 * The approval rules of the pull-request gate, as a pure function of what GitHub reports.
 *
 * Which reviews count:
 * - The *latest decisive* review of each user: APPROVED, CHANGES_REQUESTED or DISMISSED. A later
 *   COMMENTED review does not cancel an approval — GitHub's own review decision behaves the same
 *   way. PENDING (unsubmitted) reviews are ignored.
 * - Only an APPROVED review whose `commit_id` is the pull request's head commit counts: an
 *   approval of an older commit approved something else (stricter than GitHub unless branch
 *   protection dismisses stale approvals).
 * - Never counted: bots (`type: 'Bot'` or a login ending in `[bot]`); everyone who made the
 *   change — the pull-request author, every author and committer of its commits (GitHub's
 *   `web-flow` committer of web edits is no person), and whoever pushed one of its commits to
 *   the head branch, the head commit included, where GitHub's repository activity tells;
 *   anyone the pull request grants, changes or revokes access for (see `subjectOf`); and, when
 *   repository permissions are given, anyone without write access (on a public repository
 *   anybody can submit an "approving" review).
 * - An outstanding CHANGES_REQUESTED from someone who could have approved blocks the gate.
 *
 * The policy names people by email and GitHub by login; GitHub does not reveal a user's private
 * email, and a commit's author email need not belong to any account. A reviewer is taken to own
 * an address (a subject's, a commit author's or committer's) when it is the same mailbox as one
 * of their known addresses — the public profile email, supplied by the gate, and the addresses
 * the policy's `identities:` gives their login — compared lower-case, without a `+tag` and
 * without a trailing dot in the domain; when it is their `users.noreply.github.com` address; or
 * when its local part is their login, with `.`, `_` and `-` alike (identity.ts). These checks
 * only ever *remove* approvers, so a false match fails closed; a grantee whose GitHub account
 * shows none of these links, and is not in `identities:`, is not recognised — CODEOWNERS and
 * branch protection ("Require approval of the most recent reviewable push") are the complement.
 */
import type { ApprovalRule, ApprovalRules, Change } from '../types.js';
import type { PolicyRole } from '../roles.js';
import { isBot, ownsMailbox, sameLogin } from './identity.js';

export interface ReviewInput {
  id?: number;
  user: { login: string; type?: string | null } | null;
  /** REST states are upper-case. */
  state: string;
  commit_id: string | null;
  submitted_at?: string | null;
}

export interface EvaluateApprovalsInput {
  rules: ApprovalRules;
  /** As `GET /pulls/{n}/reviews` lists them (oldest first); re-sorted by submission time. */
  reviews: ReviewInput[];
  headSha: string;
  /** Login of the pull-request author. */
  author: string;
  /** Emails the pull request grants, changes or revokes access for. */
  subjects: string[];
  /** The changes, for the per-role rules (grants and changes *to* a role). */
  changes: Array<Pick<Change, 'action' | 'email' | 'to'>>;
  /** `org/slug` → logins of its active members (only the reviewers need to be looked up). */
  teamMembers?: Record<string, string[]>;
  /** login → emails known for that user (public profile email). */
  reviewerEmails?: Record<string, string[]>;
  /** login → repository permission. When given, only `admin`, `maintain` and `write` count. */
  permissions?: Record<string, string>;
  /** The pull request's commits (`GET /pulls/{n}/commits`): their authors and committers. */
  commits?: CommitInput[];
  /** Pushes to the head branch (`GET /repos/{o}/{r}/activity?ref=…`); absent when unknown. */
  pushes?: PushInput[];
  /** Logins known to be the people with these emails (the policy's `identities:`). */
  identities?: IdentityLink[];
  /**
   * Who asked for the change (an access request made with the issue form, and whoever edited
   * it), with why: excluded exactly like the pull-request author.
   */
  requesters?: Array<{ login: string; why: string }>;
}

/** "This GitHub login is the person with these emails" (a policy's `identities:`). */
export interface IdentityLink {
  login: string;
  emails: string[];
}

/** A commit as `GET /pulls/{n}/commits` lists it: only the fields the rules read. */
export interface CommitInput {
  sha: string;
  /** The accounts GitHub links the author and committer emails to; `null` when none. */
  author?: { login?: string; type?: string | null } | null;
  committer?: { login?: string; type?: string | null } | null;
  commit: {
    author?: { email?: string } | null;
    committer?: { email?: string } | null;
    /** Request commits name who asked in trailers (flows/github/requesters.ts reads them). */
    message?: string;
  };
}

/** One repository activity (`GET /repos/{o}/{r}/activity`): only the fields the rules read. */
export interface PushInput {
  after: string;
  activity_type: string;
  actor: { login: string; type?: string | null } | null;
}

export interface ApprovalEvaluation {
  approved: boolean;
  /** One line per unmet rule, naming the rule exactly. */
  unmet: string[];
  /** Logins whose approval counted towards at least one rule. */
  counted: string[];
  /** Reviewers whose review did not count, and why. */
  ignored: Array<{ login: string; reason: string }>;
}

const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);
const WRITE_PERMISSIONS = new Set(['admin', 'maintain', 'write']);
/** Activities that put a commit on a branch (a new branch is pushed with its commits). */
const PUSHES = new Set(['push', 'force_push', 'branch_creation']);
/** The committer GitHub records for edits and merges made in its web interface: no person. */
export const WEB_FLOW_LOGIN = 'web-flow';

/** Someone who made the change: a login, an address, or both; and how, for the refusal. */
interface Maker {
  login: string | null;
  email: string | null;
  reason: string;
}

export function evaluateApprovals(input: EvaluateApprovalsInput): ApprovalEvaluation {
  const latest = latestDecisiveReviews(input.reviews);
  const eligible: string[] = [];
  const blockers: string[] = [];
  const ignored: Array<{ login: string; reason: string }> = [];
  const makers = makersOf(input);

  for (const review of latest.values()) {
    const user = review.user as { login: string; type?: string | null };
    const login = user.login;
    const excluded = exclusionOf(user, input, makers);
    if (excluded) {
      ignored.push({ login, reason: excluded });
      continue;
    }
    if (review.state === 'CHANGES_REQUESTED') {
      blockers.push(login);
      ignored.push({ login, reason: 'requested changes' });
    } else if (review.state === 'DISMISSED') {
      ignored.push({ login, reason: 'their review was dismissed' });
    } else if (review.commit_id !== input.headSha) {
      ignored.push({
        login,
        reason: `approved an older commit ${short(review.commit_id)}, not the head ${short(input.headSha)}`,
      });
    } else {
      eligible.push(login);
    }
  }

  const unmet: string[] = [];
  const counted = new Set<string>();
  const notCounted = ignored.length
    ? `; not counted: ${ignored.map((i) => `@${i.login} (${i.reason})`).join(', ')}`
    : '';

  const check = (name: string, rule: ApprovalRule, scope: string) => {
    const matching = eligible.filter((login) => matchesRule(login, rule, input.teamMembers ?? {}));
    for (const login of matching) counted.add(login);
    if (matching.length < rule.required) {
      const from = describeFilter(rule);
      const got = matching.length ? ` (${matching.map((l) => `@${l}`).join(', ')})` : '';
      const outside = eligible.filter((l) => !matching.includes(l));
      const outsideNote = outside.length
        ? `; approved but not ${from.trim()}: ${outside.map((l) => `@${l}`).join(', ')}`
        : '';
      unmet.push(
        `${name}: ${matching.length} of ${rule.required} required approval${rule.required === 1 ? '' : 's'}` +
          `${from}${scope}${got}${outsideNote}${notCounted}`,
      );
    }
  };

  check('approvals.required', input.rules, '');
  for (const [role, rule] of Object.entries(input.rules.roles ?? {}) as Array<
    [PolicyRole, ApprovalRule]
  >) {
    const touching = input.changes.filter(
      (c) => (c.action === 'grant' || c.action === 'change') && c.to?.role === role,
    );
    if (touching.length === 0) continue;
    const list = touching.slice(0, 5).map((c) => `${c.action} ${c.email}`);
    if (touching.length > 5) list.push(`${touching.length - 5} more`);
    check(`approvals.roles.${role}`, rule, ` (for ${list.join(', ')})`);
  }
  for (const login of blockers) {
    unmet.push(
      `changes requested by @${login}: they must approve, or their review must be dismissed`,
    );
  }
  return {
    approved: unmet.length === 0,
    unmet,
    counted: [...counted].sort(),
    ignored,
  };
}

/** Latest decisive review per user (by login, case-insensitive), in submission order. */
export function latestDecisiveReviews(reviews: ReviewInput[]): Map<string, ReviewInput> {
  const ordered = reviews
    .map((review, index) => ({ review, index }))
    .filter(({ review }) => review.user && DECISIVE.has(review.state.toUpperCase()))
    .sort(
      (a, b) =>
        (a.review.submitted_at ?? '').localeCompare(b.review.submitted_at ?? '') ||
        (a.review.id ?? 0) - (b.review.id ?? 0) ||
        a.index - b.index,
    );
  const latest = new Map<string, ReviewInput>();
  for (const { review } of ordered) {
    latest.set((review.user as { login: string }).login.toLowerCase(), {
      ...review,
      state: review.state.toUpperCase(),
    });
  }
  return latest;
}

/**
 * Everyone who made the change, pushers of the head commit first (the reason a refusal names is
 * the first that matches): whoever pushed one of the pull request's commits, then each commit's
 * author and committer (`web-flow`, GitHub's web committer, is no person).
 */
function makersOf(input: EvaluateApprovalsInput): Maker[] {
  const commits = input.commits ?? [];
  const head: Maker[] = [];
  const earlier: Maker[] = [];
  for (const push of pullPushes(input.pushes ?? [], commits, input.headSha)) {
    if (push.after === input.headSha)
      head.push({ login: push.actor.login, email: null, reason: 'pushed the head commit' });
    else
      earlier.push({
        login: push.actor.login,
        email: null,
        reason: `pushed commits to this pull request (${short(push.after)})`,
      });
  }
  const made: Maker[] = [];
  for (const c of commits) {
    made.push({
      login: c.author?.login ?? null,
      email: c.commit.author?.email ?? null,
      reason: `authored commit ${short(c.sha)} of this pull request`,
    });
    if (sameLogin(c.committer?.login, WEB_FLOW_LOGIN)) continue;
    made.push({
      login: c.committer?.login ?? null,
      email: c.commit.committer?.email ?? null,
      reason: `committed ${short(c.sha)} of this pull request`,
    });
  }
  return [...head, ...earlier, ...made];
}

/**
 * The pushes that put a commit of the pull request (its head included) on a branch, with a
 * known actor: who pushed the change, as GitHub's repository activity records it.
 */
export function pullPushes(
  pushes: readonly PushInput[],
  commits: readonly CommitInput[],
  headSha: string,
): Array<PushInput & { actor: NonNullable<PushInput['actor']> }> {
  const inPull = new Set(commits.map((c) => c.sha));
  return pushes.filter(
    (p): p is PushInput & { actor: NonNullable<PushInput['actor']> } =>
      p.actor !== null &&
      PUSHES.has(p.activity_type) &&
      (p.after === headSha || inPull.has(p.after)),
  );
}

function exclusionOf(
  user: { login: string; type?: string | null },
  input: EvaluateApprovalsInput,
  makers: Maker[],
): string | null {
  if (isBot(user)) return 'is a bot';
  if (sameLogin(user.login, input.author)) return 'is the pull request author';
  const requester = input.requesters?.find((r) => sameLogin(r.login, user.login));
  if (requester) return requester.why;
  const byLogin = makers.find((m) => sameLogin(m.login, user.login));
  if (byLogin) return byLogin.reason;
  const known = knownEmails(user.login, input.reviewerEmails ?? {}, input.identities ?? []);
  const byEmail = makers.find((m) => m.email && ownsMailbox(user.login, known, m.email));
  if (byEmail) return `${byEmail.reason} (as ${String(byEmail.email).trim().toLowerCase()})`;
  const subject = subjectOf(
    user.login,
    input.subjects,
    input.reviewerEmails ?? {},
    input.identities ?? [],
  );
  if (subject) return `this pull request changes their own access (${subject})`;
  if (input.permissions) {
    const permission = lookup(input.permissions, user.login) ?? 'none';
    if (!WRITE_PERMISSIONS.has(permission))
      return `has no write access to the repository (${permission})`;
  }
  return null;
}

/** The subject email a reviewer is taken to be, or `null`. See the file comment for the rules. */
export function subjectOf(
  login: string,
  subjects: string[],
  reviewerEmails: Record<string, string[]>,
  identities: readonly IdentityLink[] = [],
): string | null {
  const known = knownEmails(login, reviewerEmails, identities);
  const found = subjects.find((email) => ownsMailbox(login, known, email));
  return found === undefined ? null : found.trim().toLowerCase();
}

/** A reviewer's known addresses: the public profile email and the policy's `identities:`. */
function knownEmails(
  login: string,
  reviewerEmails: Record<string, string[]>,
  identities: readonly IdentityLink[],
): string[] {
  return [
    ...(lookup(reviewerEmails, login) ?? []),
    ...identities.filter((i) => sameLogin(i.login, login)).flatMap((i) => i.emails),
  ];
}

function matchesRule(
  login: string,
  rule: ApprovalRule,
  teamMembers: Record<string, string[]>,
): boolean {
  const users = rule.users ?? [];
  const teams = rule.teams ?? [];
  if (users.length === 0 && teams.length === 0) return true;
  if (users.some((u) => sameLogin(u, login))) return true;
  return teams.some((team) => (lookup(teamMembers, team) ?? []).some((m) => sameLogin(m, login)));
}

function describeFilter(rule: ApprovalRule): string {
  const parts: string[] = [];
  if (rule.teams?.length)
    parts.push(`team${rule.teams.length > 1 ? 's' : ''} ${rule.teams.join(', ')}`);
  if (rule.users?.length)
    parts.push(
      `user${rule.users.length > 1 ? 's' : ''} ${rule.users.map((u) => `@${u}`).join(', ')}`,
    );
  return parts.length ? ` from ${parts.join(' or ')}` : '';
}

function lookup<T>(map: Record<string, T>, key: string): T | undefined {
  if (Object.hasOwn(map, key)) return map[key];
  const lower = key.toLowerCase();
  const found = Object.keys(map).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : map[found];
}

function short(sha: string | null): string {
  return sha ? sha.slice(0, 7) : '(none)';
}
