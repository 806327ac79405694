import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RolecallError } from '../../../src/errors.js';
import {
  changedFiles,
  commitOf,
  currentBranch,
  defaultRemote,
  defaultRemoteUrl,
  githubRepoOf,
  headSha,
  isRepository,
  remoteUrl,
} from '../../../src/git/index.js';
import { parseNameStatus } from '../../../src/git/changed-files.js';
import { gitPolicyRepository } from '../../support/git-policy-repository.js';
import { createTempRepo, type TempRepo } from '../../support/temp-repo.js';

describe('commitOf: the commit a plan was made from', () => {
  let repo: TempRepo;
  let head: string;

  beforeAll(async () => {
    repo = await createTempRepo();
    head = await repo.commit({
      files: {
        'policies/a.yaml': 'business: 1\n',
        'policies/b.yaml': 'business: 2\n',
        'README.md': 'x\n',
      },
      message: 'Initial',
    });
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  it('reports HEAD and clean policy files', async () => {
    expect(await commitOf(repo.dir, ['policies/a.yaml', 'policies/b.yaml'])).toEqual({
      sha: head,
      dirty: false,
    });
    expect(await gitPolicyRepository(repo.dir).commitOf(['policies'])).toEqual({
      sha: head,
      dirty: false,
    });
    expect(await commitOf(repo.dir, [])).toEqual({ sha: head, dirty: false });
  });

  it('is dirty for a modified, staged, deleted or untracked policy file — and only for those', async () => {
    const cases: Array<[string, () => Promise<void>, () => Promise<void>]> = [
      [
        'modified',
        () => repo.write('policies/a.yaml', 'business: 3\n'),
        () => repo.write('policies/a.yaml', 'business: 1\n'),
      ],
      [
        'staged',
        async () => {
          await repo.write('policies/a.yaml', 'business: 4\n');
          await repo.git.raw(['add', 'policies/a.yaml']);
        },
        async () => {
          await repo.git.raw(['reset', '--quiet', '--', 'policies/a.yaml']);
          await repo.write('policies/a.yaml', 'business: 1\n');
        },
      ],
      [
        'deleted',
        () => rm(join(repo.dir, 'policies/a.yaml')),
        () => repo.write('policies/a.yaml', 'business: 1\n'),
      ],
      [
        'untracked in a new directory',
        () => repo.write('policies/new/c.yaml', 'business: 5\n'),
        () => rm(join(repo.dir, 'policies/new'), { recursive: true }),
      ],
    ];
    for (const [label, dirty, restore] of cases) {
      await dirty();
      expect(await commitOf(repo.dir, ['policies']), label).toEqual({ sha: head, dirty: true });
      // A change elsewhere in the repository does not make another policy file dirty.
      expect(await commitOf(repo.dir, ['policies/b.yaml']), label).toEqual({
        sha: head,
        dirty: false,
      });
      await restore();
      expect(await commitOf(repo.dir, ['policies']), label).toEqual({ sha: head, dirty: false });
    }
    await repo.write('README.md', 'changed\n');
    expect(await commitOf(repo.dir, ['policies'])).toEqual({ sha: head, dirty: false });
    await repo.write('README.md', 'x\n');
  });

  it('answers from a subdirectory, with paths relative to it', async () => {
    await repo.write('policies/a.yaml', 'business: 9\n');
    expect(await commitOf(join(repo.dir, 'policies'), ['a.yaml'])).toEqual({
      sha: head,
      dirty: true,
    });
    expect(await commitOf(join(repo.dir, 'policies'), ['b.yaml'])).toEqual({
      sha: head,
      dirty: false,
    });
    await repo.write('policies/a.yaml', 'business: 1\n');
  });

  it('never throws outside a repository: sha null', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rolecall-norepo-'));
    try {
      await writeFile(join(dir, 'a.yaml'), 'business: 1\n');
      expect(await commitOf(dir, ['a.yaml'])).toEqual({ sha: null, dirty: false });
      expect(await isRepository(dir)).toBe(false);
      expect(await isRepository(join(dir, 'missing'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('has no sha before the first commit, and the files are dirty (untracked)', async () => {
    const fresh = await createTempRepo();
    try {
      expect(await headSha(fresh.dir)).toBeNull();
      await fresh.write('policies/a.yaml', 'business: 1\n');
      expect(await commitOf(fresh.dir, ['policies'])).toEqual({ sha: null, dirty: true });
    } finally {
      await fresh.cleanup();
    }
  });
});

describe('changedFiles: what a pull request touches', () => {
  let repo: TempRepo;

  beforeAll(async () => {
    repo = await createTempRepo();
    await repo.commit({
      files: {
        'policies/acme.yaml': 'business: 1\n',
        'policies/holdings.yaml': 'business: 2\nmembers: []\n# a long enough file to rename\n',
        'policies/old.yaml': 'business: 3\n',
        'policies/keep.yaml': 'business: 4\n',
        'README.md': 'readme\n',
      },
      message: 'Initial',
      date: '2024-01-01T00:00:00Z',
    });
    await repo.branch('change');
    await repo.commit({
      files: {
        'policies/acme.yaml': 'business: 1\nmode: additive\n',
        'policies/old.yaml': null,
        'policies/holdings.yaml': null,
        'policies/group/holdings.yaml':
          'business: 2\nmembers: []\n# a long enough file to rename\n',
        'policies/new.yaml': 'business: 5\n',
        'docs/guide.md': 'guide\n',
      },
      message: 'Change policies',
      date: '2024-01-02T00:00:00Z',
    });
    // The base moves on after the branch was cut: its changes are not the PR's.
    await repo.checkout('main');
    await repo.commit({
      files: { 'policies/keep.yaml': 'business: 4\nmode: additive\n' },
      message: 'Unrelated change on main',
      date: '2024-01-03T00:00:00Z',
    });
    await repo.checkout('change');
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  it('lists added, modified, renamed (both paths) and deleted files since the merge base', async () => {
    expect(await changedFiles(repo.dir, { base: 'main', under: 'policies' })).toEqual([
      'policies/acme.yaml',
      'policies/group/holdings.yaml',
      'policies/holdings.yaml',
      'policies/new.yaml',
      'policies/old.yaml',
    ]);
    const everything = await changedFiles(repo.dir, { base: 'main', head: 'change' });
    expect(everything).toContain('docs/guide.md');
    expect(everything).not.toContain('policies/keep.yaml');
    expect(everything).not.toContain('README.md');
  });

  it('reports a rename as both its paths', async () => {
    // The fixture really is a rename for git, not a delete and an unrelated add.
    const status = await repo.git.raw(['diff', '--name-status', '--find-renames', 'main...change']);
    expect(status).toMatch(/^R\d+\tpolicies\/holdings\.yaml\tpolicies\/group\/holdings\.yaml$/m);
    expect(
      parseNameStatus('R097\0a/old.yaml\0b/new.yaml\0M\0c.yaml\0C100\0d.yaml\0e.yaml\0D\0f.yaml\0'),
    ).toEqual(['a/old.yaml', 'b/new.yaml', 'c.yaml', 'd.yaml', 'e.yaml', 'f.yaml']);
  });

  it('answers relative to a subdirectory', async () => {
    expect(await changedFiles(join(repo.dir, 'policies'), { base: 'main', under: '.' })).toEqual([
      'acme.yaml',
      'group/holdings.yaml',
      'holdings.yaml',
      'new.yaml',
      'old.yaml',
    ]);
  });

  it('is empty when nothing changed, and explains unknown revisions and missing history', async () => {
    expect(await changedFiles(repo.dir, { base: 'change', head: 'change' })).toEqual([]);
    await expect(changedFiles(repo.dir, { base: 'origin/nope' })).rejects.toMatchObject({
      code: 'GIT_UNKNOWN_REVISION',
      message: expect.stringContaining('origin/nope'),
    });
    // Unrelated histories (what a shallow clone looks like to merge-base).
    await repo.git.raw(['checkout', '--quiet', '--orphan', 'island']);
    await repo.commit({ files: { 'x.txt': 'x\n' }, message: 'island', allowEmpty: true });
    const error = await changedFiles(repo.dir, { base: 'main', head: 'island' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RolecallError);
    expect((error as RolecallError).code).toBe('GIT_NO_MERGE_BASE');
    expect((error as RolecallError).message).toContain('fetch-depth: 0');
    await repo.git.raw(['checkout', '--quiet', '--force', 'change']);
  });
});

describe('branch and remote information', () => {
  it('names the branch, the remote and the GitHub repository without credentials', async () => {
    const repo = await createTempRepo();
    try {
      await repo.commit({ files: { 'a.txt': 'a\n' }, message: 'a' });
      expect(await currentBranch(repo.dir)).toBe('main');
      expect(await defaultRemote(repo.dir)).toBeNull();
      expect(await defaultRemoteUrl(repo.dir)).toBeNull();
      await repo.git.raw([
        'remote',
        'add',
        'upstream',
        'https://x-access-token:ghs_secretsecret123@github.com/acme/access.git',
      ]);
      expect(await defaultRemote(repo.dir)).toBe('upstream');
      const url = await defaultRemoteUrl(repo.dir);
      expect(url).toBe('https://github.com/acme/access.git');
      expect(url).not.toContain('ghs_');
      await repo.git.raw(['remote', 'add', 'origin', 'git@github.com:acme/policies.git']);
      expect(await defaultRemote(repo.dir)).toBe('origin');
      expect(await remoteUrl(repo.dir, 'origin')).toBe('git@github.com:acme/policies.git');
      expect(await remoteUrl(repo.dir, 'nope')).toBeNull();
      await repo.git.raw(['checkout', '--quiet', '--detach']);
      expect(await currentBranch(repo.dir)).toBeNull();
    } finally {
      await repo.cleanup();
    }
  });

  it.each([
    [
      'https://github.com/acme/policies.git',
      { host: 'github.com', owner: 'acme', repo: 'policies' },
    ],
    ['https://github.com/acme/policies', { host: 'github.com', owner: 'acme', repo: 'policies' }],
    [
      'https://tok@github.com/acme/policies/',
      { host: 'github.com', owner: 'acme', repo: 'policies' },
    ],
    ['git@github.com:acme/policies.git', { host: 'github.com', owner: 'acme', repo: 'policies' }],
    [
      'ssh://git@ghe.acme.example:2222/sec/access.git',
      { host: 'ghe.acme.example', owner: 'sec', repo: 'access' },
    ],
    ['/tmp/some/path', null],
    ['not a url', null],
  ])('githubRepoOf(%s)', (url, expected) => {
    expect(githubRepoOf(url)).toEqual(expected);
  });
});
