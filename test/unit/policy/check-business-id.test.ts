import { describe, expect, it } from 'vitest';
import { validateDocuments } from '../../../src/policy/validate-documents.js';

const NOW = new Date('2026-11-29T12:00:00Z');

function validate(text: string) {
  return validateDocuments([{ file: 'p.yaml', text }], { now: NOW });
}

describe('business: is plain decimal digits', () => {
  it('refuses an alias to a number: the id must be written where it is read', () => {
    const result = validate('rules:\n  minAdmins: &id 2\nbusiness: *id\nmembers: []\n');
    expect(result.value).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: 'BUSINESS_NOT_DECIMAL',
        message: expect.stringContaining('not an alias') as unknown as string,
        source: { file: 'p.yaml', line: 3, col: 11 },
      }),
    ]);
  });

  it('refuses a misread number even when everything else in the file is fine, and plans nothing for it', () => {
    const result = validate(
      'business: 0x3AAD4\nmembers:\n  - email: a@acme.example\n    role: admin\n',
    );
    expect(result.value).toBeUndefined();
    expect(result.errors.map((e) => e.code)).toEqual(['BUSINESS_NOT_DECIMAL']);
  });

  it('keeps the two files of one business a duplicate, whichever way the second is written', () => {
    const result = validateDocuments(
      [
        { file: 'a.yaml', text: 'business: 240340\n' },
        { file: 'b.yaml', text: 'business: 0x3AAD4\n' },
      ],
      { now: NOW },
    );
    expect(result.errors.map((e) => `${e.source?.file} ${e.code}`)).toEqual([
      'b.yaml BUSINESS_NOT_DECIMAL',
      'b.yaml DUPLICATE_BUSINESS',
    ]);
  });

  it.each(['240340', '1', '9007199254740991', '&id 240340'])('accepts business: %s', (value) => {
    const result = validate(`business: ${value}\n`);
    expect(result.errors).toEqual([]);
    expect(result.value?.businesses.map((b) => b.businessId)).toEqual([
      Number(value.replace('&id ', '')),
    ]);
  });
});
