/**
 * The last approved policy state (src/flows/trusted-policies.ts) in real git repositories, with
 * the GitHub lookup replaced by a table of verdicts per commit (the lookup is a port; its GitHub
 * implementation is covered end to end in test/integration/apply-github/policy-changes.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  trustedPolicies,
  type ApprovalLookup,
  type CommitApproval,
} from '../../../src/flows/trusted-policies.js';
import { createTempRepo, type TempRepo } from '../../support/temp-repo.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const policy = (required: number, comment = '') =>
  `business: 240340\nname: Acme\n${comment}approvals:\n  required: ${required}\nmembers:\n  - {email: a@acme.example, role: admin}\n`;

let repo: TempRepo | null = null;
afterEach(async () => {
  await repo?.cleanup();
  repo = null;
});

/** A repository whose commits each write policies/acme.yaml (or another file). */
async function history(
  steps: Array<{ files: Record<string, string>; symlinks?: Record<string, string> }>,
): Promise<string[]> {
  repo = await createTempRepo();
  const shas: string[] = [];
  for (const [i, step] of steps.entries()) {
    shas.push(
      await repo.commit({ ...step, message: `step ${i}`, date: `2026-11-0${i + 1}T10:00:00Z` }),
    );
  }
  return shas;
}

function table(verdicts: Record<string, CommitApproval>): {
  lookup: ApprovalLookup;
  asked: string[];
} {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (sha) => {
      asked.push(sha);
      return verdicts[sha] ?? 'none';
    },
  };
}

const trust = (from: string, lookup: ApprovalLookup, maxCommits?: number) =>
  trustedPolicies((repo as TempRepo).dir, {
    policiesDir: 'policies',
    from,
    now: NOW,
    lookup,
    ...(maxCommits === undefined ? {} : { maxCommits }),
  });

const requiredAt = (t: Awaited<ReturnType<typeof trust>>) =>
  t.desired?.businesses[0]?.approvals?.required;

describe('trustedPolicies', () => {
  it('walks back past unapproved and unrecorded changes to the newest approved one', async () => {
    const [, approved, refused, pushed] = await history([
      { files: { 'policies/acme.yaml': policy(1) } },
      { files: { 'policies/acme.yaml': policy(2) } },
      { files: { 'policies/acme.yaml': policy(0) } },
      { files: { 'policies/acme.yaml': policy(3) } },
    ]);
    const { lookup, asked } = table({
      [approved as string]: 'approved',
      [refused as string]: 'unapproved',
    });
    const t = await trust(pushed as string, lookup);
    expect(t.commit).toBe(approved);
    expect(requiredAt(t)).toBe(2);
    expect(t.unapproved).toEqual([pushed, refused]);
    expect(t.problem).toBeNull();
    // It stops at the approved commit: nothing older is asked about.
    expect(asked).toEqual([pushed, refused, approved]);
  });

  it('skips commits that change no policy file, and those that change only comments', async () => {
    const [, approved, docs, comments] = await history([
      { files: { 'policies/acme.yaml': policy(1) } },
      { files: { 'policies/acme.yaml': policy(2) } },
      { files: { 'README.md': 'docs\n' } },
      { files: { 'policies/acme.yaml': policy(2, '# reviewed\n') } },
    ]);
    const { lookup, asked } = table({
      [approved as string]: 'approved',
      [comments as string]: 'unapproved',
    });
    const t = await trust(comments as string, lookup);
    expect(t.commit).toBe(approved);
    expect(t.unapproved).toEqual([]);
    expect(asked).not.toContain(docs);
  });

  it('trusts a history rolecall never recorded anything for (the bootstrap)', async () => {
    const [, second] = await history([
      { files: { 'policies/acme.yaml': policy(1) } },
      { files: { 'policies/acme.yaml': policy(0) } },
    ]);
    const t = await trust(second as string, table({}).lookup);
    expect(t.commit).toBe(second);
    expect(requiredAt(t)).toBe(0);
    expect(t.unapproved).toEqual([]);
  });

  it('with records but no approval, trusts the state before the first recorded change', async () => {
    const [bootstrap, refused, later] = await history([
      { files: { 'policies/acme.yaml': policy(1) } },
      { files: { 'policies/acme.yaml': policy(0) } },
      { files: { 'policies/acme.yaml': policy(5) } },
    ]);
    const t = await trust(later as string, table({ [refused as string]: 'unapproved' }).lookup);
    expect(t.commit).toBe(bootstrap);
    expect(requiredAt(t)).toBe(1);
    expect(t.unapproved).toEqual([later, refused]);
  });

  it('fails closed when the walk reaches its limit with records but no approval', async () => {
    const shas = await history([
      { files: { 'policies/acme.yaml': policy(1) } },
      { files: { 'policies/acme.yaml': policy(2) } },
      { files: { 'policies/acme.yaml': policy(3) } },
      { files: { 'policies/acme.yaml': policy(4) } },
    ]);
    const verdicts = Object.fromEntries(shas.map((s) => [s, 'unapproved' as const]));
    const t = await trust(shas.at(-1) as string, table(verdicts).lookup, 2);
    expect(t.commit).toBeNull();
    expect(t.problem).toMatch(/no approved state of policies\/ found in the last 2 commits/);
  });

  it('reports an approved state whose policy is a symbolic link as unusable', async () => {
    const [, linked, later] = await history([
      { files: { 'shared/acme.yaml': policy(2) } },
      { files: {}, symlinks: { 'policies/acme.yaml': '../shared/acme.yaml' } },
      { files: { 'policies/other.yaml': policy(1).replace('240340', '1') } },
    ]);
    const t = await trust(later as string, table({ [linked as string]: 'approved' }).lookup);
    expect(t.commit).toBe(linked);
    expect(t.desired).toBeNull();
    expect(t.problem).toContain('is a symbolic link');
  });

  it('has no policies before the first policy file: every business is new', async () => {
    const [first] = await history([{ files: { 'README.md': 'hello\n' } }]);
    const t = await trust(first as string, table({}).lookup);
    expect(t).toMatchObject({ commit: first, desired: null, problem: null });
  });
});
