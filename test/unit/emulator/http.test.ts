import { describe, expect, it } from 'vitest';
import { basicCredentials, bearerToken, parseBody } from '../../../src/emulator/http.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('basicCredentials', () => {
  it.each([
    [`Basic ${b64('id:secret')}`, { id: 'id', secret: 'secret' }],
    [`basic ${b64('my%20app:s%3Acret+x')}`, { id: 'my app', secret: 's:cret x' }],
    [`Basic ${b64('id:sec:ret')}`, { id: 'id', secret: 'sec:ret' }],
    [`Basic ${b64('no-colon')}`, null],
    ['Bearer abc', null],
    [undefined, null],
  ])('%s → %j', (header, expected) => {
    expect(basicCredentials(header)).toEqual(expected);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc123', 'abc123'],
    ['bearer  abc123 ', 'abc123'],
    ['Bearer', null],
    ['Basic abc', null],
    [undefined, null],
  ])('%s → %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});

describe('parseBody', () => {
  it.each([
    ['{"a":1}', 'application/json', true, { ok: true, value: { a: 1 } }],
    ['{"a":1}', undefined, true, { ok: true, value: { a: 1 } }],
    [
      'a=1&b=x+y',
      'application/x-www-form-urlencoded',
      true,
      { ok: true, value: { a: '1', b: 'x y' } },
    ],
    ['a=1', undefined, true, { ok: true, value: { a: '1' } }],
    ['{nope', 'application/json; charset=utf-8', true, { ok: false }],
    ['a=1', 'application/x-www-form-urlencoded', false, { ok: false }],
    ['', 'application/json', false, { ok: true, value: undefined }],
  ])('%j (%s, form %s)', (raw, type, allowForm, expected) => {
    expect(parseBody(raw, type, allowForm)).toEqual(expected);
  });
});
