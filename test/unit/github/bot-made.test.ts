/**
 * The rules for a pull request made entirely by bots (src/flows/github/bot-made.ts), pure: who GitHub
 * attests made it, what counts as only removing access, what is exactly an access request, and
 * the verdict with its message. Policy changes come from real policies diffed by the same
 * function apply uses (plan/policy-changes.ts).
 */
import { describe, expect, it } from 'vitest';
import type { CommitInput, PushInput } from '../../../src/github/approvals.js';
import {
  beyondRemovals,
  beyondRequest,
  judgeBotMade,
  whoMade,
  type MadeBy,
  type RequestEvidence,
} from '../../../src/flows/github/bot-made.js';
import { diffPolicies, type BusinessPolicyChange } from '../../../src/plan/policy-changes.js';
import { validateDocuments } from '../../../src/policy/load-desired-state.js';
import type { DesiredState } from '../../../src/types.js';
import { change, grant, revoke } from '../../support/fake-github/plans.js';

const HEAD = 'h'.repeat(40);
const BOT = { login: 'github-actions[bot]', type: 'Bot' };

type Account = { login: string; type?: string };

function commit(sha: string, author: Account | null, committer = author): CommitInput {
  return { sha, author, committer, commit: { message: 'change' } };
}
function push(after: string, login: string, type = 'push'): PushInput {
  return { after, activity_type: type, actor: { login } };
}

describe('whoMade: the people GitHub attests made a pull request', () => {
  it('a bot author, bot commits and a bot push: nobody', () => {
    expect(
      whoMade({
        author: BOT,
        commits: [commit(HEAD, BOT)],
        pushes: [push(HEAD, 'github-actions[bot]', 'branch_creation')],
        headSha: HEAD,
      }),
    ).toEqual({ humans: [], bots: ['github-actions[bot]'], named: [] });
  });

  it('a person who pushed a commit of it, or opened it, made it', () => {
    const pushed = whoMade({
      author: { login: 'renovate[bot]', type: 'Bot' },
      commits: [commit('a'.repeat(40), BOT), commit(HEAD, { login: 'maya' })],
      pushes: [push(HEAD, 'maya')],
      headSha: HEAD,
    });
    expect(pushed.humans).toEqual(['maya']);
    expect(pushed.named).toEqual([]);
    expect(
      whoMade({ author: { login: 'dev' }, commits: [], pushes: null, headSha: HEAD }).humans,
    ).toEqual(['dev']);
  });

  it('a person named only as a commit’s author or committer is a claim, not a maker', () => {
    const made = whoMade({
      author: BOT,
      commits: [commit(HEAD, { login: 'ben-gh' }, { login: 'web-flow' })],
      pushes: [push(HEAD, 'github-actions[bot]')],
      headSha: HEAD,
    });
    expect(made).toEqual({ humans: [], bots: ['github-actions[bot]'], named: ['ben-gh'] });
  });

  it('a push of a commit outside the pull request, or of another kind, does not count', () => {
    const made = whoMade({
      author: BOT,
      commits: [commit(HEAD, BOT)],
      pushes: [push('x'.repeat(40), 'maya'), push(HEAD, 'olivia', 'branch_deletion')],
      headSha: HEAD,
    });
    expect(made.humans).toEqual([]);
  });

  it('pushers GitHub does not tell (null) attest nobody', () => {
    expect(whoMade({ author: BOT, commits: [], pushes: null, headSha: HEAD }).humans).toEqual([]);
  });
});

const BASE = `business: 240340
name: Acme Books Inc.
mode: authoritative
rules:
  protected: [olivia@acme.example]
  minAdmins: 1
  requireExpiry: [contractor]
  requireReason: true
approvals:
  required: 1
teams:
  - name: bookkeeping
    role: accountant
    reason: Bookkeeping
    members: [dana@acme.example, eli@acme.example]
members:
  - email: alice@acme.example
    role: admin
    reason: Finance lead
  - email: frank@acme.example
    role: employee
    reason: Accounts payable
  - email: amy@contractors.example
    role: contractor
    expires: 2026-12-31
    reason: Quarter close
`;

