import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactTimestamp, requestBranchName } from '../../../src/jit/request-branch.js';

const NOW = new Date('2026-03-02T09:00:00.750Z');

/** git check-ref-format's rules for one branch name (the ones a generated name could break). */
function isValidRefName(name: string): boolean {
  return (
    // eslint-disable-next-line no-control-regex -- git refuses control characters
    !/[\x00-\x20\x7f~^:?*[\\]/.test(name) &&
    !name.includes('..') &&
    !name.includes('@{') &&
    !name.includes('//') &&
    !name.endsWith('/') &&
    !name.endsWith('.') &&
    !name.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock') || part === '')
  );
}

describe('requestBranchName', () => {
  it.each([
    [
      'bob@contractors.example',
      'contractor',
      'rolecall/request/bob-contractors-example-contractor-20260302T090000Z',
    ],
    [
      '  Alice.Smith+fin@Acme.Example ',
      'admin',
      'rolecall/request/alice-smith-fin-acme-example-admin-20260302T090000Z',
    ],
    ['..@@..', 'admin', 'rolecall/request/x-admin-20260302T090000Z'],
  ])('%s as %s → %s', (email, role, branch) => {
    expect(requestBranchName(email, role, NOW)).toBe(branch);
  });

  it('timestamps to the second, UTC', () => {
    expect(compactTimestamp(new Date('2026-12-31T23:59:59.999Z'))).toBe('20261231T235959Z');
  });

  it('is a valid, bounded git branch name whatever the email and role hold', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 50 }), (email, role) => {
        const branch = requestBranchName(email, role, NOW);
        expect(isValidRefName(branch)).toBe(true);
        expect(branch.startsWith('rolecall/request/')).toBe(true);
        expect(branch.length).toBeLessThanOrEqual(17 + 60 + 1 + 20 + 1 + 16);
      }),
    );
  });
});
