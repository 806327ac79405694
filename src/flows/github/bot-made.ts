/**
 * A pull request made entirely by bots, and the only such changes the approval gate accepts.
 *
 * The gate keeps whoever made a change from approving it. With "Allow GitHub Actions to create
 * and approve pull requests" on (the expiry clean-up and the request form need it), a writer can
 * push a workflow on a branch that commits a policy change as `github-actions[bot]` and opens the
 * pull request with `GITHUB_TOKEN`: no person then appears as its maker, and the writer's own
 * approval would count. So when GitHub attests no human maker, the change is accepted only when
 * it is one of rolecall's own bot changes, recognised by **what it changes**, never by who claims
 * to have made it (whatever `github-actions[bot]` writes, a writer's workflow can write too):
 *
 * - it only **removes access** — FreshBooks changes are revokes and downgrades, and the policies
 *   change only by whole member (or team member) entries removed: the expiry clean-up, a review
 *   close. No rule, approval, identity, override, provisioning, seat, mode or file change; or
 * - it is **exactly the access request** of one request issue a person opened: the issue is read
 *   from GitHub (its author cannot be forged; a pull request's body and trailers can), its form
 *   is parsed again, and the change may touch only the asked-for person in the asked-for
 *   business, in the asked-for role, with an expiry. Its maker is then the issue's author, whom
 *   the gate already keeps from approving (flows/github/requesters.ts).
 *
 * Who made the change, as GitHub attests it: the pull request's author (whose token opened it)
 * and whoever pushed one of its commits (repository activity). A commit's author and committer
 * are claims — a workflow writes any name into a commit — so a person named only there does not
 * make a bot-opened, bot-pushed pull request human-made (they are still never counted as
 * approvers). Where GitHub does not tell pushers (a 403, a fork), none are attested.
 *
 * Pure: facts in, a verdict out.
 */
import type { BusinessPolicyChange, PolicyFactChange } from '../../plan/policy-changes.js';
import { describeFactChange } from '../../plan/policy-changes.js';
import { isPolicyRole, roleRank, type KnownRole } from '../../roles.js';
import { normalizeEmail } from '../../sync/live-member.js';
import type { Change } from '../../types.js';
import {
  pullPushes,
  WEB_FLOW_LOGIN,
  type CommitInput,
  type PushInput,
} from '../../github/approvals.js';
import { isBot, sameLogin } from '../../github/identity.js';

export interface MadeBy {
  /** People GitHub attests made the change: a human author, human pushers. */
  humans: string[];
  /** Bots that did: the author, pushers, commit authors and committers. */
  bots: string[];
  /** People the commits name as author or committer: claims, not proof. */
  named: string[];
}

type Account = { login?: string | null; type?: string | null } | null | undefined;

export function whoMade(input: {
  author: Account;
  commits: readonly CommitInput[];
  /** `null`: GitHub does not tell who pushed. */
  pushes: readonly PushInput[] | null;
  headSha: string;
}): MadeBy {
  const humans: string[] = [];
  const bots: string[] = [];
  const named: string[] = [];
  const add = (list: string[], login: string) => {
    if (!list.some((l) => sameLogin(l, login))) list.push(login);
  };
  const sort = (account: Account, people: string[]) => {
    const login = account?.login;
    if (!login) return;
    add(isBot(account) ? bots : people, login);
  };
  sort(input.author, humans);
  for (const push of pullPushes(input.pushes ?? [], input.commits, input.headSha)) {
    sort(push.actor, humans);
  }
  for (const commit of input.commits) {
    sort(commit.author, named);
    if (!sameLogin(commit.committer?.login, WEB_FLOW_LOGIN)) sort(commit.committer, named);
  }
  return { humans, bots, named: named.filter((l) => !humans.some((h) => sameLogin(h, l))) };
}

/** A change of the plan, as far as these rules read it. */
export type PlannedChange = Pick<Change, 'businessId' | 'email' | 'action' | 'from' | 'to'>;

const MEMBER_FACT = /^members\[("(?:[^"\\]|\\.)*")\]\.([A-Za-z]+)$/;

