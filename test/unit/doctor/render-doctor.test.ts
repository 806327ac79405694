/**
 * The renderings: a terminal line per check (why and fix below what did not pass), JSON for
 * machines, markdown for the issue — where names from FreshBooks or GitHub can neither mention,
 * link nor inject markup.
 */
import { describe, expect, it } from 'vitest';
import {
  fail,
  pass,
  renderDoctorJson,
  renderDoctorMarkdown,
  renderDoctorText,
  unknown,
} from '../../../src/doctor/index.js';

const results = [
  pass('policies', '1 business in policies: Acme (1)', 'the policies matter'),
  fail(
    'branch.bypass',
    'may bypass — @acme/admins and https://evil.example',
    'bypass is bad',
    'remove `@acme/admins`',
  ),
  {
    ...fail('workflows.current', 'plan.yml differs', 'changes matter', 'copy it'),
    diff: '--- a\n+++ b\n-x\n+```y\n',
  },
  unknown('secrets.token', 'not set\u001b[31m', 'writes matter', 'run in doctor.yml'),
];

describe('renderDoctorText', () => {
  it('one line per check; why and fix indented under ✗ and ?; control characters removed', () => {
    expect(renderDoctorText(results)).toBe(
      [
        '✓ policies           1 business in policies: Acme (1)',
        '✗ branch.bypass      may bypass — @acme/admins and https://evil.example',
        '    why: bypass is bad',
        '    fix: remove `@acme/admins`',
        '✗ workflows.current  plan.yml differs',
        '    why: changes matter',
        '    fix: copy it',
        '    --- a',
        '    +++ b',
        '    -x',
        '    +```y',
        '? secrets.token      not set\ufffd[31m',
        '    why: writes matter',
        '    fix: run in doctor.yml',
        '4 checks: 1 passed, 2 unsafe, 1 not verified',
        '',
      ].join('\n'),
    );
  });
});

describe('renderDoctorJson', () => {
  it('{id, status, found, why, fix}, and diff where there is one', () => {
    const json = JSON.parse(renderDoctorJson(results)) as Array<Record<string, unknown>>;
    expect(json.map((r) => Object.keys(r))).toEqual([
      ['id', 'status', 'found', 'why', 'fix'],
      ['id', 'status', 'found', 'why', 'fix'],
      ['id', 'status', 'found', 'why', 'fix', 'diff'],
      ['id', 'status', 'found', 'why', 'fix'],
    ]);
    expect(json.map((r) => r['status'])).toEqual(['pass', 'fail', 'fail', 'unknown']);
    expect(json[0]?.['fix']).toBeNull();
  });
});

describe('renderDoctorMarkdown', () => {
  const markdown = renderDoctorMarkdown(results, {
    repository: 'acme/access',
    firstSeen: new Map([['branch.bypass', '2026-12-07T09:00:00.000Z']]),
  });

  it('no live mention or link from found text; code spans stay code', () => {
    expect(markdown).toContain('may bypass — @\u200bacme/admins and https:/\u200b/evil.example');
    expect(markdown).toContain('- **Fix:** remove `@acme/admins`');
    expect(markdown).not.toMatch(/(^|[^`])@acme\/admins(?!`)/m);
  });

  it('unsafe first with the date first seen, then not verified, then the passes', () => {
    const order = [
      '### Unsafe',
      '#### ✗ `branch.bypass` (since 2026-12-07)',
      '### Not verified',
      '### Passed',
    ];
    const at = order.map((heading) => markdown.indexOf(heading));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(markdown).toContain('**2 unsafe:**');
  });

  it('a diff is fenced longer than any backtick run inside it', () => {
    expect(markdown).toContain('````diff\n--- a\n+++ b\n-x\n+```y\n````');
  });
});
