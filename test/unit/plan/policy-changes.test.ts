/**
 * The policy facts diff (src/plan/policy-changes.ts): what a pull request changes in the
 * policies apart from FreshBooks. The gate asks for approval exactly when this list is not
 * empty, so both directions matter: every fact that decides access or approval must show up,
 * and comments, layout, key order and spelling must not.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  comparePolicyChanges,
  describeFactChange,
  diffPolicies,
  policyChangesDigest,
} from '../../../src/plan/policy-changes.js';
import {
  renderPolicyReviewMarkdown,
  renderPolicyReviewText,
  scheduledRevocations,
} from '../../../src/plan/render-policy-review.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';
import type { DesiredState } from '../../../src/types.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const FILE = 'policies/acme-books.yaml';
const ACME = readFileSync(new URL('../../../policies/acme-books.yaml', import.meta.url), 'utf8');

function load(text: string, file = FILE): DesiredState {
  const result = validateDocuments([{ file, text }], { now: NOW });
  if (!result.value) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.value;
}

/** One edit of the example policy and the fact path it must change. */
const FACT_EDITS: Array<{ name: string; edit: (y: string) => string; path: string }> = [
  {
    name: 'a lower minAdmins',
    edit: (y) => y.replace('minAdmins: 2', 'minAdmins: 1'),
    path: 'rules.minAdmins',
  },
  {
    name: 'a protected person dropped',
    edit: (y) => y.replace('protected: [olivia@acme.example]', 'protected: []'),
    path: 'rules.protected',
  },
  {
    name: 'autoApproveExpiry turned on',
    edit: (y) =>
      y.replace('  requireReason: true', '  requireReason: true\n  autoApproveExpiry: true'),
    path: 'rules.autoApproveExpiry',
  },
  {
    name: 'approvals added',
    edit: (y) => `${y}\napprovals:\n  required: 0\n`,
    path: 'approvals.required',
  },
  {
    name: 'an expiry added to an admin',
    edit: (y) =>
      y.replace(
        '  - email: ben@acme.example\n    role: admin\n    reason: Controller',
        '  - email: ben@acme.example\n    role: admin\n    reason: Controller\n    expires: 2026-12-07T14:00:00Z',
      ),
    path: 'members["ben@acme.example"].expires',
  },
  {
    name: 'a reason changed',
    edit: (y) => y.replace('reason: Controller', 'reason: Controller (interim)'),
    path: 'members["ben@acme.example"].reason',
  },
  {
    name: 'a role changed',
    edit: (y) =>
      y.replace(
        '  - email: maya@acme.example\n    role: manager',
        '  - email: maya@acme.example\n    role: admin',
      ),
    path: 'members["maya@acme.example"].role',
  },
  {
    name: 'the mode',
    edit: (y) => y.replace('mode: authoritative', 'mode: additive'),
    path: 'mode',
  },
];

