import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import {
  ACME_POLICY,
  createWorld,
  fakeRepo,
  gitState,
  githubEnv,
  POLICY_FILE,
  rolecall,
  type World,
} from './jit-harness.js';

const NOW = '2026-03-02T09:00:00Z';
const BRANCH = 'rolecall/request/temp-contractors-example-contractor-20260302T090000Z';
const REQUEST = [
  'request',
  '--business',
  '240340',
  '--email',
  'temp@contractors.example',
  '--role',
  'contractor',
  '--for',
  '8h',
  '--reason',
  'Quarter close',
  '--ticket',
  'FIN-99',
];
const NEW_ENTRY =
  '\n  - email: temp@contractors.example\n    role: contractor\n    expires: 2026-03-02T17:00:00Z\n    reason: Quarter close\n    ticket: FIN-99\n';

let gh: FakeGitHub;
let repoOnGitHub: FakeRepo;
let world: World;

beforeAll(async () => {
  gh = await startFakeGitHub();
  repoOnGitHub = fakeRepo(gh);
});
afterAll(() => gh.close());
beforeEach(async () => {
  world = await createWorld({ [POLICY_FILE]: ACME_POLICY });
  gh.clearRequests();
});
afterEach(() => world.cleanup());

const env = () => ({ ...githubEnv(gh), ROLECALL_NOW: NOW });
const run = (args: string[], extra: Record<string, string> = {}) =>
  rolecall(args, { cwd: world.repo.dir, env: { ...env(), ...extra } });

describe('rolecall request --dry-run', () => {
  it('prints the exact YAML diff and changes nothing (no file, no branch, no push, no API call)', async () => {
    const before = await gitState(world.repo);
    const remoteBefore = await world.remote.refs();
    const sha = (await world.repo.head()).slice(0, 7);

    const result = await run([...REQUEST, '--dry-run']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        `--- a/${POLICY_FILE}\torigin/main ${sha}`,
        `+++ b/${POLICY_FILE}`,
        '@@ -22,3 +22,9 @@',
        '   - email: ben@acme.example',
        '     role: admin',
        '     reason: Controller',
        '+',
        '+  - email: temp@contractors.example',
        '+    role: contractor',
        '+    expires: 2026-03-02T17:00:00Z',
        '+    reason: Quarter close',
        '+    ticket: FIN-99',
        '',
        'Dry run: Grant contractor to temp@contractors.example in Acme Books Inc. (240340) until 2026-03-02 17:00 UTC. Nothing was written, committed or pushed; run without --dry-run to open the pull request.',
        '',
      ].join('\n'),
    );
    expect(await world.repo.read(POLICY_FILE)).toBe(ACME_POLICY);
    expect(await gitState(world.repo)).toBe(before);
    expect(await world.remote.refs()).toEqual(remoteBefore);
    expect(gh.requests).toEqual([]);
  });
});

describe('rolecall request refusals', () => {
  it.each([
    [['--role', 'superuser'], /policies\/acme-books\.yaml:\d+:\d+: error UNKNOWN_ROLE /],
    [
      ['--for', '181d'],
      /error EXPIRY_TOO_LONG .*181d from now .*rules\.maxDuration allows "contractor" at most 180d/,
    ],
    [['--email', 'eve@elsewhere.example'], /error DOMAIN_NOT_ALLOWED /],
    [['--email', 'alice@acme.example'], /already has standing access as admin/],
  ])('%j: refused before git is touched', async (override, message) => {
    const before = await gitState(world.repo);
    const remoteBefore = await world.remote.refs();
    const args = [...REQUEST];
    for (let i = 0; i < override.length; i += 2) {
      const at = args.indexOf(override[i] as string);
      args[at + 1] = override[i + 1] as string;
    }
    const result = await run(args);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(message);
    expect(result.err).toMatch(/Nothing was changed|standing access/);
    expect(result.out).toBe('');
    expect(await gitState(world.repo)).toBe(before);
    expect(await world.remote.refs()).toEqual(remoteBefore);
    expect(gh.requests).toEqual([]);
  });

  it('refuses without a GitHub token before committing anything', async () => {
    const before = await gitState(world.repo);
    const result = await run(REQUEST, { GITHUB_TOKEN: '' });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/GITHUB_TOKEN is not set/);
    expect(await gitState(world.repo)).toBe(before);
  });
});

describe('rolecall request', () => {
  it('commits on a new branch without touching the checkout, pushes it, and opens the pull request', async () => {
    // The user is mid-work: an uncommitted edit of the policy must not ride along.
    await writeFile(join(world.repo.dir, POLICY_FILE), `${ACME_POLICY}# my local note\n`);
    const status = await world.repo.status();
    const head = await world.repo.head();

    const result = await run(REQUEST);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(
      new RegExp(
        `Branch ${BRANCH.replace(/[/.]/g, '\\$&')} \\([0-9a-f]{12} on origin/main\\) pushed to origin\\.`,
      ),
    );
    expect(result.out).toContain('Pull request #1: ');

    // The checkout: same branch, same HEAD, same uncommitted edit.
    expect(await world.repo.currentBranch()).toBe('main');
    expect(await world.repo.head()).toBe(head);
    expect(await world.repo.status()).toBe(status);

    // The remote has the branch, one commit on main, with exactly the edit.
    const refs = await world.remote.refs();
    expect(refs[`refs/heads/${BRANCH}`]).toBeDefined();
    expect(await world.remote.show(BRANCH, POLICY_FILE)).toBe(`${ACME_POLICY}${NEW_ENTRY}`);
    const log = await world.remote.git.raw(['log', '--format=%P|%aI|%an|%s', '-1', BRANCH]);
    expect(log.trim()).toBe(
      `${head}|2026-03-02T09:00:00+00:00|Test Author|rolecall: grant contractor to temp@contractors.example until 2026-03-02 17:00 UTC`,
    );

    // The pull request, through the API: from the branch into main, saying who/what/until/why.
    const created = gh.calls('POST', '/repos/acme/access/pulls');
    expect(created).toHaveLength(1);
    expect(created[0]?.body).toMatchObject({ head: BRANCH, base: 'main' });
    const pr = repoOnGitHub.issue(1);
    expect(pr.pull?.headRef).toBe(BRANCH);
    expect(pr.title).toBe(
      'Grant contractor to temp@contractors.example in Acme Books Inc. (240340) until 2026-03-02 17:00 UTC',
    );
    expect(pr.body).toContain('| **Who** | `temp@contractors.example` |');
    expect(pr.body).toContain('| **Role** | `contractor` |');
    expect(pr.body).toContain('| **Until** | 2026-03-02 17:00 UTC (requested as `--for 8h`');
    expect(pr.body).toContain('| **Why** | Quarter close |');
    expect(pr.body).toContain('| **Ticket** | FIN-99 |');
    expect(pr.body).toContain('revoked automatically');
  });
});
