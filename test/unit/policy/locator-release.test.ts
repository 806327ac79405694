/**
 * `Locator.release()` drops a policy's parsed document once it is validated (memory: ~16 bytes
 * of yaml nodes per byte of text). Positions must not change because of it: kept ones are
 * answered from memory, any other one by parsing the same text again.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Locator, type PathSegment } from '../../../src/policy/locate.js';
import { DEFAULT_LIMITS, parseYaml } from '../../../src/policy/parse-yaml.js';

const ACME = readFileSync(new URL('../../../policies/acme-books.yaml', import.meta.url), 'utf8');

const PATHS: Array<[PathSegment[], 'key' | 'value']> = [
  [[], 'value'],
  [['business'], 'value'],
  [['business'], 'key'],
  [['rules', 'maxRevokes', 'count'], 'value'],
  [['teams', 0, 'members', 1], 'value'],
  [['members', 3], 'value'],
  [['members', 12, 'expires'], 'key'],
  [['members', 99, 'role'], 'value'], // missing: the deepest existing node
  [['nope'], 'key'],
];

function locatorOf(text: string) {
  const { parsed } = parseYaml('policies/acme-books.yaml', text, DEFAULT_LIMITS);
  if (!parsed) throw new Error('the example policy does not parse');
  let reparses = 0;
  const locator = new Locator(parsed.file, parsed.doc, parsed.lineCounter, () => {
    reparses++;
    return parsed.reparse();
  });
  return { locator, reparses: () => reparses };
}

describe('Locator.release', () => {
  it('answers every position exactly as before releasing (with a BOM too)', () => {
    for (const text of [ACME, `\ufeff${ACME}`]) {
      const before = locatorOf(text).locator;
      const expected = PATHS.map(([path, part]) => before.at(path, part));
      const { locator, reparses } = locatorOf(text);
      locator.release();
      expect(PATHS.map(([path, part]) => locator.at(path, part))).toEqual(expected);
      expect(reparses()).toBe(1);
    }
  });

  it('answers kept positions without parsing again, as fresh objects', () => {
    const { locator, reparses } = locatorOf(ACME);
    const business = locator.at(['business']);
    locator.keep(['business']);
    locator.release();
    const first = locator.at(['business']);
    expect(first).toEqual(business);
    first.line = 999;
    expect(locator.at(['business'])).toEqual(business);
    expect(reparses()).toBe(0);
  });

  it('keeps the document when it cannot parse it again', () => {
    const { parsed } = parseYaml('p.yaml', ACME, DEFAULT_LIMITS);
    if (!parsed) throw new Error('no parse');
    const locator = new Locator(parsed.file, parsed.doc, parsed.lineCounter);
    const expected = locator.at(['members', 2]);
    locator.release();
    expect(locator.at(['members', 2])).toEqual(expected);
  });
});
