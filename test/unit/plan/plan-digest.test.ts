import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/canonical.js';
import { buildPlan } from '../../../src/plan/index.js';
import { PLAN_PROPERTY_NAMES, planDigestOf } from '../../../src/plan/plan-digest.js';
import { readSchema } from '../../../src/schemas.js';
import { acmeExample, desiredBusiness, desiredMember } from '../../support/builders.js';

/** Every name under a `properties` keyword anywhere in the schema. */
function schemaPropertyNames(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) schemaPropertyNames(item, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value !== null && typeof value === 'object') {
        for (const name of Object.keys(value)) into.add(name);
      }
      schemaPropertyNames(value, into);
    }
  }
  return into;
}

describe('planDigestOf (the fast plan digest)', () => {
  it('knows every property the plan schema allows', () => {
    const names = schemaPropertyNames(readSchema('plan'));
    names.delete('digest'); // never part of the digested content
    expect([...names].filter((name) => !PLAN_PROPERTY_NAMES.includes(name))).toEqual([]);
    expect([...PLAN_PROPERTY_NAMES]).toEqual([...PLAN_PROPERTY_NAMES].sort());
  });

  it('equals digestOf on a plan with every optional field', () => {
    const { desired, live, now } = acmeExample();
    const policy = desiredBusiness({
      ...desired.businesses[0]!,
      rules: { protected: ['zoe@acme.example'] },
      provisioning: { revoke: 'manual' },
      overrides: [{ guard: 'protected', reason: 'left the company', ticket: 'HR-1' }],
      members: [
        ...desired.businesses[0]!.members,
        desiredMember('tmp@acme.example', 'employee', { expires: '2026-12-31', ticket: 'T-1' }),
      ],
    });
    const plan = buildPlan({
      desired: { businesses: [policy] },
      live,
      now,
      toolVersion: '0.1.0',
      policyCommits: { [policy.file]: { sha: 'f'.repeat(40), dirty: false } },
    });
    const { digest, ...content } = plan;
    expect(digest).toBe(digestOf(content));
  });

  it('sorts memberFingerprints keys as strings, integer-like ones included', () => {
    const content = {
      businesses: [
        {
          businessId: 1,
          memberFingerprints: { '10': 'sha256:a', '9': 'sha256:b', b: 'sha256:c', a: 'sha256:d' },
          changes: [],
        },
      ],
      version: 1,
    };
    expect(planDigestOf(content)).toBe(digestOf(content));
  });

  it('falls back to canonical key order for objects it does not build itself', () => {
    const content = {
      version: 1,
      tool: { version: '0.1.0', name: 'rolecall' },
      businesses: [{ policyCommit: { sha: null, dirty: true }, name: 'x', changes: [] }],
    };
    expect(planDigestOf(content)).toBe(digestOf(content));
  });
});
