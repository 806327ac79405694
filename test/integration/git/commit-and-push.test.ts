import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RolecallError } from '../../../src/errors.js';
import {
  branchSha,
  commitOnBranch,
  commitOnNewBranch,
  deleteBranch,
  pushBranch,
} from '../../../src/git/index.js';
import {
  createBareRemote,
  createTempRepo,
  installRemoteHook,
  type BareRemote,
  type TempRepo,
} from '../../support/temp-repo.js';

const FILE = 'policies/acme-books.yaml';
const ORIGINAL =
  '# Acme\nbusiness: 240340\nmembers:\n  - email: alice@acme.example\n    role: admin\n';
const EDITED = `${ORIGINAL}  - email: eli@acme.example\n    role: accountant\n    reason: Bookkeeping\n`;
const REQUESTER = { name: 'Rolecall Bot', email: 'rolecall@acme.example' };

async function rejection(promise: Promise<unknown>): Promise<RolecallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RolecallError);
  return error as RolecallError;
}

interface Checkout {
  /** `git status --porcelain=v2 --branch`: branch, HEAD, staged/unstaged/untracked entries. */
  status: string;
  policy: string;
  notes: string;
}

async function checkoutState(repo: TempRepo): Promise<Checkout> {
  return {
    status: await repo.git.raw(['status', '--porcelain=v2', '--branch', '--untracked-files=all']),
    policy: await repo.read(FILE),
    notes: await repo.read('notes.md'),
  };
}

/**
 * A user mid-work: on a feature branch, with a staged edit, an unstaged edit of the policy and
 * an untracked file. None of it may change while rolecall commits and pushes.
 */
async function userMidWork(repo: TempRepo): Promise<Checkout> {
  await repo.branch('my-feature');
  await repo.commit({
    files: { 'notes.md': 'notes\n' },
    message: 'Work in progress',
    date: '2024-01-03T00:00:00Z',
  });
  await repo.write('notes.md', 'staged edit\n');
  await repo.git.raw(['add', 'notes.md']);
  await repo.write(FILE, `${ORIGINAL}# my local edit\n`);
  await repo.write('scratch.txt', 'untracked\n');
  const state = await checkoutState(repo);
  // The fixture is what it claims to be.
  expect(state.status).toContain('# branch.head my-feature');
  expect(state.status).toMatch(/^1 M\. .* notes\.md$/m);
  expect(state.status).toMatch(/^1 \.M .* policies\/acme-books\.yaml$/m);
  expect(state.status).toMatch(/^\? scratch\.txt$/m);
  return state;
}

