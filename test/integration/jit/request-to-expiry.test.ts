/**
 * The issue's "Done when", end to end with real parts: `rolecall request … --for 8h` opens a
 * pull request (temporary git repository, bare remote, fake GitHub); merging it and applying
 * the plan grants the role in the emulator; once the clock passes the expiry, `rolecall
 * expire --github` revokes it and a single clean-up pull request removes the entry; a second
 * run changes nothing and opens no second pull request.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditPath, readAuditFile } from '../../../src/apply/audit-log.js';
import { loadPolicies, policyCommitsOf } from '../../../src/flows/context.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { connectFreshBooks } from '../../../src/freshbooks/connect.js';
import { toolVersion } from '../../../src/paths.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { serializePlan } from '../../../src/plan/plan-file.js';
import { syncLiveState } from '../../../src/sync/sync-live-state.js';
import { bufferIo } from '../../support/buffer-io.js';
import { TOKENS } from '../../support/fake-github/client.js';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import {
  ACME,
  ACME_POLICY,
  createWorld,
  fakeRepo,
  freshbooksEnv,
  githubEnv,
  POLICY_FILE,
  rolecall,
  type World,
} from './jit-harness.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const TEMP = 'temp@contractors.example';
const CLEANUP_BRANCH = 'rolecall/cleanup/expired';

let emulator: RunningEmulator;
let gh: FakeGitHub;
let onGitHub: FakeRepo;
let world: World;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  onGitHub = fakeRepo(gh);
  world = await createWorld({ [POLICY_FILE]: ACME_POLICY }, '2026-01-05T10:00:00Z');
});
afterAll(async () => {
  await world.cleanup();
  await emulator.close();
  await gh.close();
});

const temp = () => emulator.control.member(ACME, TEMP);
const freshbooksWrites = () =>
  emulator.control.requests().log.filter((e) => e.applied !== undefined);
const cleanupPulls = () =>
  [...onGitHub.issues.values()].filter((i) => i.pull && i.labels.includes('rolecall-cleanup'));

const summaryFile = () => join(world.repo.dir, '.rolecall', 'step-summary.md');

function expire(now: string) {
  return rolecall(['expire', '--github', '--rate', '1000'], {
    cwd: world.repo.dir,
    env: {
      ...freshbooksEnv(emulator),
      ...githubEnv(gh, TOKENS.actions),
      GITHUB_ACTIONS: 'true',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: '4242',
      GITHUB_STEP_SUMMARY: summaryFile(),
      ROLECALL_NOW: now,
    },
  });
}

/** What the apply workflow does after a merge: plan from main, apply with --yes. */
async function planAndApply(now: string): Promise<void> {
  const io = bufferIo({ cwd: world.repo.dir, env: { ROLECALL_NOW: now } });
  // maxDuration measured from the commits (git blame), as `plan` does.
  const desired = await loadPolicies(io, {
    dir: 'policies',
    now: new Date(now),
    grantTimesFromGit: true,
  });
  const connection = await connectFreshBooks({
    env: freshbooksEnv(emulator),
    cwd: world.repo.dir,
    rate: 1000,
  });
  let live;
  try {
    live = await syncLiveState(connection, [ACME], { now: new Date(now) });
  } finally {
    await connection.close();
  }
  const plan = buildPlan({
    desired,
    live,
    now: new Date(now),
    toolVersion: toolVersion(),
    policyCommits: await policyCommitsOf(io, desired),
  });
  expect(plan.businesses[0]?.changes.map((c) => `${c.action} ${c.email} ${c.to?.role}`)).toEqual([
    `grant ${TEMP} contractor`,
  ]);
  const file = join(world.repo.dir, '.rolecall', 'plan.json');
  await writeFile(file, serializePlan(plan));
  const applied = await rolecall(['apply', file, '--yes'], {
    cwd: world.repo.dir,
    env: { ...freshbooksEnv(emulator), ROLECALL_NOW: now },
  });
  expect(applied.code, applied.err).toBe(0);
}

