/**
 * `rolecall plan --changed-since REF` in a real temporary git repository with two business
 * files: only the business whose file changed is read and planned; a deleted file is reported
 * and never turned into revokes.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { createTempRepo, type TempRepo } from '../../support/temp-repo.js';
import {
  ACME,
  HOLDINGS,
  brief,
  emulatorEnv,
  exampleYaml,
  readPlan,
  rolecall,
  teamRequests,
} from './plan-harness.js';

const HOLDINGS_YAML = `business: 240341
name: Acme Holdings LLC
mode: authoritative
rules:
  protected: [olivia@acme.example]
members:
  - email: alice@acme.example
    role: admin
  - email: tom@acme.example
    role: employee
`;
// Commits close to the planning instant: maxDuration (180d for bob) is measured from git blame.
const DATE = '2026-11-20T09:00:00Z';

let emulator: RunningEmulator;
let repo: TempRepo;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  emulator.control.resetRequests();
  env = emulatorEnv(emulator);
  repo = await createTempRepo({ prefix: 'rolecall-changed-' });
  await repo.commit({
    files: {
      'policies/acme-books.yaml': await exampleYaml(),
      'policies/acme-holdings.yaml': HOLDINGS_YAML,
      'README.md': 'access policies\n',
    },
    message: 'Both businesses',
    date: DATE,
  });
});
afterEach(() => repo.cleanup());

const plan = (...args: string[]) =>
  rolecall({ cwd: repo.dir, env }, ['plan', '--format', 'json', ...args]);

describe('rolecall plan --changed-since', () => {
  it('plans only the business whose policy file changed on the branch, and reads only that one', async () => {
    await repo.branch('promote-tom');
    await repo.commit({
      files: {
        'policies/acme-holdings.yaml': HOLDINGS_YAML.replace(
          'tom@acme.example\n    role: employee',
          'tom@acme.example\n    role: manager',
        ),
        'README.md': 'access policies, edited\n',
      },
      message: 'Promote Tom',
      date: DATE,
    });
    const result = await plan('--changed-since', 'main', '--detailed-exitcode');
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      'Planning the business whose policy files changed since main: 240341.',
    );
    const parsed = readPlan(result.out);
    expect(parsed.businesses.map((b) => b.businessId)).toEqual([HOLDINGS]);
    expect(parsed.businesses[0]?.changes.map(brief)).toEqual([
      'change tom@acme.example employee/active → manager',
    ]);
    expect(parsed.businesses[0]?.policyCommit).toEqual({ sha: await repo.head(), dirty: false });
    const reads = teamRequests(emulator);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.includes(`/${HOLDINGS}/`))).toBe(true);
    expect(reads.some((r) => r.includes(`/${ACME}/`))).toBe(false);
  });

  it('ignores commits that landed on the base after the branch was cut (merge-base diff)', async () => {
    await repo.branch('promote-tom');
    await repo.commit({
      files: {
        'policies/acme-holdings.yaml': HOLDINGS_YAML.replace('role: employee', 'role: manager'),
      },
      message: 'Promote Tom',
      date: DATE,
    });
    await repo.checkout('main');
    await repo.commit({
      files: { 'policies/acme-books.yaml': `${await exampleYaml()}\n# a later edit on main\n` },
      message: 'Unrelated edit on main',
      date: DATE,
    });
    await repo.checkout('promote-tom');
    const parsed = readPlan((await plan('--changed-since', 'main')).out);
    expect(parsed.businesses.map((b) => b.businessId)).toEqual([HOLDINGS]);
  });

  it('reports a deleted policy file and never revokes its members; nothing else is planned', async () => {
    await repo.branch('drop-holdings');
    await repo.commit({
      files: { 'policies/acme-holdings.yaml': null },
      message: 'Stop managing Holdings',
      date: DATE,
    });
    const result = await plan('--changed-since', 'main', '--detailed-exitcode');
    expect(result.code).toBe(0);
    expect(result.err).toContain('No policy file of a business changed since main.');
    expect(result.err).toContain(
      'warning: policies/acme-holdings.yaml was deleted: business 240341 (Acme Holdings LLC) is no longer managed by rolecall. Nothing is revoked; its members keep their access.',
    );
    expect(readPlan(result.out).businesses).toEqual([]);
    expect(result.err).toContain('Nothing to plan.');
    expect(emulator.control.requests().total).toBe(0);
  });

  it('a moved policy file is planned from its new place, not reported as unmanaged', async () => {
    await repo.branch('move');
    await repo.git.raw(['mv', 'policies/acme-holdings.yaml', 'policies/holdings.yaml']);
    await repo.commit({ message: 'Rename the Holdings policy', date: DATE });
    const result = await plan('--changed-since', 'main');
    expect(result.err).toContain(
      'warning: policies/acme-holdings.yaml was removed; business 240341 (Acme Holdings LLC) is still named by another policy file',
    );
    expect(result.err).not.toContain('no longer managed');
    const parsed = readPlan(result.out);
    expect(parsed.businesses.map((b) => `${b.businessId} ${b.policyFile}`)).toEqual([
      `${HOLDINGS} policies/holdings.yaml`,
    ]);
    expect(parsed.businesses[0]?.changes).toEqual([]);
  });

  it('an unknown REF is a clear error before any request', async () => {
    const result = await plan('--changed-since', 'no-such-branch');
    expect(result.code).toBe(1);
    expect(result.err).toContain('unknown revision "no-such-branch"');
    expect(emulator.control.requests().total).toBe(0);
  });
});
