/**
 * yaml 3 checks each key of a mapping against all the keys before it, so a mapping of k keys
 * costs k²/2 comparisons to compose. The loader adds that cost up from yaml's syntax tree before
 * composing, and refuses a document over the budget: a key written twice is still reported as
 * the duplicate it is (with both lines), any other huge mapping as too large.
 */
import { LineCounter, Parser, type CST } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkMappingWork, MAPPING_WORK_BUDGET } from '../../../src/policy/guard-large-mappings.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';

const NOW = new Date('2026-11-29T12:00:00Z');

function errorsOf(text: string) {
  return validateDocuments([{ file: 'h.yaml', text }], { now: NOW }).errors.map((e) => [
    e.code,
    e.source?.line,
    e.source?.col,
    e.message,
  ]);
}

function documentOf(text: string): CST.Document {
  const tokens = [...new Parser(new LineCounter().addNewLine).parse(text)];
  const doc = tokens.find((t): t is CST.Document => t.type === 'document');
  if (!doc) throw new Error('no document');
  return doc;
}

const keys = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `k${from + i}: 1`).join('\n');

describe('the cost of composing mappings', () => {
  it('adds up k²/2 over the large mappings, nested and flow ones included', () => {
    const flow = Array.from({ length: 100 }, (_, i) => `f${i}: 1`).join(', ');
    // 101 keys in the nested block map (5,050), 100 in the flow map (4,950), small ones free.
    const text = `a:\n  ${keys(100).split('\n').join('\n  ')}\n  z: {${flow}}\nb: {x: 1, y: 2}\n`;
    expect(checkMappingWork(documentOf(text), 5_050 + 4_950)).toEqual([]);
    expect(checkMappingWork(documentOf(text), 5_050 + 4_949)).toEqual([
      { code: 'MAPPING_TOO_LARGE', offset: 5, size: 101 },
    ]);
  });

  it('leaves policies of any realistic size alone', () => {
    const members = Array.from(
      { length: 10_000 },
      (_, i) => `  - email: p${i}@a.example\n    role: employee\n    reason: Payroll`,
    );
    const text = `business: 1\nrules:\n  allowedDomains: [a.example]\nmembers:\n${members.join('\n')}\n`;
    expect(checkMappingWork(documentOf(text))).toEqual([]);
    expect(errorsOf(text)).toEqual([]);
  });

  it('refuses one mapping too large to compose, at the mapping', () => {
    expect(errorsOf(`business: 1\nname:\n  ${keys(9_000).split('\n').join('\n  ')}\n`)).toEqual([
      [
        'MAPPING_TOO_LARGE',
        3,
        3,
        'a mapping with 9000 keys: policy mappings have a few dozen at most, and one this large costs too much to check',
      ],
    ]);
  });

  it('counts many mappings together: each affordable, all of them not', () => {
    const block = (b: number) =>
      `m${b}:\n  ${keys(2_000, b * 2_000)
        .split('\n')
        .join('\n  ')}`;
    const text = `business: 1\n${Array.from({ length: 14 }, (_, b) => block(b)).join('\n')}\n`;
    expect(14 * ((2_000 * 1_999) / 2)).toBeGreaterThan(MAPPING_WORK_BUDGET);
    expect(errorsOf(text).map(([code]) => code)).toEqual(['MAPPING_TOO_LARGE']);
  });

  it('reports a key written twice in a large mapping as a duplicate, with the first line', () => {
    const text = `business: 1\n${keys(10_000)}\n"k42": 2\n`;
    expect(errorsOf(text)).toEqual([
      [
        'DUPLICATE_KEY',
        10_002,
        1,
        'duplicate key "k42", first at line 44: a key may appear only once in a mapping',
      ],
    ]);
  });

  it('guards flow mappings too', () => {
    const flow = Array.from({ length: 9_000 }, (_, i) => `k${i}: 1`).join(', ');
    expect(errorsOf(`business: 1\nname: {${flow}}\n`).map(([code, line]) => [code, line])).toEqual([
      ['MAPPING_TOO_LARGE', 2],
    ]);
  });

  it('under the budget, a large mapping is composed and checked as usual', () => {
    const result = errorsOf(`business: 1\n${keys(4_000)}\n`);
    expect(result).toHaveLength(101);
    expect(result[0]?.[0]).toBe('UNKNOWN_KEY');
  });
});