describe('commit on a new branch and push, leaving the checkout alone', () => {
  let repo: TempRepo;
  let remote: BareRemote;
  let base: string;
  let before: Checkout;

  beforeAll(async () => {
    repo = await createTempRepo();
    remote = await createBareRemote();
    base = await repo.commit({
      files: { [FILE]: ORIGINAL, 'policies/other.yaml': 'business: 1\n', 'notes.md': 'n\n' },
      message: 'Initial policy',
      date: '2024-01-01T00:00:00Z',
    });
    await repo.git.raw(['remote', 'add', 'origin', remote.url]);
    await repo.git.raw(['push', '--quiet', 'origin', 'main']);
    before = await userMidWork(repo);
  });
  afterAll(async () => {
    await repo.cleanup();
    await remote.cleanup();
  });
  afterEach(async () => {
    // Whatever rolecall did or failed to do, the user's checkout is exactly as it was.
    expect(await checkoutState(repo)).toEqual(before);
  });

  it('creates the branch from the base with the new content, author and message', async () => {
    const result = await commitOnNewBranch(repo.dir, {
      branch: 'rolecall/request-eli',
      base: 'main',
      files: [{ path: FILE, content: EDITED }],
      message: 'Grant eli accountant\n\nRequested by dana for FIN-9.',
      author: REQUESTER,
      date: new Date('2024-02-01T12:00:00Z'),
    });
    expect(result).toEqual({
      branch: 'rolecall/request-eli',
      sha: expect.stringMatching(/^[0-9a-f]{40}$/),
      base,
      paths: [FILE],
      replaced: false,
    });
    expect(await branchSha(repo.dir, 'rolecall/request-eli')).toBe(result.sha);
    const show = (format: string) => repo.git.raw(['log', '-1', `--format=${format}`, result.sha]);
    expect(await show('%P')).toBe(`${base}\n`);
    expect(await show('%an <%ae> %aI')).toBe(
      'Rolecall Bot <rolecall@acme.example> 2024-02-01T12:00:00+00:00\n',
    );
    expect(await show('%B')).toBe('Grant eli accountant\n\nRequested by dana for FIN-9.\n\n');
    expect(await repo.git.raw(['show', `${result.sha}:${FILE}`])).toBe(EDITED);
    // Only the policy file differs from the base; the user's local edits are not in it.
    expect(await repo.git.raw(['diff', '--name-only', base, result.sha])).toBe(`${FILE}\n`);
  });

  it('pushes the branch to the remote', async () => {
    const sha = await branchSha(repo.dir, 'rolecall/request-eli');
    const pushed = await pushBranch(repo.dir, { remote: 'origin', branch: 'rolecall/request-eli' });
    expect(pushed).toEqual({
      remote: 'origin',
      branch: 'rolecall/request-eli',
      remoteRef: 'refs/heads/rolecall/request-eli',
      sha,
      status: 'created',
    });
    expect((await remote.refs())['refs/heads/rolecall/request-eli']).toBe(sha);
    expect(await remote.show('rolecall/request-eli', FILE)).toBe(EDITED);
    expect(
      await pushBranch(repo.dir, { remote: 'origin', branch: 'rolecall/request-eli' }),
    ).toMatchObject({
      status: 'up-to-date',
    });
  });

  it('refuses an existing branch and changes nothing', async () => {
    const sha = await branchSha(repo.dir, 'rolecall/request-eli');
    const error = await rejection(
      commitOnNewBranch(repo.dir, {
        branch: 'rolecall/request-eli',
        files: [{ path: FILE, content: `${EDITED}# again\n` }],
        message: 'again',
      }),
    );
    expect(error.code).toBe('GIT_BRANCH_EXISTS');
    expect(await branchSha(repo.dir, 'rolecall/request-eli')).toBe(sha);
  });

  it('replaces its own branch when asked, and force-pushes it', async () => {
    const old = await branchSha(repo.dir, 'rolecall/request-eli');
    const replaced = await commitOnBranch(repo.dir, {
      branch: 'rolecall/request-eli',
      base: 'main',
      files: [{ path: FILE, content: `${EDITED}# updated\n` }],
      message: 'Grant eli accountant (updated)',
      replace: true,
    });
    expect(replaced.replaced).toBe(true);
    expect(replaced.sha).not.toBe(old);
    expect(await repo.git.raw(['log', '-1', '--format=%P', replaced.sha])).toBe(`${base}\n`);
    // Without force the remote refuses the rewrite (it is not a fast-forward)…
    const refused = await rejection(
      pushBranch(repo.dir, { remote: 'origin', branch: 'rolecall/request-eli' }),
    );
    expect(refused.code).toBe('GIT_PUSH_REFUSED');
    expect(refused.message).toMatch(
      /^push refused: rolecall\/request-eli on origin: .*(non-fast-forward|fetch first)/,
    );
    // …with force it is replaced.
    const forced = await pushBranch(repo.dir, {
      remote: 'origin',
      branch: 'rolecall/request-eli',
      force: true,
    });
    expect(forced.status).toBe('forced');
    expect((await remote.refs())['refs/heads/rolecall/request-eli']).toBe(replaced.sha);
  });

  it('deletes and adds files, from a subdirectory, with paths relative to it', async () => {
    const result = await commitOnNewBranch(join(repo.dir, 'policies'), {
      branch: 'rolecall/cleanup',
      base: 'main',
      files: [
        { path: 'other.yaml', content: null },
        { path: 'group/new.yaml', content: 'business: 2\n' },
      ],
      message: 'Reshape',
      author: REQUESTER,
    });
    expect(result.paths).toEqual(['policies/other.yaml', 'policies/group/new.yaml']);
    expect(await repo.git.raw(['ls-tree', '-r', '--name-only', result.sha])).toBe(
      `notes.md\n${FILE}\npolicies/group/new.yaml\n`,
    );
    expect(await deleteBranch(repo.dir, 'rolecall/cleanup')).toBe(true);
    expect(await branchSha(repo.dir, 'rolecall/cleanup')).toBeNull();
    expect(await deleteBranch(repo.dir, 'rolecall/cleanup')).toBe(false);
  });

  it.each([
    ['an invalid branch name', { branch: 'bad..name' }, 'GIT_INVALID_BRANCH'],
    ['an option-like branch name', { branch: '--force' }, 'GIT_INVALID_BRANCH'],
    ['a branch name git would rewrite', { branch: 'a//b' }, 'GIT_INVALID_BRANCH'],
    [
      'a path outside the repository',
      { files: [{ path: '../escape.yaml', content: 'x' }] },
      'GIT_INVALID_PATH',
    ],
    ['a path into .git', { files: [{ path: '.git/config', content: 'x' }] }, 'GIT_INVALID_PATH'],
    [
      'deleting a file the base lacks',
      { files: [{ path: 'policies/none.yaml', content: null }] },
      'GIT_INVALID_PATH',
    ],
    ['content equal to the base', { files: [{ path: FILE, content: ORIGINAL }] }, 'GIT_NO_CHANGES'],
    ['an unknown base', { base: 'origin/nope' }, 'GIT_UNKNOWN_REVISION'],
  ])('refuses %s, creating nothing', async (_label, override, code) => {
    const refsBefore = await repo.git.raw(['for-each-ref', '--format=%(refname) %(objectname)']);
    const error = await rejection(
      commitOnNewBranch(repo.dir, {
        branch: 'rolecall/never',
        base: 'main',
        files: [{ path: FILE, content: EDITED }],
        message: 'never',
        ...override,
      }),
    );
    expect(error.code).toBe(code);
    expect(await repo.git.raw(['for-each-ref', '--format=%(refname) %(objectname)'])).toBe(
      refsBefore,
    );
  });

  it('fails cleanly when committing fails midway (signing required but broken)', async () => {
    const config = join(repo.dir, '.git', 'config');
    const saved = await readFile(config, 'utf8');
    await appendFile(config, '[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = /bin/false\n');
    try {
      const error = await rejection(
        commitOnNewBranch(repo.dir, {
          branch: 'rolecall/signed',
          base: 'main',
          files: [{ path: FILE, content: EDITED }],
          message: 'signed',
          author: REQUESTER,
        }),
      );
      expect(error.code).toBe('GIT_COMMIT_FAILED');
      expect(await branchSha(repo.dir, 'rolecall/signed')).toBeNull();
    } finally {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(config, saved);
    }
  });

  it('reports a push the remote refuses, with its reason', async () => {
    await commitOnNewBranch(repo.dir, {
      branch: 'rolecall/protected',
      base: 'main',
      files: [{ path: FILE, content: EDITED }],
      message: 'protected',
    });
    await installRemoteHook(
      remote,
      'pre-receive',
      '#!/bin/sh\necho "GH006: Protected branch update failed for refs/heads/rolecall/protected." >&2\nexit 1\n',
    );
    try {
      const error = await rejection(
        pushBranch(repo.dir, { remote: 'origin', branch: 'rolecall/protected' }),
      );
      expect(error.code).toBe('GIT_PUSH_REFUSED');
      expect(error.message).toContain(
        'push refused: rolecall/protected on origin: [remote rejected]',
      );
      expect(error.message).toContain('GH006: Protected branch update failed');
      expect((await remote.refs())['refs/heads/rolecall/protected']).toBeUndefined();
    } finally {
      await rm(join(remote.dir, 'hooks', 'pre-receive'));
    }
  });

  it('never shows the credentials of a remote URL', async () => {
    const token = 'ghp_s3cr3tT0kenValue1234567890';
    const error = await rejection(
      pushBranch(repo.dir, {
        remote: `https://x-access-token:${token}@127.0.0.1:9/acme/p.git`,
        branch: 'rolecall/protected',
      }),
    );
    expect(error.code).toBe('GIT_PUSH_FAILED');
    expect(error.message).not.toContain(token);
    expect(error.message).toContain('https://***@127.0.0.1:9/acme/p.git');
    expect(JSON.stringify(error)).not.toContain(token);
    expect(String(error.cause ?? '')).not.toContain(token);
  });

  it('refuses to push a branch that does not exist', async () => {
    expect((await rejection(pushBranch(repo.dir, { remote: 'origin', branch: 'nope' }))).code).toBe(
      'GIT_UNKNOWN_BRANCH',
    );
  });
});

