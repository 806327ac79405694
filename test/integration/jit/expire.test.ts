/**
 * `rolecall expire` against the emulator with the example policy and the default seed (which
 * has other drift: zoe and sam are not in the authoritative policy, grace and maya have the
 * wrong role, eli is missing). Expire must touch bob — whose grant ends with 2027-03-31 — and
 * nobody else.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditPath, readAuditFile } from '../../../src/apply/audit-log.js';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import {
  ACME,
  createWorld,
  fakeRepo,
  freshbooksEnv,
  gitState,
  githubEnv,
  POLICY_FILE,
  rolecall,
  type World,
} from './jit-harness.js';

let emulator: RunningEmulator;
let gh: FakeGitHub;
let onGitHub: FakeRepo;
let example: string;
let world: World;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  onGitHub = fakeRepo(gh);
  example = await readFile(packagePath('policies', 'acme-books.yaml'), 'utf8');
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
});
beforeEach(() => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.resetRequests();
  gh.clearRequests();
});
afterEach(() => world.cleanup());

const AUTO = (text: string) =>
  text.replace('  requireReason: true\n', '  requireReason: true\n  autoApproveExpiry: true\n');

function expire(now: string, args: string[] = [], extra: Record<string, string> = {}) {
  return rolecall(['expire', '--rate', '1000', ...args], {
    cwd: world.repo.dir,
    env: { ...freshbooksEnv(emulator), ROLECALL_NOW: now, ...extra },
  });
}

const bob = () => emulator.control.member(ACME, 'bob@contractors.example');
const writes = () =>
  emulator.control
    .requests()
    .log.filter((entry) => entry.method !== 'GET' && !entry.path.includes('/auth/oauth'));

describe('rolecall expire: a grant before, at and after its expiry', () => {
  it('revokes bob only from the first instant after 2027-03-31, and nobody else ever', async () => {
    world = await createWorld({ [POLICY_FILE]: example });
    for (const now of ['2027-03-30T12:00:00Z', '2027-03-31T12:00:00Z', '2027-03-31T23:59:59Z']) {
      const result = await expire(now, ['--yes']);
      expect(result.code, result.err).toBe(0);
      expect(result.out).toMatch(/^Nothing has expired as of .*: no grant to revoke\.\n$/);
      expect(bob()?.active).toBe(true);
    }
    expect(writes()).toEqual([]);

    const before = await gitState(world.repo);
    const result = await expire('2027-04-01T00:00:00Z', ['--yes']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(
      'Expired as of 2027-04-01 00:00 UTC:\n  bob@contractors.example (contractor) in Acme Books Inc., expired 2027-03-31\n',
    );
    expect(bob()?.active).toBe(false);
    expect(writes().map((w) => w.route)).toEqual([
      'DELETE /auth/api/v1/businesses/:id/team_members/:uuid',
    ]);
    // The rest of the drift is untouched.
    expect(emulator.control.member(ACME, 'zoe@acme.example')?.active).toBe(true);
    expect(emulator.control.member(ACME, 'sam@oldfirm.example')).not.toBeNull();
    expect(emulator.control.member(ACME, 'grace@acme.example')?.business_role_name).toBe(
      'business_manager',
    );
    // Locally the clean-up is printed, not committed or pushed.
    expect(result.out).toContain(
      'Clean-up: these expired entries hold no access any more and can be removed from the policies:\n  bob@contractors.example (contractor, Acme Books Inc. 240340, expired 2027-03-31)\n',
    );
    expect(result.out).toContain(
      '   # Contractors: time-bound (a date means through the end of that day, UTC)\n-  - email: bob@contractors.example\n-    role: contractor\n-    expires: 2027-03-31\n-    reason: Year-end audit\n-    ticket: FIN-42\n',
    );
    const after = await gitState(world.repo);
    expect(after.split('\n').filter((l) => !l.includes('.rolecall/'))).toEqual(
      before.split('\n').filter((l) => !l.includes('.rolecall/')),
    );

    // Again: bob holds no access; nothing is written.
    const again = await expire('2027-04-01T01:00:00Z', ['--yes']);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('None of them holds access in FreshBooks: nothing to revoke.');
    expect(writes()).toHaveLength(1);
  });
});

describe('rolecall expire --business', () => {
  it('revokes in the named business only and leaves the clean-up alone', async () => {
    world = await createWorld({ [POLICY_FILE]: example });
    const result = await expire('2027-04-02T00:00:00Z', ['--business', '240340', '--yes']);
    expect(result.code, result.err).toBe(0);
    expect(bob()?.active).toBe(false);
    expect(result.out).toContain('Clean-up: skipped with --business');
    const unknown = await expire('2027-04-02T00:00:00Z', ['--business', '999', '--yes']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/business 999 is not named by any policy/);
  });
});

describe('rolecall expire: approval', () => {
  it('without autoApproveExpiry and without a terminal, refuses and records it; bob keeps access', async () => {
    world = await createWorld({ [POLICY_FILE]: example });
    const result = await expire('2027-04-02T00:00:00Z');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/not approved: stdin is not a terminal/);
    expect(bob()?.active).toBe(true);
    expect(writes()).toEqual([]);
    // Not removed from the YAML either: the entry stays until the access is gone.
    expect(result.out).toContain(
      'Kept in the policies (expired, but FreshBooks still shows access',
    );
  });

  it('under --github without autoApproveExpiry: refused with the reason, no clean-up pull request', async () => {
    world = await createWorld({ [POLICY_FILE]: example });
    const result = await expire('2027-04-02T00:00:00Z', ['--github', '--yes'], {
      ...githubEnv(gh, TOKENS.actions),
      GITHUB_REF: 'refs/heads/main',
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain('rules.autoApproveExpiry is not set in its policy');
    expect(bob()?.active).toBe(true);
    expect(gh.calls('POST', '/repos/acme/access/pulls')).toEqual([]);
    const audit = await readAuditFile(
      auditPath(join(world.repo.dir, '.rolecall'), '2027-04-02T00:00:00Z'),
    );
    expect(audit.at(-1)).toMatchObject({ type: 'summary', result: 'refused' });
  });

  it('with autoApproveExpiry: applies without approval, and the audit log says why', async () => {
    world = await createWorld({ [POLICY_FILE]: AUTO(example) });
    const result = await expire('2027-04-02T00:00:00Z', ['--github'], {
      ...githubEnv(gh, TOKENS.actions),
      GITHUB_REF: 'refs/heads/main',
    });
    expect(result.code, result.err).toBe(0);
    expect(bob()?.active).toBe(false);
    const audit = await readAuditFile(
      auditPath(join(world.repo.dir, '.rolecall'), '2027-04-02T00:00:00Z'),
    );
    const operation = audit.find((r) => r.type === 'operation');
    expect(operation).toMatchObject({
      email: 'bob@contractors.example',
      action: 'revoke',
      outcome: 'applied',
      approval: 'autoApproveExpiry: the plan only removes expired access',
    });
    expect(audit.at(-1)).toMatchObject({
      type: 'summary',
      result: 'applied',
      approval: 'autoApproveExpiry: the plan only removes expired access',
    });
    // …and one clean-up pull request removes bob from the YAML.
    expect(gh.calls('POST', '/repos/acme/access/pulls')).toHaveLength(1);
    const pr = [...onGitHub.issues.values()].at(-1);
    expect(pr?.labels).toEqual(['rolecall-cleanup']);
    expect(pr?.pull?.headRef).toBe('rolecall/cleanup/expired');
    const cleaned = await world.remote.show('rolecall/cleanup/expired', POLICY_FILE);
    expect(cleaned).not.toContain('bob@contractors.example');
    expect(cleaned).toBe(
      AUTO(example)
        .replace(/\n {2}- email: bob@contractors\.example\n(?: {4}.*\n)+/, '\n')
        .replace(/\n\n$/, '\n'),
    );
  });
});
