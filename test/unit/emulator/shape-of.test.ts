import { describe, expect, it } from 'vitest';
import { shapeDifferences } from '../../integration/emulator/shape-of.js';

describe('shapeDifferences', () => {
  it.each([
    ['identical scalars', { a: 1, b: 'x', c: true }, { a: 2, b: 'y', c: false }, []],
    ['null in the sample accepts anything', { a: null }, { a: { deep: [1] } }, []],
    ['type change', { a: 1 }, { a: '1' }, ['$.a: expected number, got string']],
    [
      'null where the sample has a value',
      { a: 'x' },
      { a: null },
      ['$.a: expected string, got null'],
    ],
    ['missing key', { a: 1, b: 2 }, { a: 1 }, ['$.b: missing']],
    ['extra key', { a: 1 }, { a: 1, z: 0 }, ['$.z: not in the sample']],
    [
      'nested',
      { r: { x: [{ id: 1 }] } },
      { r: { x: [{ id: 'a' }] } },
      ['$.r.x[].id: expected number, got string (element 0)'],
    ],
    ['array vs object', { a: [] }, { a: {} }, ['$.a: expected array, got object']],
    ['empty answer array', { a: [{ id: 1 }] }, { a: [] }, []],
    [
      'element matching a second sample element',
      { a: [{ p: { id: 1 } }, { p: null }] },
      { a: [{ p: 'anything' }] },
      [],
    ],
  ])('%s', (_name, sample, actual, expected) => {
    expect(shapeDifferences(sample, actual)).toEqual(expected);
  });

  it('treats map paths as dictionaries keyed by data', () => {
    const sample = { perms: { AAA: { 'x.access': true, 'y.limit': 10 } } };
    const actual = { perms: { BBB: { 'x.access': false, 'z.limit': -1 } } };
    expect(shapeDifferences(sample, actual)).not.toEqual([]);
    expect(shapeDifferences(sample, actual, { maps: ['$.perms', '$.perms.*'] })).toEqual([]);
    expect(
      shapeDifferences(sample, { perms: { B: { f: 'str' } } }, { maps: ['$.perms', '$.perms.*'] }),
    ).toEqual(['$.perms.*.*: expected boolean, got string (key f) (key B)']);
  });

  it('allows documented extra keys only where named', () => {
    expect(shapeDifferences({ a: 1 }, { a: 1, b: {} }, { extra: ['$.b'] })).toEqual([]);
    expect(shapeDifferences({ n: { a: 1 } }, { n: { a: 1, b: {} } }, { extra: ['$.b'] })).toEqual([
      '$.n.b: not in the sample',
    ]);
  });
});