function load(text: string): DesiredState {
  const result = validateDocuments([{ file: 'policies/acme.yaml', text }], {
    now: new Date('2026-11-29T10:00:00Z'),
  });
  if (!result.value) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const diff = (after: string, before = BASE): BusinessPolicyChange[] =>
  diffPolicies(load(before), load(after));
const without = (text: string, entry: string) => {
  if (!text.includes(entry)) throw new Error(`not in the policy: ${entry}`);
  return text.replace(entry, '');
};
const FRANK = '  - email: frank@acme.example\n    role: employee\n    reason: Accounts payable\n';
const AMY =
  '  - email: amy@contractors.example\n    role: contractor\n    expires: 2026-12-31\n    reason: Quarter close\n';

describe('beyondRemovals: a change that only removes access', () => {
  it('whole entries removed (a member, a team member) with revokes and downgrades: nothing beyond', () => {
    const policy = diff(without(without(BASE, FRANK), ', eli@acme.example'));
    expect(policy.flatMap((b) => b.changes.map((c) => c.path))).toContain(
      'members["eli@acme.example"].role',
    );
    expect(
      beyondRemovals(
        [
          revoke('frank@acme.example', 'employee'),
          change('eli@acme.example', 'accountant', 'employee'),
        ],
        policy,
      ),
    ).toEqual([]);
  });

  it('grants, upgrades and changes from an unknown role are more than removals', () => {
    expect(
      beyondRemovals(
        [
          grant('zed@acme.example', 'accountant'),
          change('frank@acme.example', 'employee', 'manager'),
          change('kim@acme.example', 'business_mystery', 'contractor'),
        ],
        [],
      ),
    ).toEqual([
      'business 240340: grant zed@acme.example (accountant)',
      'business 240340: change frank@acme.example from employee to manager',
      'business 240340: change kim@acme.example from business_mystery to contractor',
    ]);
  });

  it('an added entry, a removed expiry, a lowered bar, a dropped protection, a changed mode are more', () => {
    const lines = beyondRemovals(
      [],
      diff(
        BASE.replace('  required: 1', '  required: 0')
          .replace('  protected: [olivia@acme.example]\n', '')
          .replace('mode: authoritative', 'mode: additive')
          .replace('    expires: 2026-12-31\n', '')
          .replace('  requireExpiry: [contractor]\n', '')
          .replace(
            'members:\n',
            'members:\n  - email: zed@acme.example\n    role: manager\n    reason: Helps\n',
          ),
      ),
    );
    expect(lines).toEqual([
      'business 240340: adds zed@acme.example (manager)',
      'business 240340: approvals.required: 1 → 0',
      'business 240340: members["amy@contractors.example"].expires: "2027-01-01T00:00:00.000Z" → (none)',
      'business 240340: mode: "authoritative" → "additive"',
      'business 240340: rules.protected: ["olivia@acme.example"] → []',
      'business 240340: rules.requireExpiry: ["contractor"] → []',
    ]);
  });

  it('a deleted policy file is more than removals (the business leaves rolecall’s hands)', () => {
    expect(beyondRemovals([], diffPolicies(load(BASE), { businesses: [] }))).toContain(
      'business 240340: business: 240340 → (none)',
    );
  });
});

const REQUESTED = { businessId: 240340, email: 'temp@contractors.example', role: 'contractor' };
const TEMP =
  '  - email: temp@contractors.example\n    role: contractor\n    expires: 2026-11-29T18:00:00Z\n    reason: Quarter close\n';
const withEntry = (text: string, entry: string) => text.replace('members:\n', `members:\n${entry}`);

describe('beyondRequest: exactly what the issue asks for', () => {
  it('the requested grant, as the request flow writes it: nothing beyond', () => {
    expect(
      beyondRequest(
        REQUESTED,
        [grant('temp@contractors.example', 'contractor')],
        diff(withEntry(BASE, TEMP)),
        null,
      ),
    ).toEqual([]);
  });

  it('an extension that keeps the role: the role comes from the approved policies', () => {
    const longer = BASE.replace('expires: 2026-12-31', 'expires: 2027-01-31');
    const amy = { ...REQUESTED, email: 'amy@contractors.example' };
    expect(beyondRequest(amy, [], diff(longer), 'contractor')).toEqual([]);
    expect(beyondRequest({ ...amy, role: 'employee' }, [], diff(longer), 'contractor')).toEqual([
      'amy@contractors.example ends up contractor',
    ]);
  });

  it('anything else: another person, another role, no expiry, another business, a revoke', () => {
    const lines = beyondRequest(
      REQUESTED,
      [grant('zed@acme.example', 'accountant'), revoke('frank@acme.example', 'employee')],
      diff(
        withEntry(
          without(BASE, FRANK),
          '  - email: temp@contractors.example\n    role: employee\n    reason: Quarter close\n  - email: zed@acme.example\n    role: accountant\n    reason: Helps\n',
        ).replace('requireExpiry: [contractor]', 'requireExpiry: []'),
      ),
      null,
    );
    expect(lines).toEqual([
      'business 240340: grant zed@acme.example (accountant)',
      'business 240340: revoke frank@acme.example',
      'business 240340: adds zed@acme.example (accountant)',
      'business 240340: members["frank@acme.example"].reason: "Accounts payable" → (none)',
      'business 240340: members["frank@acme.example"].role: "employee" → (none)',
      'business 240340: members["frank@acme.example"].via: {"kind":"member"} → (none)',
      'business 240340: rules.requireExpiry: ["contractor"] → []',
      'temp@contractors.example ends up employee',
      'temp@contractors.example gets no new expiry (a request is time-bound)',
    ]);
    expect(beyondRequest(REQUESTED, [], diff(without(BASE, AMY)), null)).toEqual([
      'business 240340: members["amy@contractors.example"].expires: "2027-01-01T00:00:00.000Z" → (none)',
      'business 240340: members["amy@contractors.example"].reason: "Quarter close" → (none)',
      'business 240340: members["amy@contractors.example"].role: "contractor" → (none)',
      'business 240340: members["amy@contractors.example"].via: {"kind":"member"} → (none)',
      "the policies do not change temp@contractors.example's entry",
    ]);
  });
});

describe('judgeBotMade: the verdict and what it says', () => {
  const madeBy: MadeBy = { humans: [], bots: ['github-actions[bot]'], named: [] };
  const grantTemp = {
    changes: [grant('temp@contractors.example', 'contractor')],
    policyChanges: diff(withEntry(BASE, TEMP)),
  };
  const evidence = (extra: Partial<RequestEvidence> = {}): RequestEvidence => ({
    issue: 7,
    requester: 'temp-gh',
    requested: REQUESTED,
    problem: null,
    roleBefore: null,
    ...extra,
  });

  it('accepts a removal, and says so in a note', () => {
    expect(
      judgeBotMade({
        pullNumber: 3,
        madeBy,
        changes: [revoke('frank@acme.example', 'employee')],
        policyChanges: diff(without(BASE, FRANK)),
        request: null,
      }),
    ).toEqual({
      accepted: true,
      note: "#3 was made entirely by bots (github-actions[bot]); accepted as a change that only removes access (rolecall's expiry clean-up or review close)",
    });
  });

  it('accepts exactly the request of an issue a person opened', () => {
    expect(judgeBotMade({ pullNumber: 3, madeBy, ...grantTemp, request: evidence() })).toEqual({
      accepted: true,
      note: '#3 was made entirely by bots (github-actions[bot]); accepted as the access request of #7 by @temp-gh, who cannot approve it',
    });
  });

  it('refuses a grant with no request, naming what it does and the claimed authors', () => {
    const verdict = judgeBotMade({
      pullNumber: 3,
      madeBy: { ...madeBy, named: ['ben-gh'] },
      ...grantTemp,
      request: null,
    });
    expect(verdict).toEqual({
      accepted: false,
      unmet:
        'pull request #3 was made entirely by bots (github-actions[bot]): no human maker to keep from approving it; ' +
        "a person must make the change (open the pull request or push to it), or it must be one of rolecall's own: " +
        'a change that only removes access (the expiry clean-up, a review close) or exactly the access request of an issue a person opened. ' +
        'Here it does more than remove access: business 240340: grant temp@contractors.example (contractor); business 240340: adds temp@contractors.example (contractor). ' +
        "Its commits name @ben-gh as author or committer, which a commit's author field does not prove (those are still not counted).",
    });
  });

  it('refuses a request whose issue cannot vouch for it, with the issue’s problem', () => {
    const verdict = judgeBotMade({
      pullNumber: 3,
      madeBy,
      ...grantTemp,
      request: evidence({
        problem: 'it was opened by @github-actions[bot], a bot',
        requested: null,
      }),
    });
    expect(verdict.accepted).toBe(false);
    expect(!verdict.accepted && verdict.unmet).toContain(
      'and the request issue #7 it names cannot vouch for it: it was opened by @github-actions[bot], a bot.',
    );
  });

  it('refuses more than the request asks, and a pull request no one can be named for', () => {
    const verdict = judgeBotMade({
      pullNumber: 3,
      madeBy: { humans: [], bots: [], named: [] },
      changes: [...grantTemp.changes, grant('zed@acme.example', 'accountant')],
      policyChanges: grantTemp.policyChanges,
      request: evidence(),
    });
    expect(!verdict.accepted && verdict.unmet).toMatch(
      /^pull request #3 was made by no one GitHub can name: .* Here it does more than remove access, and it is not what request issue #7 asks for \(contractor for temp@contractors\.example in business 240340\): business 240340: grant zed@acme\.example \(accountant\)\.$/,
    );
  });
});
