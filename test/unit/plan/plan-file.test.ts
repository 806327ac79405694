import { describe, expect, it } from 'vitest';
import { RolecallError } from '../../../src/errors.js';
import { buildPlan, parsePlan, renderPlanJson, serializePlan } from '../../../src/plan/index.js';
import { schemaValidator } from '../../../src/schemas.js';
import type { Plan } from '../../../src/types.js';
import {
  acmeExample,
  desiredBusiness,
  desiredMember,
  liveBusiness,
  liveMember,
} from '../../support/builders.js';

/** What the edge injects: ajv against schemas/plan.schema.json, one line per error. */
function validatePlan(value: unknown): string[] {
  const validate = schemaValidator('plan');
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`,
  );
}

function acmePlan(): Plan {
  const { desired, live, now } = acmeExample();
  return buildPlan({
    desired,
    live,
    now,
    toolVersion: '0.1.0',
    policyCommits: {
      'policies/acme-books.yaml': { sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', dirty: true },
    },
  });
}

function parseError(text: string): RolecallError {
  try {
    parsePlan(text, validatePlan, { toolVersion: '0.1.0' });
  } catch (error) {
    expect(error).toBeInstanceOf(RolecallError);
    return error as RolecallError;
  }
  throw new Error('parsePlan accepted the text');
}

describe('plan file', () => {
  it('serialises as pretty JSON with a trailing newline, and the JSON rendering is the same bytes', () => {
    const plan = acmePlan();
    const text = serializePlan(plan);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "version": 1,\n');
    expect(renderPlanJson(plan)).toBe(text);
  });

  it('round-trips', () => {
    const plan = acmePlan();
    expect(parsePlan(serializePlan(plan), validatePlan)).toEqual(plan);
  });

  it('matches its schema, overrides, unmanaged members and expiries included', () => {
    const { desired, live, now } = acmeExample();
    const policy = desiredBusiness({
      ...desired.businesses[0]!,
      rules: { protected: ['zoe@acme.example'] },
      overrides: [{ guard: 'protected', reason: 'zoe left', ticket: 'HR-1' }],
      members: [
        ...desired.businesses[0]!.members,
        desiredMember('tmp@acme.example', 'employee', { expires: '2026-12-31' }),
      ],
    });
    const plan = buildPlan({ desired: { businesses: [policy] }, live, now, toolVersion: '0.1.0' });
    expect(plan.businesses[0]!.guards[0]!.override).toBeDefined();
    expect(validatePlan(plan)).toEqual([]);
  });

  it('accepts a reformatted file (the digest is over canonical content, not bytes)', () => {
    const plan = acmePlan();
    expect(parsePlan(JSON.stringify(plan), validatePlan)).toEqual(plan);
  });

  it('rejects a tampered file: one role changed', () => {
    const plan = acmePlan();
    const tampered = structuredClone(plan);
    tampered.businesses[0]!.changes[0]!.to = { role: 'admin' };
    const error = parseError(serializePlan(tampered));
    expect(error.code).toBe('PLAN_DIGEST');
    expect(error.message).toBe(
      'plan file was modified after it was created: digest mismatch; re-plan instead of editing it',
    );
  });

  it('rejects a tampered file: a guard flipped to applyable', () => {
    const { live, now } = acmeExample();
    const blocked = buildPlan({
      desired: { businesses: [desiredBusiness({ members: [] })] },
      live,
      now,
      toolVersion: '0.1.0',
    });
    expect(blocked.businesses[0]!.applyable).toBe(false);
    const tampered = structuredClone(blocked);
    tampered.businesses[0]!.applyable = true;
    expect(parseError(serializePlan(tampered)).code).toBe('PLAN_DIGEST');
  });

  it('rejects an unknown version with a clear message', () => {
    const text = serializePlan({ ...acmePlan(), version: 2 as unknown as 1 });
    const error = parseError(text);
    expect(error.code).toBe('PLAN_VERSION');
    expect(error.message).toBe('plan file version 2 is not supported by rolecall 0.1.0; re-plan');
  });

  it('rejects a schema violation, saying where', () => {
    const plan = acmePlan() as unknown as {
      businesses: Array<{ changes: Array<Record<string, unknown>> }>;
    };
    plan.businesses[0]!.changes[0]!['action'] = 'delete';
    plan.businesses[0]!.changes[1]!['extra'] = true;
    const error = parseError(JSON.stringify(plan));
    expect(error.code).toBe('PLAN_SCHEMA');
    expect(error.message).toMatch(/^plan file does not match the plan file schema; re-plan:\n/);
    expect(error.message).toContain(
      '/businesses/0/changes/0/action must be equal to one of the allowed values',
    );
    expect(error.message).toContain('/businesses/0/changes/1 must NOT have additional properties');
  });

  it('rejects a change whose sides contradict its action', () => {
    const plan = acmePlan();
    const broken = structuredClone(plan);
    broken.businesses[0]!.changes[5]!.to = { role: 'employee' }; // a revoke with a target role
    expect(parseError(serializePlan(broken)).code).toBe('PLAN_SCHEMA');
  });

  it('rejects text that is not JSON, or JSON that is not a plan', () => {
    const notJson = parseError('{"version": 1,');
    expect(notJson.code).toBe('PLAN_NOT_JSON');
    expect(notJson.message).toMatch(/^plan file is not JSON \(.+\); is it a rolecall plan file\?$/);
    expect(parseError('[1, 2]').code).toBe('PLAN_NOT_A_PLAN');
    expect(parseError('{"businesses": []}').message).toBe(
      'plan file is not a rolecall plan file (no "version")',
    );
  });

  it('parses a plan for a business with nothing to do', () => {
    const { now } = acmeExample();
    const live = liveBusiness({ members: [liveMember('olivia@acme.example', 'owner')] });
    const plan = buildPlan({
      desired: { businesses: [desiredBusiness()] },
      live: {
        version: 1,
        syncedAt: now.toISOString(),
        identity: { identityId: 1, email: 'olivia@acme.example' },
        businesses: [live],
      },
      now,
      toolVersion: '0.1.0',
    });
    expect(parsePlan(serializePlan(plan), validatePlan).businesses[0]!.changes).toEqual([]);
  });
});
