/**
 * What `review close` decides from the ticks, and what it writes, for the cases the end-to-end
 * test does not reach: protected people, entries already gone, team members, additive policies,
 * names that try to inject markdown.
 */
import { describe, expect, it } from 'vitest';
import {
  decideRemovals,
  describeOutcome,
  issueComment,
  pullRequestBody,
  type CloseContext,
} from '../../../src/review/index.js';
import { validateDocuments } from '../../../src/policy/load-desired-state.js';
import type { ParsedReviewIssue } from '../../../src/review/index.js';
import type { BusinessPolicy } from '../../../src/types.js';

const NOW = new Date('2026-11-29T10:00:00Z');

function policyOf(text: string): BusinessPolicy {
  const result = validateDocuments([{ file: 'policies/p.yaml', text }], { now: NOW });
  const business = result.value?.businesses[0];
  if (!business) throw new Error(JSON.stringify(result.errors));
  return business;
}

const POLICY = policyOf(`business: 1
name: Test Co
mode: authoritative
rules:
  protected: [ben@acme.example]
teams:
  - name: books
    role: accountant
    reason: Bookkeeping
    members: [dana@acme.example]
members:
  - email: alice@acme.example
    role: admin
    reason: Finance lead
  - email: ben@acme.example
    role: admin
    reason: Controller
  - email: frank@acme.example
    role: employee
    reason: "AP | <b>bold</b> @acme/everyone"
    ticket: FIN-1
`);

function review(keep: string[], remove: string[], extra: Partial<ParsedReviewIssue> = {}) {
  return {
    businessId: 1,
    due: '2026-12-13',
    keep,
    remove,
    conflicting: [],
    missing: [],
    unknown: [],
    ...extra,
  };
}

const CTX: CloseContext = {
  issueNumber: 7,
  issueUrl: 'https://github.com/acme/access/issues/7',
  businessId: 1,
  businessName: 'Test Co',
  due: '2026-12-13',
  policyFile: 'policies/p.yaml',
  mode: 'authoritative',
  commenters: [],
  closedBy: null,
};

describe('decideRemovals', () => {
  it.each([
    {
      name: 'unchecked policy entries are removed, team members included',
      input: review(['alice@acme.example'], ['dana@acme.example', 'frank@acme.example']),
      remove: ['dana@acme.example', 'frank@acme.example'],
      protectedKept: [],
      alreadyGone: [],
      kept: ['alice@acme.example'],
    },
    {
      name: 'a protected person is kept and reported',
      input: review([], ['ben@acme.example', 'frank@acme.example']),
      remove: ['frank@acme.example'],
      protectedKept: ['ben@acme.example'],
      alreadyGone: [],
      kept: [],
    },
    {
      name: 'someone no longer in the policy is reported, not edited',
      input: review([], ['zed@acme.example']),
      remove: [],
      protectedKept: [],
      alreadyGone: ['zed@acme.example'],
      kept: [],
    },
    {
      name: 'conflicting and missing lines keep the person',
      input: review(['alice@acme.example'], [], {
        conflicting: ['frank@acme.example'],
        missing: ['dana@acme.example'],
      }),
      remove: [],
      protectedKept: [],
      alreadyGone: [],
      kept: ['alice@acme.example', 'dana@acme.example', 'frank@acme.example'],
    },
  ])('$name', ({ input, remove, protectedKept, alreadyGone, kept }) => {
    const outcome = decideRemovals(input, POLICY);
    expect(outcome.remove.map((m) => m.email)).toEqual(remove);
    expect(outcome.protectedKept).toEqual(protectedKept);
    expect(outcome.alreadyGone).toEqual(alreadyGone);
    expect(outcome.kept).toEqual(kept);
  });
});

describe('the pull request and the issue comment', () => {
  const outcome = decideRemovals(
    review(['alice@acme.example'], ['ben@acme.example', 'dana@acme.example', 'frank@acme.example']),
    POLICY,
  );

  it('lists the removals (team named), the protected person kept, and escapes policy text', () => {
    const body = pullRequestBody(outcome, { ...CTX, commenters: ['carol'], closedBy: 'olivia' });
    expect(body.startsWith('Closes #7.\n')).toBe(true);
    expect(body).toContain('| `dana@acme.example` | accountant (team books) | Bookkeeping | — |');
    expect(body).toContain(
      '| `frank@acme.example` | employee | AP \\| &lt;b>bold&lt;/b> @\u200bacme/everyone | FIN-1 |',
    );
    expect(body).toContain('**protected** (`rules.protected`), so not removed: `ben@acme.example`');
    expect(body).toContain('- Closed by @olivia.');
    expect(body).toContain('- Discussed on the review by @carol.');
    expect(body).toContain('The plan on this pull request shows the revokes');
    expect(body).not.toContain('[!WARNING]');
  });

  it('warns that removing people from an additive policy revokes nothing', () => {
    const ctx = { ...CTX, mode: 'additive' as const };
    expect(pullRequestBody(outcome, ctx)).toContain('does **not** revoke their FreshBooks access');
    expect(describeOutcome(outcome, ctx)).toContain('warning: the policy is additive');
  });

  it('the issue comment names the pull request, or says no one is removed', () => {
    expect(issueComment(outcome, CTX, { number: 9, url: 'u' })).toContain(
      'Pull request #9 removes `dana@acme.example`, `frank@acme.example`',
    );
    const none = decideRemovals(review(['alice@acme.example', 'frank@acme.example'], []), POLICY);
    expect(issueComment(none, CTX, null)).toMatch(
      /^\*\*Review closed: no one to remove\.\*\* 2 people kept\./,
    );
  });
});
