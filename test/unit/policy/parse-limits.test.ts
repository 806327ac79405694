import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/policy/format-diagnostic.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';

const NOW = new Date('2026-11-29T12:00:00Z');

function run(text: string, limits = {}) {
  const started = performance.now();
  const result = validateDocuments([{ file: 'h.yaml', text }], { now: NOW, limits });
  return { result, ms: performance.now() - started, lines: result.errors.map(formatDiagnostic) };
}

describe('resource limits: hostile input fails fast with a position', () => {
  it('refuses a 50 MB text before parsing it', () => {
    const { result, ms } = run(`business: 1\nname: ${'x'.repeat(50 * 1024 * 1024)}\n`);
    expect(result.errors.map((e) => [e.code, e.source?.line])).toEqual([['FILE_TOO_LARGE', 1]]);
    expect(ms).toBeLessThan(500);
  });

  it('counts UTF-8 bytes, not characters, and the limit is configurable', () => {
    const text = `business: 1 # ${'é'.repeat(600_000)}\n`; // 1.2 MB in UTF-8, 0.6 M characters
    expect(run(text).result.errors[0]?.code).toBe('FILE_TOO_LARGE');
    expect(run(text, { maxFileBytes: 2 * 1024 * 1024 }).result.errors).toEqual([]);
  });

  it('stops a full billion-laughs file at the alias cap', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const { result, ms } = run(`business: 1\n${levels.join('\n')}\n`);
    expect(result.errors.map((e) => [e.code, e.source?.line])).toEqual([['ALIAS_LIMIT', 3]]);
    expect(ms).toBeLessThan(1000);
  });

  it.each([
    ['compact sequences on one line', `business: 1\nmembers:\n${'- '.repeat(10_000)}x\n`, 3],
    ['compact sequences after a key', `business: 1\nname: ${'- '.repeat(10_000)}x\n`, 2],
    ['flow brackets', `business: 1\nname: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 2],
    [
      'flow braces across lines',
      `business: 1\nname:\n${'{a: '.repeat(50)}\n1${'}'.repeat(50)}\n`,
      3,
    ],
    [
      'block mappings indented further each line',
      `business: 1\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} x\n`,
      203,
    ],
    [
      'block nesting within the indent limit',
      `business: 1\n${Array.from({ length: 40 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} x\n`,
      34,
    ],
  ])('refuses deep nesting: %s', (_name, text, line) => {
    const { result, ms } = run(text);
    expect(result.errors.map((e) => [e.code, e.source?.line])).toEqual([
      ['NESTING_TOO_DEEP', line],
    ]);
    expect(ms).toBeLessThan(1000);
  });

  it('does not mistake brackets inside quotes or comments for nesting', () => {
    const text = `business: 1 # ${'['.repeat(100)}\nname: "${'{'.repeat(100)}"\nmembers: []\n`;
    expect(run(text).result.errors).toEqual([]);
  });

  it('caps a flood of schema errors', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${i}: 1`).join('\n');
    const { result } = run(`business: 1\n${keys}\n`);
    expect(result.errors).toHaveLength(101);
    expect(result.errors[100]?.code).toBe('TOO_MANY_ERRORS');
  });

  it('a %YAML 1.1 directive does not turn dates or yes/no into other types', () => {
    const text =
      '%YAML 1.1\n---\nbusiness: 1\nmembers:\n  - email: a@b.example\n    role: contractor\n    expires: 2027-01-31\n';
    const { result } = run(text);
    expect(result.value?.businesses[0]?.members[0]?.expires).toBe('2027-02-01T00:00:00.000Z');
  });

  it('merge keys (<<) are not expanded: they are unknown keys', () => {
    const text =
      'business: 1\nmembers:\n  - &m {email: a@b.example, role: admin}\n  - <<: *m\n    email: c@b.example\n';
    const errors = run(text).result.errors;
    expect(errors.find((e) => e.code === 'UNKNOWN_KEY')?.source).toEqual({
      file: 'h.yaml',
      line: 4,
      col: 5,
    });
  });
});

function membersPolicy(n: number): string {
  const lines = [
    'business: 1',
    'rules:',
    '  allowedDomains: [acme.example]',
    '  requireReason: true',
    'members:',
  ];
  for (let i = 0; i < n; i++) {
    lines.push(`  - email: user${i}@acme.example`, '    role: employee', `    reason: r${i}`);
  }
  return `${lines.join('\n')}\n`;
}

function bestOf(times: number, text: string): number {
  let best = Infinity;
  for (let i = 0; i < times; i++) best = Math.min(best, run(text).ms);
  return best;
}

describe('performance (machines running tests are loaded: ratios, and loose absolute bounds)', () => {
  it('validates thousands of members, and the work grows linearly', () => {
    const big = membersPolicy(4_000);
    const { result } = run(big);
    expect(result.errors).toEqual([]);
    expect(result.value?.businesses[0]?.members).toHaveLength(4_000);
    const small = bestOf(2, membersPolicy(1_000));
    const large = bestOf(2, big);
    // 4× the members: ~4× the time when linear, 16× when quadratic.
    expect(large / small).toBeLessThan(9);
    expect(large).toBeLessThan(4_000); // ~120 ms on an idle machine
  });

  it('a mapping with 50,000 keys is checked for duplicates in linear time', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `k${i}: 1`).join('\n');
    const { result, ms } = run(`business: 1\n${keys}\nk7: 2\n`);
    expect(result.errors.map((e) => [e.code, e.source?.line])).toEqual([['DUPLICATE_KEY', 50_002]]);
    expect(ms).toBeLessThan(10_000); // `yaml`'s own check took over a minute
  });
});
