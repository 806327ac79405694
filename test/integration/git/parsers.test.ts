/**
 * The pure parsers behind the git glue (they live here, next to the integration tests that
 * exercise them against real repositories, because `test/unit/git/` is not a directory of ours).
 */
import { describe, expect, it } from 'vitest';
import { entryKeyLines, entryRange } from '../../../src/git/entry-lines.js';
import { parseBlamePorcelain } from '../../../src/git/parse-blame.js';
import { prNumberOf } from '../../../src/git/pr-number.js';
import { parsePushPorcelain } from '../../../src/git/push-branch.js';
import { redactGitText, stripUrlCredentials } from '../../../src/git/redact-url.js';

describe('prNumberOf', () => {
  it.each([
    ['Merge pull request #34 from acme/add-eli', 34],
    ['Add kim as external accountant (#12)', 12],
    ['Revert "Add x (#3)" (#5)', 5],
    ['Promote grace (#40)  ', 40],
    ['Merged in add-eli (pull request #7)', 7],
    ['Merge branch "main" into add-eli', null],
    ['Fix #12 in the reason', null],
    ['Add (#0)', null],
    ['Merge pull request #34', null],
    ['Initial policy', null],
    ['(#99999999999999999999)', null],
  ])('%j → %j', (subject, expected) => {
    expect(prNumberOf(subject)).toBe(expected);
  });
});

describe('parseBlamePorcelain', () => {
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);
  const ZERO = '0'.repeat(40);
  const header = (sha: string, name: string, time: number, summary: string) =>
    [
      `author ${name}`,
      `author-mail <${name.toLowerCase()}@acme.example>`,
      `author-time ${time}`,
      'author-tz +0200',
      'committer GitHub',
      'committer-mail <noreply@github.com>',
      `committer-time ${time + 60}`,
      'committer-tz +0000',
      `summary ${summary}`,
      `previous ${sha} policies/a.yaml`,
      'filename policies/a.yaml',
    ].join('\n');
  const out = [
    `${A} 1 1 2`,
    header(A, 'Olivia', 1_700_000_000, 'Initial'),
    '\tmembers:',
    `${A} 2 2`,
    '\t  - email: a@acme.example',
    `${B} 5 3 1`,
    header(B, 'Dana', 1_700_100_000, 'Promote (#4)'),
    // Content that looks like a header or a key must stay content.
    `\t${A} 1 1 2`,
    `${ZERO} 4 4 1`,
    header(
      ZERO,
      'Not Committed Yet',
      1_700_200_000,
      'Version of policies/a.yaml from policies/a.yaml',
    ),
    '\tauthor x',
    '',
  ].join('\n');

  it('maps every final line to its commit and text, commits to their metadata', () => {
    const parsed = parseBlamePorcelain(out);
    expect(parsed.lines).toEqual([
      { sha: A, text: 'members:' },
      { sha: A, text: '  - email: a@acme.example' },
      { sha: B, text: `${A} 1 1 2` },
      { sha: ZERO, text: 'author x' },
    ]);
    expect(parsed.commits.get(B)).toEqual({
      sha: B,
      authorName: 'Dana',
      authorEmail: 'dana@acme.example',
      authorTime: 1_700_100_000,
      committerName: 'GitHub',
      committerEmail: 'noreply@github.com',
      committerTime: 1_700_100_060,
      summary: 'Promote (#4)',
    });
  });

  it('refuses output it does not understand rather than guessing', () => {
    expect(() => parseBlamePorcelain('garbage\n')).toThrow(/unexpected git blame output/);
  });
});

describe('entryRange / entryKeyLines', () => {
  const yaml = [
    'members:', // 1
    '  - email: alice@acme.example', // 2
    '    role: admin', // 3
    '    # a comment inside', // 4
    '    reason: Finance lead', // 5
    '', // 6
    '  - role: contractor', // 7
    '    email: bob@contractors.example', // 8
    '    expires: 2027-03-31', // 9
    '  - {email: kim@cpa.example, role: accountant}', // 10
    'teams:', // 11
    '  - name: bookkeeping', // 12
    '    role: accountant', // 13
    '    members:', // 14
    '      - dana@acme.example', // 15
    '      - eli@acme.example', // 16
    '    "expires": 2026-12-31', // 17
  ];

  it.each([
    [2, [2, 5]],
    [3, [2, 5]],
    [8, [7, 9]],
    [10, [10, 10]],
    [15, [15, 15]],
    [12, [12, 17]],
    [17, [12, 17]],
  ])('the entry containing line %i spans %j', (line, range) => {
    expect(entryRange(yaml, line)).toEqual(range);
  });

  it('picks the email and role lines (and the entry start), not reasons or comments', () => {
    expect(entryKeyLines(yaml, 2, ['email', 'role'])).toEqual([2, 3]);
    expect(entryKeyLines(yaml, 8, ['email', 'role'])).toEqual([7, 8]);
    expect(entryKeyLines(yaml, 9, ['email', 'role', 'expires'])).toEqual([7, 8, 9]);
    expect(entryKeyLines(yaml, 17, ['role', 'expires'])).toEqual([12, 13, 17]);
    expect(entryKeyLines(yaml, 15, ['email', 'role'])).toEqual([15]);
  });
});

describe('credentials in git text', () => {
  it.each([
    [
      'https://x-access-token:ghs_abcdef123456@github.com/a/b.git',
      'https://***@github.com/a/b.git',
    ],
    ['https://ghp_abcdef1234567890@github.com/a/b', 'https://***@github.com/a/b'],
    [
      "fatal: unable to access 'http://u:p4ss@host/x/'",
      "fatal: unable to access 'http://***@host/x/'",
    ],
    ['ssh://git@github.com/a/b.git', 'ssh://git@github.com/a/b.git'],
    ['ssh://deploy:s3cret@host/a.git', 'ssh://deploy:***@host/a.git'],
    ['git@github.com:a/b.git', 'git@github.com:a/b.git'],
  ])('redactGitText(%j)', (input, expected) => {
    expect(redactGitText(input)).toBe(expected);
  });

  it('strips credentials from a URL entirely', () => {
    expect(stripUrlCredentials('https://x-access-token:ghs_abc@github.com/a/b.git')).toBe(
      'https://github.com/a/b.git',
    );
    expect(stripUrlCredentials('ssh://deploy:s3cret@host/a.git')).toBe('ssh://deploy@host/a.git');
  });
});

describe('parsePushPorcelain', () => {
  it('reads each ref status', () => {
    const out = [
      'To /tmp/remote',
      '*\trefs/heads/a:refs/heads/a\t[new branch]',
      '+\trefs/heads/b:refs/heads/b\tabc...def (forced update)',
      '!\trefs/heads/c:refs/heads/c\t[rejected] (non-fast-forward)',
      '=\trefs/heads/d:refs/heads/d\t[up to date]',
      'Done',
    ].join('\n');
    expect(parsePushPorcelain(out).map((ref) => [ref.flag, ref.summary])).toEqual([
      ['*', '[new branch]'],
      ['+', 'abc...def (forced update)'],
      ['!', '[rejected] (non-fast-forward)'],
      ['=', '[up to date]'],
    ]);
  });
});
