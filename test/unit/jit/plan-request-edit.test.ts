import { describe, expect, it } from 'vitest';
import { RolecallError } from '../../../src/errors.js';
import { planRequestEdit, type AccessRequest } from '../../../src/jit/plan-request-edit.js';
import { resolveExpiry } from '../../../src/jit/resolve-expiry.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';
import type { DesiredState } from '../../../src/types.js';
import { JIT_FILE, JIT_POLICY } from './jit-policy.js';

const NOW = new Date('2026-03-02T09:00:00Z');
const SOURCES = [{ file: JIT_FILE, text: JIT_POLICY }];

function desired(): DesiredState {
  const result = validateDocuments(SOURCES, { now: NOW });
  expect(result.errors).toEqual([]);
  return result.value as DesiredState;
}

function request(extra: Partial<AccessRequest> & { for?: string; until?: string }): AccessRequest {
  const { for: duration, until, ...rest } = extra;
  return {
    businessId: 240340,
    email: 'temp@contractors.example',
    role: 'contractor',
    expiry: resolveExpiry(until ? { until } : { for: duration ?? '8h' }, NOW),
    reason: 'Quarter close',
    ...rest,
  };
}

function codesOf(edit: ReturnType<typeof planRequestEdit>): string[] {
  return validateDocuments(edit.sources, { now: NOW }).errors.map((e) => e.code);
}

describe('planRequestEdit', () => {
  it('adds a new time-bound member at the end of members, keeping every comment and line', () => {
    const edit = planRequestEdit(desired(), SOURCES, request({ ticket: 'FIN-99' }));
    expect(edit.file).toBe(JIT_FILE);
    expect(edit.existing).toBeUndefined();
    expect(edit.after).toBe(
      `${JIT_POLICY}\n  - email: temp@contractors.example\n    role: contractor\n    expires: 2026-03-02T17:00:00Z\n    reason: Quarter close\n    ticket: FIN-99\n`,
    );
    expect(codesOf(edit)).toEqual([]);
    // Only the edited source changes.
    expect(edit.sources).toEqual([{ file: JIT_FILE, text: edit.after }]);
  });

  it('extends an existing time-bound grant by editing its date (comment on the line kept)', () => {
    const edit = planRequestEdit(
      desired(),
      SOURCES,
      request({ email: 'Bob@Contractors.example', until: '2026-06-30', reason: 'Audit follow-up' }),
    );
    expect(edit.existing?.email).toBe('bob@contractors.example');
    const before = JIT_POLICY.split('\n');
    const after = edit.after.split('\n');
    const changed = after.filter((line, i) => line !== before[i]);
    expect(changed).toEqual([
      '    expires: 2026-06-30 # end of the audit',
      '    reason: Audit follow-up',
    ]);
    expect(after).toHaveLength(before.length);
    expect(codesOf(edit)).toEqual([]);
  });

  it('leaves validation to refuse what it refuses, with the same codes as `rolecall validate`', () => {
    const d = desired();
    expect(codesOf(planRequestEdit(d, SOURCES, request({ role: 'superuser' })))).toEqual([
      'UNKNOWN_ROLE',
    ]);
    expect(codesOf(planRequestEdit(d, SOURCES, request({ for: '181d' })))).toEqual([
      'EXPIRY_TOO_LONG',
    ]);
    expect(codesOf(planRequestEdit(d, SOURCES, request({ for: '180d' })))).toEqual([]);
    expect(
      codesOf(planRequestEdit(d, SOURCES, request({ email: 'eve@elsewhere.example' }))),
    ).toEqual(['DOMAIN_NOT_ALLOWED']);
    expect(
      codesOf(
        planRequestEdit(
          d,
          SOURCES,
          request({ role: 'manager', email: 'max@acme.example', for: '13h' }),
        ),
      ),
    ).toEqual(['EXPIRY_TOO_LONG']);
  });

  it.each([
    ['alice@acme.example', /already has standing access as admin .*revoke them entirely/],
    ['dana@acme.example', /is in team "bookkeeping"/],
  ])('refuses %s before any edit', (email, message) => {
    const attempt = () => planRequestEdit(desired(), SOURCES, request({ email, role: 'admin' }));
    expect(attempt).toThrow(RolecallError);
    expect(attempt).toThrow(message);
  });

  it('refuses a business no policy names, listing the ones that exist', () => {
    expect(() => planRequestEdit(desired(), SOURCES, request({ businessId: 1 }))).toThrow(
      /no policy names business 1; the policies name 240340 \(policies\/acme-books.yaml\)/,
    );
  });
});
