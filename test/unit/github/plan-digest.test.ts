import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  approvalDigest,
  describeDifference,
  effectMatches,
  saltedDigest,
} from '../../../src/plan/approval-digest.js';
import { planChangesDigest, planChangesOnly } from '../../../src/plan/index.js';
import { digestOf } from '../../../src/canonical.js';
import {
  hiddenRecord,
  readHiddenRecord,
  withoutHiddenRecords,
} from '../../../src/github/hidden-record.js';
import {
  businessPlan,
  change,
  demoPlan,
  grant,
  plan,
  revoke,
} from '../../support/fake-github/plans.js';

const PR1 = 'https://github.com/acme/access/pull/1';
const PR2 = 'https://github.com/acme/access/pull/2';

describe('approvalDigest and saltedDigest', () => {
  it("is the planner's planChangesDigest", () => {
    expect(approvalDigest(demoPlan())).toBe(planChangesDigest(demoPlan()));
  });

  it('the salted digest differs per pull request for the same plan', () => {
    const digest = approvalDigest(demoPlan());
    expect(saltedDigest(PR1, digest)).not.toBe(saltedDigest(PR2, digest));
    expect(saltedDigest(PR1, digest)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(saltedDigest(PR1, digest)).toBe(saltedDigest(PR1, digest));
    expect(() => saltedDigest('', digest)).toThrow(TypeError);
  });

  it('ignores what differs between the PR plan and the re-plan at the merge commit', () => {
    const onPr = demoPlan();
    const atMerge = demoPlan({
      createdAt: '2026-05-02T08:00:00.000Z',
      digest: `sha256:${'9'.repeat(64)}`,
    });
    const first = atMerge.businesses[0];
    if (!first) throw new Error('fixture');
    atMerge.businesses[0] = {
      ...first,
      policyCommit: { sha: 'm'.repeat(40), dirty: false },
      liveFingerprint: `sha256:${'1'.repeat(64)}`,
      changes: first.changes.map((c) => ({
        ...c,
        source: { file: 'policies/acme-books.yaml', line: 40, col: 5 },
      })),
    };
    expect(approvalDigest(atMerge)).toBe(approvalDigest(onPr));
  });

  it.each([
    [
      'a change is added',
      (p: ReturnType<typeof demoPlan>) =>
        p.businesses[0]?.changes.push(grant('new@acme.example', 'admin')),
    ],
    [
      'a target role differs',
      (p: ReturnType<typeof demoPlan>) => {
        const c = p.businesses[0]?.changes[0];
        if (c) c.to = { role: 'admin' };
      },
    ],
    [
      'an expiry differs',
      (p: ReturnType<typeof demoPlan>) => {
        const c = p.businesses[0]?.changes[0];
        if (c) c.expires = '2027-01-01T00:00:00.000Z';
      },
    ],
    [
      'a guard now fails',
      (p: ReturnType<typeof demoPlan>) => {
        const b = p.businesses[0];
        if (b?.guards[0]) b.guards[0] = { ...b.guards[0], ok: false };
      },
    ],
    [
      'applyable differs',
      (p: ReturnType<typeof demoPlan>) => {
        const b = p.businesses[0];
        if (b) b.applyable = false;
      },
    ],
  ])('changes when %s', (_name, mutate) => {
    const p = demoPlan();
    mutate(p);
    expect(approvalDigest(p)).not.toBe(approvalDigest(demoPlan()));
  });

  it('a recorded effect verifies against its salted digest, and only on its own pull request (property)', () => {
    const changes = demoPlan().businesses[0]?.changes ?? [];
    fc.assert(
      fc.property(fc.subarray(changes), (subset) => {
        const p = plan([businessPlan(subset)]);
        const salted = saltedDigest(PR1, approvalDigest(p));
        const effect = JSON.parse(JSON.stringify(planChangesOnly(p))) as ReturnType<
          typeof planChangesOnly
        >;
        expect(digestOf(effect)).toBe(approvalDigest(p));
        expect(effectMatches(effect, PR1, salted)).toBe(true);
        expect(effectMatches(effect, PR2, salted)).toBe(false);
      }),
    );
  });
});

describe('describeDifference', () => {
  it("lists added, removed and changed changes (the planner's comparePlans)", () => {
    const approved = planChangesOnly(
      plan([
        businessPlan([
          grant('eli@acme.example', 'accountant'),
          revoke('zoe@acme.example', 'employee'),
        ]),
      ]),
    );
    const current = plan([
      businessPlan([
        grant('eli@acme.example', 'admin'),
        change('maya@acme.example', 'employee', 'manager'),
      ]),
    ]);
    const lines = describeDifference(approved, current);
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith('Acme Books Inc. (240340): '))).toBe(true);
    expect(lines.join('\n')).toMatch(/changed: eli@acme\.example/);
    expect(lines.join('\n')).toMatch(/removed: .*zoe@acme\.example/);
    expect(lines.join('\n')).toMatch(/added: .*maya@acme\.example/);
    expect(describeDifference(planChangesOnly(current), current)).toEqual([]);
  });

  it('names a business that appeared', () => {
    const one = planChangesOnly(plan([businessPlan([grant('eli@acme.example', 'accountant')])]));
    const two = plan([
      businessPlan([grant('eli@acme.example', 'accountant')]),
      businessPlan([grant('x@acme.example', 'admin')], {
        businessId: 240341,
        name: 'Acme Holdings LLC',
      }),
    ]);
    expect(describeDifference(one, two)).toEqual([
      'Acme Holdings LLC (240341): not in the approved plan (now 1 changes)',
    ]);
  });
});

describe('hidden records', () => {
  it('round-trips any JSON value and never ends the HTML comment early (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const line = hiddenRecord('plan', 'pr', value);
        expect(line.indexOf('-->')).toBe(line.length - 3);
        expect(readHiddenRecord(`text\n${line}\nmore`, 'plan', 'pr')).toEqual(
          JSON.parse(JSON.stringify(value ?? null)),
        );
      }),
    );
  });

  it('distinguishes kinds and scopes that share a prefix', () => {
    const body = `${hiddenRecord('drift', '2403401', { a: 1 })}\n${hiddenRecord('drift', '240340', { a: 2 })}`;
    expect(readHiddenRecord(body, 'drift', '240340')).toEqual({ a: 2 });
    expect(readHiddenRecord(body, 'drift', '24034')).toBeUndefined();
  });

  it('treats a hand-edited payload as no record', () => {
    const line = hiddenRecord('plan', 'pr', { digest: 'x' }).replace('z1.', 'z1.!!');
    expect(readHiddenRecord(line, 'plan', 'pr')).toBeUndefined();
    expect(readHiddenRecord('<!-- rolecall:plan:pr z1.AAAA -->', 'plan', 'pr')).toBeUndefined();
  });

  it('withoutHiddenRecords leaves the visible text', () => {
    expect(withoutHiddenRecords(`${hiddenRecord('plan', 'pr', 1)}\n## Plan\n`)).toBe('## Plan\n');
  });
});