describe('committing on a machine without a git identity', () => {
  const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
  let home: string;
  let repo: TempRepo;

  beforeAll(async () => {
    repo = await createTempRepo();
    await repo.commit({ files: { [FILE]: ORIGINAL }, message: 'Initial' });
    home = await mkdtemp(join(tmpdir(), 'rolecall-home-'));
    process.env.HOME = home;
    process.env.XDG_CONFIG_HOME = home;
    await repo.git.raw(['config', '--unset', 'user.name']);
    await repo.git.raw(['config', '--unset', 'user.email']);
    await repo.git.raw(['config', 'user.useConfigOnly', 'true']);
  });
  afterAll(async () => {
    process.env.HOME = saved.HOME;
    if (saved.XDG_CONFIG_HOME === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = saved.XDG_CONFIG_HOME;
    await rm(home, { recursive: true, force: true });
    await repo.cleanup();
  });

  it('says how to fix it when no author is given', async () => {
    const error = await rejection(
      commitOnNewBranch(repo.dir, {
        branch: 'x',
        files: [{ path: FILE, content: EDITED }],
        message: 'x',
      }),
    );
    expect(error.code).toBe('GIT_NO_IDENTITY');
    expect(error.message).toContain('user.email');
    expect(await branchSha(repo.dir, 'x')).toBeNull();
  });

  it('uses the author as committer too (CI runners)', async () => {
    const result = await commitOnNewBranch(repo.dir, {
      branch: 'x',
      files: [{ path: FILE, content: EDITED }],
      message: 'x',
      author: REQUESTER,
    });
    expect(await repo.git.raw(['log', '-1', '--format=%an|%ae|%cn|%ce', result.sha])).toBe(
      'Rolecall Bot|rolecall@acme.example|Rolecall Bot|rolecall@acme.example\n',
    );
  });
});
