/**
 * The policy's `seats:` block (issue 17): validated like every key (positions `file:line:col`),
 * normalised with its defaults into `BusinessPolicy.seats`, and part of the policy digest (it
 * decides whether a plan is applyable).
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/policy/format-diagnostic.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const BASE = 'business: 1\nmembers:\n  - email: maya@acme.example\n    role: manager\n';

function validate(yaml: string) {
  return validateDocuments([{ file: 'policies/a.yaml', text: yaml }], { now: NOW });
}

function policyOf(yaml: string) {
  const result = validate(yaml);
  expect(result.errors).toEqual([]);
  return result.value!.businesses[0]!;
}

describe('seats: validation', () => {
  it.each([
    {
      name: 'a negative limit',
      yaml: `${BASE}seats:\n  limit: -1\n`,
      expected: 'policies/a.yaml:6:10: error',
    },
    {
      name: 'a fractional limit',
      yaml: `${BASE}seats:\n  limit: 2.5\n`,
      expected: 'policies/a.yaml:6:10: error',
    },
    {
      name: 'a lower-case currency',
      yaml: `${BASE}seats:\n  price: { amount: 11, currency: usd }\n`,
      expected:
        'policies/a.yaml:6:34: error INVALID_VALUE seats.price.currency must be an ISO 4217 currency code in capitals (USD, CAD, EUR, …), got the text "usd"',
    },
    {
      name: 'a price without a currency',
      yaml: `${BASE}seats:\n  price: { amount: 11 }\n`,
      expected: 'policies/a.yaml:6:10: error',
    },
    {
      name: 'a period FreshBooks does not bill',
      yaml: `${BASE}seats:\n  price: { amount: 11, currency: USD, per: week }\n`,
      expected: 'policies/a.yaml:6:44: error',
    },
    {
      name: 'a paid role that does not exist',
      yaml: `${BASE}seats:\n  paidRoles: [manager, bookkeeper]\n`,
      expected:
        'policies/a.yaml:6:24: error INVALID_VALUE seats.paidRoles[1] must be one of owner, admin, manager, accountant, employee, contractor, unassigned, got "bookkeeper"',
    },
    {
      name: 'an empty block',
      yaml: `${BASE}seats: {}\n`,
      expected: 'policies/a.yaml:5:8: error',
    },
    {
      name: 'an unknown key (a typo of limit)',
      yaml: `${BASE}seats:\n  limits: 10\n`,
      expected: 'policies/a.yaml:6:3: error',
    },
  ])('$name', ({ yaml, expected }) => {
    const result = validate(yaml);
    expect(result.value).toBeUndefined();
    const text = result.errors.map(formatDiagnostic).join('\n');
    expect(text).toContain(expected);
    expect(text).toContain('seats');
    expect(text).not.toMatch(/\n\s+at /); // no stack
  });
});

describe('seats: normalised', () => {
  it('fills in the defaults: per month, every role but unassigned and the owner', () => {
    const policy = policyOf(`${BASE}seats:\n  limit: 10\n  price: { amount: 11, currency: USD }\n`);
    expect(policy.seats).toEqual({
      limit: 10,
      price: { amount: 11, currency: 'USD', per: 'month' },
      paidRoles: ['admin', 'manager', 'accountant', 'employee', 'contractor'],
    });
  });

  it('sorts paid roles by privilege, so their order does not change the digest', () => {
    const a = policyOf(`${BASE}seats:\n  paidRoles: [contractor, owner, admin]\n`);
    const b = policyOf(`${BASE}seats:\n  paidRoles: [admin, contractor, owner]\n`);
    expect(a.seats?.paidRoles).toEqual(['owner', 'admin', 'contractor']);
    expect(a.digest).toBe(b.digest);
  });

  it('is part of the digest: raising the limit changes it; no block leaves it as before', () => {
    const none = policyOf(BASE);
    expect(none.seats).toBeUndefined();
    const ten = policyOf(`${BASE}seats:\n  limit: 10\n`);
    const eleven = policyOf(`${BASE}seats:\n  limit: 11\n`);
    expect(ten.digest).not.toBe(eleven.digest);
    expect(ten.digest).not.toBe(none.digest);
  });
});