function memberFact(path: string): { email: string; field: string } | null {
  const match = MEMBER_FACT.exec(path);
  if (!match) return null;
  return { email: JSON.parse(match[1] as string) as string, field: match[2] as string };
}

const sameEmail = (a: string, b: string) => normalizeEmail(a) === normalizeEmail(b);

function knownRole(role: string | undefined): KnownRole | null {
  if (role === undefined) return null;
  return isPolicyRole(role) || role === 'owner' ? role : null;
}

function describeChange(c: PlannedChange): string {
  const to = c.to ? ` (${c.to.role})` : '';
  if (c.action === 'change')
    return `business ${c.businessId}: change ${c.email} from ${c.from?.role ?? '?'} to ${c.to?.role ?? '?'}`;
  return `business ${c.businessId}: ${c.action} ${c.email}${to}`;
}

/**
 * Policy fact changes as lines: a member entry added is one line (`adds x (role)`), every other
 * fact its own (`approvals.required: 1 → 0`).
 */
function describeFacts(businessId: number, facts: readonly PolicyFactChange[]): string[] {
  const added = new Map<string, string>();
  for (const fact of facts) {
    const member = memberFact(fact.path);
    if (member?.field === 'role' && !('before' in fact) && 'after' in fact)
      added.set(member.email, String(fact.after));
  }
  const lines = [...added].map(
    ([email, role]) => `business ${businessId}: adds ${email} (${role})`,
  );
  for (const fact of facts) {
    const member = memberFact(fact.path);
    if (member && added.has(member.email) && !('before' in fact)) continue;
    lines.push(`business ${businessId}: ${describeFactChange(fact)}`);
  }
  return lines;
}

/**
 * What keeps the change from only removing access, one line each (empty: it only removes
 * access). A downgrade is a change to a role ranked lower than a role rolecall knows.
 */
export function beyondRemovals(
  changes: readonly PlannedChange[],
  policyChanges: readonly BusinessPolicyChange[],
): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    if (c.action === 'revoke') continue;
    const from = knownRole(c.from?.role);
    const to = knownRole(c.to?.role);
    const downgrade = c.action === 'change' && from !== null && to !== null;
    if (downgrade && roleRank(to) < roleRank(from)) continue;
    lines.push(describeChange(c));
  }
  for (const business of policyChanges) {
    const removed = new Set(
      business.changes
        .filter((f) => 'before' in f && !('after' in f))
        .map((f) => memberFact(f.path))
        .filter((m) => m?.field === 'role')
        .map((m) => (m as { email: string }).email),
    );
    const beyond = business.changes.filter((fact) => {
      const member = memberFact(fact.path);
      return !(member !== null && removed.has(member.email) && !('after' in fact));
    });
    lines.push(...describeFacts(business.businessId, beyond));
  }
  return lines;
}

/** The access an issue's form asks for (jit/request-from-form.ts). */
export interface RequestedAccess {
  businessId: number;
  email: string;
  role: string;
}

/** Member fields a request writes; anything else is not the request's. */
const REQUEST_FIELDS = new Set(['role', 'expires', 'reason', 'ticket', 'via']);

/**
 * What the change does beyond the request, one line each (empty: exactly the request).
 * `roleBefore` is the person's role in the last approved policies (`null`: not listed): an
 * extension that keeps the role has no role fact change, so the role it keeps comes from there.
 */
