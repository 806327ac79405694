import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  blameFile,
  lineProvenance,
  loadPolicyProvenance,
  loadProvenance,
} from '../../../src/git/index.js';
import { createTempRepo, type Person, type TempRepo } from '../../support/temp-repo.js';

const OLIVIA: Person = { name: 'Olivia Park', email: 'olivia@acme.example' };
const DANA: Person = { name: 'Dana Reyes', email: 'dana@acme.example' };
const BEN: Person = { name: 'Ben Ode', email: 'ben@acme.example' };
const CAROL: Person = { name: 'Carol Stone', email: 'carol@acme.example' };
const GITHUB: Person = { name: 'GitHub', email: 'noreply@github.com' };

interface Entry {
  email: string;
  role: string;
  reason: string;
  expires?: string;
}

/** A policy file laid out the way people write them: one block entry per member. */
function policy(entries: Entry[]): string {
  const lines = [
    '# Acme Books access policy',
    'business: 240340',
    'name: Acme Books Inc.',
    'members:',
  ];
  for (const entry of entries) {
    lines.push(`  - email: ${entry.email}`, `    role: ${entry.role}`);
    if (entry.expires) lines.push(`    expires: ${entry.expires}`);
    lines.push(`    reason: ${entry.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

const FILE = 'policies/acme-books.yaml';

/** Line of `key:` in the entry of `email` (1-based). */
function lineOf(text: string, email: string, key = 'email'): number {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes(`email: ${email}`));
  if (start < 0) throw new Error(`no entry for ${email}`);
  for (let i = start; i < lines.length; i += 1) {
    if (i > start && lines[i]?.trimStart().startsWith('- ')) break;
    if (lines[i]?.trimStart().replace(/^- /, '').startsWith(`${key}:`)) return i + 1;
  }
  throw new Error(`no ${key} for ${email}`);
}

describe('provenance of policy lines from real git history', () => {
  let repo: TempRepo;
  const sha: Record<string, string> = {};
  let text = '';

  const alice: Entry = { email: 'alice@acme.example', role: 'admin', reason: 'Finance lead' };
  const grace: Entry = {
    email: 'grace@acme.example',
    role: 'employee',
    reason: 'Accounts receivable',
  };
  const kim: Entry = {
    email: 'kim@cpa-partners.example',
    role: 'accountant',
    reason: 'External tax accountant',
  };
  const eli: Entry = { email: 'eli@acme.example', role: 'accountant', reason: 'Bookkeeping' };
  const bob: Entry = {
    email: 'bob@contractors.example',
    role: 'contractor',
    reason: 'Year-end audit',
    expires: '2024-06-30',
  };

  beforeAll(async () => {
    repo = await createTempRepo();
    sha.initial = await repo.commit({
      files: { [FILE]: policy([alice, grace, bob]) },
      message: 'Initial policy',
      author: OLIVIA,
      date: '2024-01-10T09:00:00Z',
    });
    // A GitHub squash merge: authored by the PR author, committed by GitHub, "(#12)".
    sha.kim = await repo.commit({
      files: { [FILE]: policy([alice, grace, bob, kim]) },
      message: 'Add kim as external accountant (#12)',
      author: DANA,
      committer: GITHUB,
      date: '2024-02-01T10:00:00Z',
    });
    // A branch merged with a merge commit: "Merge pull request #34 from …".
    await repo.branch('add-eli');
    sha.eli = await repo.commit({
      files: { [FILE]: policy([alice, grace, bob, kim, eli]) },
      message: 'Add eli to bookkeeping',
      author: BEN,
      date: '2024-03-01T08:00:00Z',
    });
    await repo.checkout('main');
    sha.merge = await repo.merge('add-eli', {
      message: 'Merge pull request #34 from acme/add-eli\n\nAdd eli to bookkeeping',
      author: OLIVIA,
      date: '2024-03-05T12:00:00Z',
    });
    // Grace's role changes later: her role line must point here, her email line not.
    sha.promote = await repo.commit({
      files: { [FILE]: policy([alice, { ...grace, role: 'manager' }, bob, kim, eli]) },
      message: 'Promote grace to manager (#40)',
      author: CAROL,
      date: '2024-04-01T15:30:00Z',
    });
    // A later edit of grace's reason only: not a new grant.
    sha.reword = await repo.commit({
      files: {
        [FILE]: policy([
          alice,
          { ...grace, role: 'manager', reason: 'AR and collections' },
          bob,
          kim,
          eli,
        ]),
      },
      message: 'Reword reason (#41)',
      author: DANA,
      date: '2024-05-01T00:00:00Z',
    });
    // Bob's grant is extended: an edit of `expires` only.
    sha.extend = await repo.commit({
      files: {
        [FILE]: policy([
          alice,
          { ...grace, role: 'manager', reason: 'AR and collections' },
          { ...bob, expires: '2024-09-30' },
          kim,
          eli,
        ]),
      },
      message: 'Extend bob (#45)',
      author: BEN,
      date: '2024-06-15T00:00:00Z',
    });
    text = await repo.read(FILE);
  });

  afterAll(async () => {
    await repo.cleanup();
  });

  it('names the commit, author, date and no pull request for a direct commit', async () => {
    const line = lineOf(text, alice.email);
    const found = (await lineProvenance(repo.dir, FILE, [line])).get(line);
    expect(found).toEqual({
      sha: sha.initial,
      authorName: 'Olivia Park',
      authorEmail: 'olivia@acme.example',
      date: '2024-01-10T09:00:00.000Z',
      committedAt: '2024-01-10T09:00:00.000Z',
      subject: 'Initial policy',
      prNumber: null,
    });
  });

  it('reads the pull request number of a squash merge from "(#12)"', async () => {
    const lines = [lineOf(text, kim.email), lineOf(text, kim.email, 'role')];
    const found = await lineProvenance(repo.dir, FILE, lines);
    for (const line of lines) {
      expect(found.get(line)).toMatchObject({
        sha: sha.kim,
        authorName: 'Dana Reyes',
        authorEmail: 'dana@acme.example',
        prNumber: 12,
        date: '2024-02-01T10:00:00.000Z',
      });
      expect(found.get(line)?.mergeSha).toBeUndefined();
    }
  });

  it('takes the pull request of the merge commit that brought a branch commit in', async () => {
    const line = lineOf(text, eli.email);
    const found = (await lineProvenance(repo.dir, FILE, [line])).get(line);
    expect(found).toMatchObject({
      sha: sha.eli,
      authorName: 'Ben Ode',
      subject: 'Add eli to bookkeeping',
      prNumber: 34,
      mergeSha: sha.merge,
      date: '2024-03-01T08:00:00.000Z',
    });
  });

  it('without merge resolution the branch commit names no pull request', async () => {
    const line = lineOf(text, eli.email);
    const found = (await lineProvenance(repo.dir, FILE, [line], { mergePullRequests: false })).get(
      line,
    );
    expect(found?.sha).toBe(sha.eli);
    expect(found?.prNumber).toBeNull();
    expect(found?.mergeSha).toBeUndefined();
  });

  it('points a role changed later at the later commit, the email line at the original', async () => {
    const blame = await blameFile(repo.dir, FILE);
    const emailLine = lineOf(text, grace.email);
    const roleLine = lineOf(text, grace.email, 'role');
    expect(blame.line(emailLine)?.sha).toBe(sha.initial);
    expect(blame.line(roleLine)).toMatchObject({
      sha: sha.promote,
      authorName: 'Carol Stone',
      prNumber: 40,
    });
    // The entry's grant: latest of its email and role lines — not the later reason edit.
    expect(blame.entry(emailLine)?.sha).toBe(sha.promote);
    expect(blame.line(lineOf(text, grace.email, 'reason'))?.sha).toBe(sha.reword);
  });

  it('dates a grant from its extension (expires edited) for maxDuration', async () => {
    const index = await loadProvenance(repo.dir, [FILE]);
    const bobLine = lineOf(text, bob.email);
    expect(index.entry(FILE, bobLine)?.sha).toBe(sha.initial);
    expect(index.grantTime(FILE, bobLine)?.toISOString()).toBe('2024-06-15T00:00:00.000Z');
    expect(index.grantTime(FILE, lineOf(text, alice.email))?.toISOString()).toBe(
      '2024-01-10T09:00:00.000Z',
    );
    // Unknown files have no provenance rather than an error.
    expect(index.line('policies/other.yaml', 1)).toBeUndefined();
  });

  it('uses the earlier of author and committer date as the grant time', async () => {
    const other = await createTempRepo();
    try {
      await other.commit({
        files: { [FILE]: policy([bob]) },
        message: 'Rebased grant (#3)',
        date: '2024-02-01T00:00:00Z',
        committerDate: '2024-03-01T00:00:00Z',
      });
      const index = await loadProvenance(other.dir, [FILE]);
      const found = index.line(FILE, 5);
      expect(found).toMatchObject({
        date: '2024-02-01T00:00:00.000Z',
        committedAt: '2024-03-01T00:00:00.000Z',
      });
      expect(index.grantTime(FILE, 5)?.toISOString()).toBe('2024-02-01T00:00:00.000Z');
    } finally {
      await other.cleanup();
    }
  });

  it('gives no provenance to uncommitted lines, and to an entry with an uncommitted line', async () => {
    const edited =
      text.replace('role: admin', 'role: manager') +
      '  - email: zoe@acme.example\n    role: employee\n    reason: New\n';
    await writeFile(join(repo.dir, FILE), edited, 'utf8');
    try {
      const blame = await blameFile(repo.dir, FILE);
      const aliceEmail = lineOf(edited, alice.email);
      expect(blame.line(aliceEmail)?.sha).toBe(sha.initial);
      expect(blame.line(lineOf(edited, alice.email, 'role'))).toBeUndefined();
      expect(blame.entry(aliceEmail)).toBeUndefined();
      expect(blame.line(lineOf(edited, 'zoe@acme.example'))).toBeUndefined();
      const index = await loadProvenance(repo.dir, [FILE]);
      expect(index.grantTime(FILE, aliceEmail)).toBeUndefined();
      // Lines elsewhere keep theirs.
      expect(blame.line(lineOf(edited, kim.email))?.prNumber).toBe(12);
    } finally {
      await writeFile(join(repo.dir, FILE), text, 'utf8');
    }
  });

  it('has no provenance for an untracked file or outside a repository', async () => {
    await repo.write('policies/new.yaml', policy([alice]));
    expect((await lineProvenance(repo.dir, 'policies/new.yaml', [1, 2, 5])).size).toBe(0);
    const plain = await createTempRepo();
    try {
      // A directory that is not a repository (the .git removed).
      const { rm } = await import('node:fs/promises');
      await rm(join(plain.dir, '.git'), { recursive: true, force: true });
      await plain.write(FILE, policy([alice]));
      expect((await lineProvenance(plain.dir, FILE, [5])).size).toBe(0);
    } finally {
      await plain.cleanup();
    }
  });

  it('loads every tracked policy file under a directory, for validation and the review', async () => {
    await repo.write('policies/untracked.yaml', policy([alice]));
    await repo.write('policies/notes.txt', 'not a policy\n');
    const index = await loadPolicyProvenance(repo.dir, 'policies');
    expect(index.files).toEqual([FILE]);
    const kimLine = lineOf(text, kim.email);
    // The same file however the caller spells it.
    expect(index.line(`./${FILE}`, kimLine)?.prNumber).toBe(12);
    expect(index.entry(FILE, kimLine)?.sha).toBe(sha.kim);
    expect(index.grantTime('policies/untracked.yaml', 5)).toBeUndefined();
    // From the policies directory itself, paths are relative to it.
    const inside = await loadPolicyProvenance(join(repo.dir, 'policies'), '.');
    expect(inside.files).toEqual(['acme-books.yaml']);
    expect(inside.line('acme-books.yaml', kimLine)?.sha).toBe(sha.kim);
  });

  it('blames a large file once and answers for every entry quickly', async () => {
    const big = await createTempRepo();
    try {
      const entries: Entry[] = Array.from({ length: 1000 }, (_, i) => ({
        email: `person${String(i).padStart(4, '0')}@acme.example`,
        role: 'employee',
        reason: `Reason ${i}`,
      }));
      await big.commit({ files: { [FILE]: policy(entries) }, message: 'Bulk import (#1)' });
      for (let k = 0; k < 5; k += 1) {
        entries[k * 50] = { ...(entries[k * 50] as Entry), role: 'manager' };
        await big.commit({
          files: { [FILE]: policy(entries) },
          message: `Promote ${k} (#${k + 2})`,
          date: `2024-02-${String(k + 1).padStart(2, '0')}T00:00:00Z`,
        });
      }
      const bigText = await big.read(FILE);
      const lines = bigText.split('\n').map((_, i) => i + 1);
      const found = await lineProvenance(big.dir, FILE, lines);
      expect(found.size).toBe(lines.length - 1); // the trailing empty split element
      expect(found.get(lineOf(bigText, 'person0050@acme.example', 'role'))?.prNumber).toBe(3);
      expect(found.get(lineOf(bigText, 'person0051@acme.example', 'role'))?.prNumber).toBe(1);
    } finally {
      await big.cleanup();
    }
  });
});
