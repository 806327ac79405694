import { describe, expect, it } from 'vitest';
import { applyCleanup, chooseCleanup } from '../../../src/jit/choose-cleanup.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';
import type { DesiredState } from '../../../src/types.js';
import { JIT_FILE, JIT_POLICY } from './jit-policy.js';

const OTHER_FILE = 'policies/holdings.yaml';
const OTHER = `business: 240341
name: Acme Holdings LLC
members:
  - email: alice@acme.example
    role: admin
  - email: tess@acme.example
    role: employee
    expires: 2026-03-15
`;
const WITH_TEMP = JIT_POLICY.replace(
  '  # Contractors: time-bound\n',
  '  # Contractors: time-bound\n  - email: temp@contractors.example\n    role: contractor\n    expires: 2026-03-02T17:00:00Z\n    reason: Quarter close\n\n',
);
const SOURCES = [
  { file: JIT_FILE, text: WITH_TEMP },
  { file: OTHER_FILE, text: OTHER },
];

function load(now: Date): DesiredState {
  const result = validateDocuments(SOURCES, { now });
  expect(result.errors).toEqual([]);
  return result.value as DesiredState;
}

describe('chooseCleanup', () => {
  const now = new Date('2026-04-01T00:00:00Z');

  it('removes expired entries that hold no access; keeps those that still do', () => {
    const choice = chooseCleanup(load(now), {
      now,
      businessIds: new Set([240340, 240341]),
      holdsAccess: (businessId, email) =>
        businessId === 240340 && email === 'bob@contractors.example',
    });
    expect(choice.remove.map((e) => `${e.businessId} ${e.email}`)).toEqual([
      '240340 temp@contractors.example',
      '240341 tess@acme.example',
    ]);
    expect(choice.kept.map((e) => e.email)).toEqual(['bob@contractors.example']);
    expect(choice.remove[0]).toEqual({
      businessId: 240340,
      businessName: 'Acme Books Inc.',
      file: JIT_FILE,
      email: 'temp@contractors.example',
      role: 'contractor',
      expires: '2026-03-02T17:00:00.000Z',
      reason: 'Quarter close',
    });
  });

  it('only looks at the businesses whose live state was read', () => {
    const choice = chooseCleanup(load(now), {
      now,
      businessIds: new Set([240341]),
      holdsAccess: () => false,
    });
    expect(choice.remove.map((e) => e.email)).toEqual(['tess@acme.example']);
    expect(choice.kept).toEqual([]);
  });

  it('never chooses a grant that has not expired, nor a standing one', () => {
    const early = new Date('2026-03-02T16:00:00Z');
    const choice = chooseCleanup(load(early), {
      now: early,
      businessIds: new Set([240340, 240341]),
      holdsAccess: () => false,
    });
    expect(choice).toEqual({ remove: [], kept: [] });
  });
});

describe('applyCleanup', () => {
  it('removes exactly the entries (comments, blank lines and other files untouched)', () => {
    const now = new Date('2026-04-01T00:00:00Z');
    const { remove } = chooseCleanup(load(now), {
      now,
      businessIds: new Set([240340, 240341]),
      holdsAccess: () => false,
    });
    const cleaned = applyCleanup(SOURCES, remove);
    expect(cleaned.changed.map((c) => c.file)).toEqual([JIT_FILE, OTHER_FILE]);
    const acme = cleaned.sources.find((s) => s.file === JIT_FILE)?.text;
    // bob and temp are gone; the comment above them and everything else stay.
    expect(acme).toBe(JIT_POLICY.slice(0, JIT_POLICY.indexOf('  - email: bob@')).trimEnd() + '\n');
    expect(cleaned.sources.find((s) => s.file === OTHER_FILE)?.text).toBe(
      'business: 240341\nname: Acme Holdings LLC\nmembers:\n  - email: alice@acme.example\n    role: admin\n',
    );
    expect(validateDocuments(cleaned.sources, { now }).errors).toEqual([]);
  });

  it('changes nothing for an empty list', () => {
    expect(applyCleanup(SOURCES, [])).toEqual({ sources: SOURCES, changed: [] });
  });
});