export function beyondRequest(
  requested: RequestedAccess,
  changes: readonly PlannedChange[],
  policyChanges: readonly BusinessPolicyChange[],
  roleBefore: string | null,
): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    const same =
      c.businessId === requested.businessId &&
      sameEmail(c.email, requested.email) &&
      c.action !== 'revoke' &&
      c.to?.role === requested.role;
    if (!same) lines.push(describeChange(c));
  }
  let role: string | null = roleBefore;
  let expires = false;
  let touched = false;
  for (const business of policyChanges) {
    const others: PolicyFactChange[] = [];
    for (const fact of business.changes) {
      const member = memberFact(fact.path);
      const ours =
        business.businessId === requested.businessId &&
        member !== null &&
        sameEmail(member.email, requested.email) &&
        REQUEST_FIELDS.has(member.field);
      if (!ours) {
        others.push(fact);
        continue;
      }
      touched = true;
      if (member.field === 'role') role = 'after' in fact ? String(fact.after) : null;
      if (member.field === 'expires') expires = typeof fact.after === 'string';
      if (
        member.field === 'via' &&
        (fact.after as { kind?: unknown } | undefined)?.kind !== 'member'
      )
        lines.push(`${requested.email} is not a direct entry (${describeFactChange(fact)})`);
    }
    lines.push(...describeFacts(business.businessId, others));
  }
  if (!touched) {
    lines.push(`the policies do not change ${requested.email}'s entry`);
  } else {
    if (role !== requested.role) lines.push(`${requested.email} ends up ${role ?? 'not listed'}`);
    if (!expires) lines.push(`${requested.email} gets no new expiry (a request is time-bound)`);
  }
  return lines;
}

/** The request issue a bot-made change names, as read from GitHub. */
export interface RequestEvidence {
  issue: number;
  /** The issue's author, read from GitHub. */
  requester: string | null;
  /** What its form asks for; `null` with `problem`. */
  requested: RequestedAccess | null;
  /** Why the issue cannot vouch for the change (closed, not a form, opened by a bot…). */
  problem: string | null;
  /** The requested person's role in the last approved policies, `null` when not listed. */
  roleBefore: string | null;
}

export type BotMadeVerdict = { accepted: true; note: string } | { accepted: false; unmet: string };

/** Lines of detail a refusal shows; the rest are counted. */
const SHOWN = 3;

function some(lines: readonly string[]): string {
  const shown = lines.slice(0, SHOWN).join('; ');
  return lines.length > SHOWN ? `${shown}; and ${lines.length - SHOWN} more` : shown;
}

/**
 * The verdict on a pull request GitHub attests no human made (`madeBy.humans` empty): accepted
 * only as one of rolecall's own bot changes (see the file comment).
 */
export function judgeBotMade(input: {
  pullNumber: number;
  madeBy: MadeBy;
  changes: readonly PlannedChange[];
  policyChanges: readonly BusinessPolicyChange[];
  /** `null`: the change names no request issue. */
  request: RequestEvidence | null;
}): BotMadeVerdict {
  const { pullNumber, madeBy, request } = input;
  const bots = madeBy.bots.length
    ? `made entirely by bots (${madeBy.bots.join(', ')})`
    : 'made by no one GitHub can name';
  const claimed = madeBy.named.length
    ? ` Its commits name ${madeBy.named.map((l) => `@${l}`).join(', ')} as author or committer, which a commit's author field does not prove (those are still not counted).`
    : '';
  const removals = beyondRemovals(input.changes, input.policyChanges);
  if (removals.length === 0) {
    return {
      accepted: true,
      note: `#${pullNumber} was ${bots}; accepted as a change that only removes access (rolecall's expiry clean-up or review close)`,
    };
  }
  let why = `it does more than remove access: ${some(removals)}`;
  if (request?.problem) {
    why = `it does more than remove access (${some(removals)}), and the request issue #${request.issue} it names cannot vouch for it: ${request.problem}`;
  } else if (request?.requested) {
    const { requested } = request;
    const beyond = beyondRequest(requested, input.changes, input.policyChanges, request.roleBefore);
    if (beyond.length === 0) {
      return {
        accepted: true,
        note: `#${pullNumber} was ${bots}; accepted as the access request of #${request.issue} by @${request.requester ?? '?'}, who cannot approve it`,
      };
    }
    why =
      `it does more than remove access, and it is not what request issue #${request.issue} asks for ` +
      `(${requested.role} for ${requested.email} in business ${requested.businessId}): ${some(beyond)}`;
  }
  return {
    accepted: false,
    unmet:
      `pull request #${pullNumber} was ${bots}: no human maker to keep from approving it; ` +
      "a person must make the change (open the pull request or push to it), or it must be one of rolecall's own: " +
      'a change that only removes access (the expiry clean-up, a review close) or exactly the access request of an issue a person opened. ' +
      `Here ${why}.${claimed}`,
  };
}