it('request → pull request → merge → granted → expired → revoked → one clean-up pull request', async () => {
  // 1. The request, at T0, for 8 hours: a pull request from a new branch.
  const requested = await rolecall(
    [
      'request',
      '--business',
      String(ACME),
      '--email',
      TEMP,
      '--role',
      'contractor',
      '--for',
      '8h',
      '--reason',
      'Quarter close',
      '--ticket',
      'FIN-99',
    ],
    { cwd: world.repo.dir, env: { ...githubEnv(gh, TOKENS.pat), ROLECALL_NOW: at(0) } },
  );
  expect(requested.code, requested.err).toBe(0);
  const [requestPr] = [...onGitHub.issues.values()];
  expect(requestPr?.body).toContain('| **Until** | 2026-03-02 17:00 UTC (requested as `--for 8h`');
  const branch = requestPr?.pull?.headRef as string;
  expect(await world.remote.show(branch, POLICY_FILE)).toContain(
    `  - email: ${TEMP}\n    role: contractor\n    expires: 2026-03-02T17:00:00Z\n    reason: Quarter close\n    ticket: FIN-99\n`,
  );

  // From here on the repository is a CI checkout: no git identity of its own.
  await world.repo.git.raw(['config', '--unset', 'user.name']);
  await world.repo.git.raw(['config', '--unset', 'user.email']);

  // 2. Approved and merged (a merge commit on main, pushed), 30 minutes later.
  await world.repo.git.raw(['fetch', '--quiet', 'origin', branch]);
  const merge = await world.repo.merge('FETCH_HEAD', {
    message: `Merge pull request #${requestPr?.number} from acme/${branch}`,
    date: at(30),
  });
  await world.repo.git.raw(['push', '--quiet', 'origin', 'main']);
  onGitHub.merge(requestPr?.number as number, merge);

  // 3. The merge is applied: the role is granted (an invitation, which temp accepts).
  expect(temp()).toBeNull();
  await planAndApply(at(60));
  expect(temp()).toMatchObject({ business_role_name: 'contractor' });
  emulator.control.acceptInvitation(ACME, temp()?.uuid as string);
  expect(temp()?.active).toBe(true);

  // 4. One minute before the expiry, expire has nothing to do.
  const writesBefore = freshbooksWrites().length;
  const early = await expire(at(8 * 60 - 1));
  expect(early.code, early.err).toBe(0);
  expect(early.out).toContain('Nothing has expired as of 2026-03-02 16:59 UTC');
  expect(freshbooksWrites()).toHaveLength(writesBefore);
  expect(cleanupPulls()).toEqual([]);

  // 5. Past the expiry: revoked without a pull-request approval (autoApproveExpiry), audited.
  const late = await expire(at(9 * 60));
  expect(late.code, late.err).toBe(0);
  expect(temp()?.active).toBe(false);
  const audit = await readAuditFile(auditPath(join(world.repo.dir, '.rolecall'), at(9 * 60)));
  expect(audit.filter((r) => r.type === 'operation' && r.email === TEMP)).toEqual([
    expect.objectContaining({
      action: 'revoke',
      outcome: 'applied',
      approval: 'autoApproveExpiry: the plan only removes expired access',
    }),
  ]);
  //    …and a single clean-up pull request removes the entry.
  expect(cleanupPulls()).toHaveLength(1);
  const cleanup = cleanupPulls()[0];
  expect(cleanup?.state).toBe('open');
  expect(cleanup?.pull?.headRef).toBe(CLEANUP_BRANCH);
  expect(cleanup?.body).toContain(`\`${TEMP}\``);
  const cleaned = await world.remote.show(CLEANUP_BRANCH, POLICY_FILE);
  expect(cleaned).toBe(ACME_POLICY);
  const cleanupSha = (await world.remote.refs())[`refs/heads/${CLEANUP_BRANCH}`];
  expect(
    (await world.remote.git.raw(['log', '-1', '--format=%an <%ae>%n%P', CLEANUP_BRANCH])).trim(),
  ).toBe(
    `github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\n${(await world.remote.refs())['refs/heads/main']}`,
  );
  //    The job summary says what happened.
  const summary = await readFile(summaryFile(), 'utf8');
  expect(summary).toContain(
    '### rolecall expire (2026-03-02 18:00 UTC)\n\nRevoked 1 expired grant(s) (autoApproveExpiry: the plan only removes expired access).\n',
  );
  expect(summary).toContain(`Clean-up pull request [#${cleanup?.number}](`);

  // 6. A second run changes nothing: no FreshBooks write, no GitHub write, no second PR.
  const writesAfter = freshbooksWrites().length;
  gh.clearRequests();
  const again = await expire(at(10 * 60));
  expect(again.code, again.err).toBe(0);
  expect(freshbooksWrites()).toHaveLength(writesAfter);
  expect(gh.writes()).toEqual([]);
  expect(cleanupPulls()).toHaveLength(1);
  expect((await world.remote.refs())[`refs/heads/${CLEANUP_BRANCH}`]).toBe(cleanupSha);

  // 7. The clean-up is merged: the policy is back to what it was, and expire is quiet.
  await world.repo.git.raw(['fetch', '--quiet', 'origin', CLEANUP_BRANCH]);
  const cleanupMerge = await world.repo.merge('FETCH_HEAD', {
    message: `Merge pull request #${cleanup?.number} from acme/${CLEANUP_BRANCH}`,
    date: at(11 * 60),
  });
  await world.repo.git.raw(['push', '--quiet', 'origin', 'main']);
  onGitHub.merge(cleanup?.number as number, cleanupMerge);
  expect(await world.repo.read(POLICY_FILE)).toBe(ACME_POLICY);
  gh.clearRequests();
  const quiet = await expire(at(12 * 60));
  expect(quiet.code, quiet.err).toBe(0);
  expect(quiet.out).toContain('Nothing has expired');
  expect(gh.writes()).toEqual([]);
  expect(cleanupPulls().filter((p) => p.state === 'open')).toEqual([]);
});
