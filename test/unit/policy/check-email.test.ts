import { describe, expect, it } from 'vitest';
import { checkEmail, normalizeEmail, quote } from '../../../src/policy/check-email.js';

describe('checkEmail', () => {
  it.each([
    ['alice@acme.example', 'alice@acme.example'],
    [' Alice@ACME.example\t', 'alice@acme.example'],
    ["o'brien+fb@mail.acme-books.example", "o'brien+fb@mail.acme-books.example"],
    ['a@xn--80ak6aa92e.example', 'a@xn--80ak6aa92e.example'],
  ])('accepts %j as %s', (raw, email) => {
    expect(checkEmail(raw)).toMatchObject({ ok: true, email });
  });

  it.each([
    ['\u0430lice@acme.example', 'NON_ASCII_EMAIL', 'Cyrillic'],
    ['alice@\u0430cme.example', 'NON_ASCII_EMAIL', 'U+0430'],
    ['ali\u200bce@acme.example', 'NON_ASCII_EMAIL', 'zero-width'],
    ['alice@acme.example\u00a0', 'NON_ASCII_EMAIL', 'Unicode space'],
    ['\u03bflivia@acme.example', 'NON_ASCII_EMAIL', 'Greek'],
    ['alice@acme.example\u202e', 'NON_ASCII_EMAIL', 'bidirectional'],
    ['\uff41lice@acme.example', 'NON_ASCII_EMAIL', 'full-width'],
    ['alice@acme.example\n', 'NON_ASCII_EMAIL', 'control'],
    ['alice', 'INVALID_EMAIL', 'no @'],
    ['a@b@acme.example', 'INVALID_EMAIL', 'more than one @'],
    ['@acme.example', 'INVALID_EMAIL', 'nothing before'],
    ['alice@localhost', 'INVALID_EMAIL', 'no dot'],
    ['al..ice@acme.example', 'INVALID_EMAIL', 'out of place'],
    ['.alice@acme.example', 'INVALID_EMAIL', 'out of place'],
    ['"alice"@acme.example', 'INVALID_EMAIL', 'out of place'],
    ['alice @acme.example', 'INVALID_EMAIL', 'out of place'],
    ['alice@-acme.example', 'INVALID_EMAIL', 'invalid part'],
    ['alice@acme.123', 'INVALID_EMAIL', 'top-level'],
    [`${'a'.repeat(65)}@acme.example`, 'INVALID_EMAIL', '64'],
  ])('refuses %j (%s)', (raw, code, says) => {
    const result = checkEmail(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.message).toContain(says);
      // Messages never carry the raw non-ASCII character to the terminal.
      expect(result.message).toMatch(/^[\x20-\x7e…]*$/);
    }
  });

  it('normalises for comparison: ASCII-trimmed, lower-case', () => {
    expect(normalizeEmail('  Bob@Contractors.Example ')).toBe('bob@contractors.example');
    expect(quote('a"b\\c\u0007')).toBe('"a\\"b\\\\c\\u{0007}"');
  });
});