describe('diffPolicies', () => {
  it('finds nothing between a policy and itself', () => {
    expect(diffPolicies(load(ACME), load(ACME))).toEqual([]);
  });

  it.each(FACT_EDITS)('finds $name at its path, and names its subjects', ({ edit, path }) => {
    const edited = edit(ACME);
    expect(edited).not.toBe(ACME);
    const [change, ...rest] = diffPolicies(load(ACME), load(edited));
    expect(rest).toEqual([]);
    expect(change?.businessId).toBe(240340);
    expect(change?.changes.map((c) => c.path)).toContain(path);
    const member = /^members\["(.+)"\]/.exec(path)?.[1];
    if (member) expect(change?.subjects).toEqual([member]);
  });

  it('ignores comments, blank lines, key order and the spelling of a duration', () => {
    const reworded = ACME.replace(/ # .*$/gm, '')
      .replace('maxDuration:\n    contractor: 180d', 'maxDuration:\n    contractor: 4320h')
      .replace(
        '  - email: alice@acme.example\n    role: admin\n    reason: Finance lead',
        '  - role: admin\n    reason: Finance lead\n    email: alice@acme.example',
      )
      .concat('\n# The end.\n\n');
    expect(reworded).not.toBe(ACME);
    expect(diffPolicies(load(ACME), load(reworded))).toEqual([]);
  });

  it('reports a business added, removed or moved to another file', () => {
    const added = diffPolicies(null, load(ACME));
    expect(added[0]?.changes[0]).toEqual({ path: 'business', after: 240340 });
    expect(added[0]).toMatchObject({ fileBefore: null, fileAfter: FILE });

    const removed = diffPolicies(load(ACME), { businesses: [] });
    expect(removed[0]?.changes[0]).toEqual({ path: 'business', before: 240340 });

    const moved = diffPolicies(load(ACME), load(ACME, 'policies/acme.yaml'));
    expect(moved[0]?.changes).toEqual([
      { path: 'file', before: FILE, after: 'policies/acme.yaml' },
    ]);
  });

  it('property: any single edit of a fact is found, and the digest tells the edits apart', () => {
    fc.assert(
      fc.property(fc.subarray(FACT_EDITS, { minLength: 1 }), (edits) => {
        const text = edits.reduce((y, e) => e.edit(y), ACME);
        const changes = diffPolicies(load(ACME), load(text));
        const paths = changes.flatMap((c) => c.changes.map((f) => f.path));
        for (const e of edits) expect(paths).toContain(e.path);
        expect(policyChangesDigest(changes)).not.toBe(policyChangesDigest([]));
        // Deterministic: the same edit gives the same digest.
        expect(policyChangesDigest(diffPolicies(load(ACME), load(text)))).toBe(
          policyChangesDigest(changes),
        );
      }),
      { numRuns: 40 },
    );
  });
});

describe('comparePolicyChanges and describeFactChange', () => {
  it('names what is new and what is no longer made', () => {
    const a = diffPolicies(load(ACME), load(FACT_EDITS[0]?.edit(ACME) ?? ''));
    const b = diffPolicies(load(ACME), load(FACT_EDITS[2]?.edit(ACME) ?? ''));
    expect(comparePolicyChanges(a, b)).toEqual([
      'business 240340: new policy change rules.autoApproveExpiry: false → true',
      'business 240340: approved policy change no longer made: rules.minAdmins: 2 → 1',
    ]);
    expect(comparePolicyChanges(a, a)).toEqual([]);
    expect(describeFactChange({ path: 'approvals.required', after: 0 })).toBe(
      'approvals.required: (none) → 0',
    );
  });
});

describe('the policy review renderings', () => {
  const edited = load(FACT_EDITS[4]?.edit(ACME) ?? '');
  const changes = diffPolicies(load(ACME), edited);
  const scheduled = scheduledRevocations(edited, NOW);

  it('lists future expiries soonest first, and never a past one', () => {
    expect(scheduled.map((s) => s.email)).toEqual(['ben@acme.example', 'bob@contractors.example']);
    expect(
      scheduledRevocations(edited, new Date('2026-12-08T00:00:00Z')).map((s) => s.email),
    ).toEqual(['bob@contractors.example']);
  });

  it('markdown: policy changes, then scheduled revocations, as code spans', () => {
    const md = renderPolicyReviewMarkdown({
      base: 'a'.repeat(40),
      changes,
      scheduled,
      touchedPolicies: true,
    });
    expect(md).toContain('#### Policy changes that need approval');
    expect(md).toContain('(`aaaaaaa`)');
    expect(md).toContain(
      '- `members["ben@acme.example"].expires`: `(none)` → `"2026-12-07T14:00:00.000Z"`',
    );
    expect(md).toContain(
      '- `ben@acme.example` — admin — will be revoked 2026-12-07 14:00 UTC by expiry',
    );
    expect(md.indexOf('Policy changes')).toBeLessThan(md.indexOf('Scheduled revocations'));
  });

  it('markdown: a change of comments only says it needs no approval; nothing touched says nothing', () => {
    expect(
      renderPolicyReviewMarkdown({ base: null, changes: [], scheduled: [], touchedPolicies: true }),
    ).toContain('Only comments or layout changed');
    expect(
      renderPolicyReviewMarkdown({
        base: null,
        changes: [],
        scheduled: [],
        touchedPolicies: false,
      }),
    ).toBe('');
  });

  it('text: the same facts for a terminal', () => {
    const text = renderPolicyReviewText({ base: null, changes, scheduled, touchedPolicies: true });
    expect(text).toContain('Policy changes that need approval:');
    expect(text).toContain(
      'members["ben@acme.example"].expires: (none) → "2026-12-07T14:00:00.000Z"',
    );
    expect(text).toContain(
      'ben@acme.example — admin — will be revoked 2026-12-07 14:00 UTC by expiry',
    );
  });
});
