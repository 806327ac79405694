import { describe, expect, it } from 'vitest';
import { approvalNeeds } from '../../../src/jit/approval-needs.js';
import { checkRequestForm, diagnosticLine } from '../../../src/jit/check-request-form.js';
import { matchBusiness, requestFromForm } from '../../../src/jit/request-from-form.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';
import type { DesiredState } from '../../../src/types.js';
import { JIT_FILE, JIT_POLICY } from './jit-policy.js';
import { formBody, GOOD_ANSWERS, type FormAnswers } from './request-form.js';

const NOW = new Date('2026-03-02T09:00:00Z');
const SOURCES = [{ file: JIT_FILE, text: JIT_POLICY }];
const OTHER = {
  file: 'policies/other.yaml',
  text: 'business: 77\nname: Other Ltd\nmode: additive\nmembers: []\n',
};

function desired(sources = SOURCES): DesiredState {
  const result = validateDocuments(sources, { now: NOW });
  expect(result.errors).toEqual([]);
  return result.value as DesiredState;
}

function check(answers: FormAnswers, previous?: { formDigest: string; requestedAt: Date }) {
  return checkRequestForm({
    body: formBody(answers),
    desired: desired(),
    sources: SOURCES,
    now: NOW,
    previous: previous ?? null,
  });
}

/** The problems a form ends with: the form's own, else the edited policy's validation errors. */
function problemsOf(answers: FormAnswers): string[] {
  const result = check(answers);
  if (!result.ok) return result.problems;
  return validateDocuments(result.edit.sources, { now: NOW }).errors.map(diagnosticLine);
}

describe('matchBusiness', () => {
  const state = () => desired([...SOURCES, OTHER]);
  it.each([
    ['240340', 240340],
    ['Acme Books Inc.', 240340],
    ['  acme books inc. ', 240340],
    ['Acme Books Inc. (240340)', 240340],
    ['other ltd', 77],
  ])('%j is business %d', (text, id) => {
    expect(matchBusiness(state(), text)).toEqual({ businessId: id });
  });

  it('refuses a business no policy names, listing those that are', () => {
    expect(matchBusiness(state(), '999999')).toEqual({
      problem:
        'Business: no policy in this repository is for "999999"; the businesses are Other Ltd (77), Acme Books Inc. (240340)',
    });
  });
});

describe('requestFromForm', () => {
  it('refuses admin, roles the form does not offer, and both or neither of Duration and Until', () => {
    const d = desired();
    const fields = { business: '240340', email: 'x@acme.example', reason: 'r' };
    expect(requestFromForm(d, { ...fields, role: 'admin', duration: '8h' })).toEqual({
      ok: false,
      problems: [
        'Role: admin cannot be requested with the form; propose it in a pull request that changes the policy',
      ],
    });
    expect(
      requestFromForm(d, { ...fields, role: 'owner', duration: '8h', until: '2026-04-01' }),
    ).toEqual({
      ok: false,
      problems: [
        'Role: "owner" is not one the form offers (contractor, employee, accountant, manager)',
        'Duration and Until are both filled: keep one of them',
      ],
    });
    expect(requestFromForm(d, { ...fields, role: 'employee' })).toEqual({
      ok: false,
      problems: ['Duration or Until: say how long (8h, 14d) or until when (2026-12-31)'],
    });
  });
});

describe('checkRequestForm', () => {
  it('turns a good form into the same edit `rolecall request` makes', () => {
    const result = check(GOOD_ANSWERS);
    if (!result.ok) throw new Error(result.problems.join('; '));
    expect(result.edit.after).toBe(
      `${JIT_POLICY}\n  - email: temp@contractors.example\n    role: contractor\n    expires: 2026-03-02T17:00:00Z\n    reason: Quarter close\n    ticket: FIN-99\n`,
    );
    expect(result.request.expiry.input).toBe('8h');
    expect(result.requestedAt).toEqual(NOW);
    expect(result.formDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('keeps the time of an earlier run for the same answers, so a re-run writes the same expiry', () => {
    const first = check(GOOD_ANSWERS);
    if (!first.ok) throw new Error('refused');
    const earlier = new Date('2026-03-02T08:00:00Z');
    const again = check(GOOD_ANSWERS, { formDigest: first.formDigest, requestedAt: earlier });
    if (!again.ok) throw new Error('refused');
    expect(again.request.expiry.value).toBe('2026-03-02T16:00:00Z');
    // Other answers are a new request, counted from now.
    const other = check(
      { ...GOOD_ANSWERS, reason: 'Audit' },
      { formDigest: first.formDigest, requestedAt: earlier },
    );
    if (!other.ok) throw new Error('refused');
    expect(other.request.expiry.value).toBe('2026-03-02T17:00:00Z');
  });

  it('refuses a request that ended before it was approved', () => {
    const first = check(GOOD_ANSWERS);
    if (!first.ok) throw new Error('refused');
    const long_ago = new Date('2026-03-01T00:00:00Z');
    expect(check(GOOD_ANSWERS, { formDigest: first.formDigest, requestedAt: long_ago })).toEqual({
      ok: false,
      problems: [
        'the request ended at 2026-03-01 08:00 UTC (asked at 2026-03-01 00:00 UTC), before it was approved: change Duration or Until to ask again',
      ],
    });
  });

  it.each<[string, FormAnswers, string]>([
    ['a duration over maxDuration', { ...GOOD_ANSWERS, duration: '200d' }, 'maxDuration'],
    [
      'an address outside allowedDomains',
      { ...GOOD_ANSWERS, email: 'temp@gmail.example' },
      'allowedDomains',
    ],
    ['another business', { ...GOOD_ANSWERS, business: '555' }, 'no policy in this repository'],
    ['an unparseable date', { ...GOOD_ANSWERS, duration: undefined, until: '2026-02-30' }, 'Until'],
    [
      'standing access',
      { ...GOOD_ANSWERS, email: 'alice@acme.example' },
      'already has standing access',
    ],
  ])('refuses %s with the rule that says so', (_what, answers, expected) => {
    const problems = problemsOf(answers);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });
});

describe('approvalNeeds', () => {
  it('says the default, the rule and the rule for the role', () => {
    expect(approvalNeeds(undefined, 'contractor')).toEqual([
      '1 approving review (approvals.required)',
    ]);
    expect(
      approvalNeeds(
        {
          required: 1,
          roles: { manager: { required: 2, teams: ['acme/owners'], users: ['maya'] } },
        },
        'manager',
      ),
    ).toEqual([
      '1 approving review (approvals.required)',
      '2 approving reviews from team acme/owners or @maya (approvals.roles.manager)',
    ]);
  });
});
