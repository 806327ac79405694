/**
 * `rolecall review` end to end: a real git history (several authors, a squash merge "(#12)", a
 * merge commit, a role changed later, a reason reworded), the real emulator with its default
 * seed, the CLI in-process. The pack must name, per policy entry, the commit that set its
 * current email and role — not the first commit, not the last edit of the entry.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { createTempRepo, type Person, type TempRepo } from '../../support/temp-repo.js';
import { emulatorEnv, flagsOf, NOW, parseCsv, rolecall, rowOf } from './review-harness.js';

const OLIVIA: Person = { name: 'Olivia Park', email: 'olivia@acme.example' };
const DANA: Person = { name: 'Dana Reyes', email: 'dana@acme.example' };
const BEN: Person = { name: 'Ben Ode', email: 'ben@acme.example' };
const CAROL: Person = { name: 'Carol Stone', email: 'carol@acme.example' };
const GITHUB: Person = { name: 'GitHub', email: 'noreply@github.com' };
const FILE = 'policies/acme-books.yaml';

interface Entry {
  email: string;
  role: string;
  reason: string;
}

function policy(entries: Entry[]): string {
  const lines = [
    '# Who has access to Acme Books, and why.',
    'business: 240340 # account Xk9Pq2',
    'name: Acme Books Inc.',
    'mode: authoritative',
    'rules:',
    '  protected: [olivia@acme.example]',
    'members:',
  ];
  for (const e of entries) {
    lines.push(`  - email: ${e.email}`, `    role: ${e.role}`, `    reason: ${e.reason}`, '');
  }
  return `${lines.join('\n')}\n`;
}

const alice = { email: 'alice@acme.example', role: 'admin', reason: 'Finance lead' };
const ben = { email: 'ben@acme.example', role: 'admin', reason: 'Controller' };
const carol = { email: 'carol@acme.example', role: 'manager', reason: 'Office manager' };
const grace = { email: 'grace@acme.example', role: 'manager', reason: 'Accounts receivable' };
const kim = { email: 'kim@cpa-partners.example', role: 'accountant', reason: 'Tax accountant' };
const frank = { email: 'frank@acme.example', role: 'employee', reason: 'Accounts payable' };

let emulator: RunningEmulator;
let repo: TempRepo;
let env: Record<string, string>;
const sha: Record<string, string> = {};

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  env = emulatorEnv(emulator);
  repo = await createTempRepo();
  sha.initial = await repo.commit({
    files: { '.gitignore': '.rolecall/\n', [FILE]: policy([alice, ben, carol, grace]) },
    message: 'Initial access policy',
    author: OLIVIA,
    date: '2025-01-10T09:00:00Z',
  });
  // A GitHub squash merge: one commit on main, authored by the PR author, "(#12)".
  await repo.branch('add-kim');
  await repo.commit({
    files: { [FILE]: policy([alice, ben, carol, grace, kim]) },
    message: 'wip: kim',
    author: DANA,
    date: '2025-02-01T10:00:00Z',
  });
  await repo.checkout('main');
  sha.kim = await repo.squashMerge('add-kim', {
    message: 'Add the external tax accountant (#12)',
    author: DANA,
    committer: GITHUB,
    date: '2025-02-03T11:00:00Z',
  });
  // A merge commit: the branch commit is the grant, the merge names the pull request.
  await repo.branch('add-frank');
  sha.frank = await repo.commit({
    files: { [FILE]: policy([alice, ben, carol, grace, kim, frank]) },
    message: 'Add frank for accounts payable',
    author: BEN,
    date: '2025-03-01T08:00:00Z',
  });
  await repo.checkout('main');
  await repo.merge('add-frank', {
    message: 'Merge pull request #15 from acme/add-frank',
    author: GITHUB,
    date: '2025-03-02T09:00:00Z',
  });
  // Grace's role changes later: her grant is this commit now.
  sha.grace = await repo.commit({
    files: { [FILE]: policy([alice, ben, carol, { ...grace, role: 'employee' }, kim, frank]) },
    message: 'Move grace to employee',
    author: CAROL,
    date: '2025-06-01T14:00:00Z',
  });
  // Rewording a reason is not a grant: alice stays granted by the initial commit.
  await repo.commit({
    files: {
      [FILE]: policy([
        { ...alice, reason: 'Finance lead (CFO)' },
        ben,
        carol,
        { ...grace, role: 'employee' },
        kim,
        frank,
      ]),
    },
    message: 'Reword alice (#20)',
    author: DANA,
    date: '2025-07-01T00:00:00Z',
  });
});

afterAll(async () => {
  await repo.cleanup();
  await emulator.close();
});

const DAY = 86_400_000;
const daysSince = (iso: string) => String(Math.floor((Date.parse(NOW) - Date.parse(iso)) / DAY));

describe('rolecall review --format csv', () => {
  it('names, per policy entry, the commit, author, date and pull request of its current role', async () => {
    const result = await rolecall(['review', '--format', 'csv', '--rate', '1000'], {
      cwd: repo.dir,
      env,
    });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const rows = parseCsv(result.out);
    const expected: Record<string, [string, string, string, string, string]> = {
      // email: commit, author, author email, granted at, pull request
      'alice@acme.example': [
        sha.initial!,
        'Olivia Park',
        OLIVIA.email,
        '2025-01-10T09:00:00.000Z',
        '',
      ],
      'ben@acme.example': [
        sha.initial!,
        'Olivia Park',
        OLIVIA.email,
        '2025-01-10T09:00:00.000Z',
        '',
      ],
      'carol@acme.example': [
        sha.initial!,
        'Olivia Park',
        OLIVIA.email,
        '2025-01-10T09:00:00.000Z',
        '',
      ],
      'grace@acme.example': [
        sha.grace!,
        'Carol Stone',
        CAROL.email,
        '2025-06-01T14:00:00.000Z',
        '',
      ],
      'kim@cpa-partners.example': [
        sha.kim!,
        'Dana Reyes',
        DANA.email,
        '2025-02-03T11:00:00.000Z',
        '12',
      ],
      'frank@acme.example': [sha.frank!, 'Ben Ode', BEN.email, '2025-03-01T08:00:00.000Z', '15'],
    };
    for (const [email, [commit, by, byEmail, at, pr]] of Object.entries(expected)) {
      const row = rowOf(rows, email);
      expect(
        [
          row['commit'],
          row['granted_by'],
          row['granted_by_email'],
          row['granted_at'],
          row['pull_request'],
        ],
        email,
      ).toEqual([commit, by, byEmail, at, pr]);
      expect(row['in_policy'], email).toBe('yes');
      expect(row['days_since_granted'], email).toBe(daysSince(at));
      expect(row['policy_source'], email).toMatch(/^policies\/acme-books\.yaml:\d+$/);
    }
    // The role change shows: live manager, policy employee, granted by the change.
    expect(rowOf(rows, 'grace@acme.example')).toMatchObject({
      role: 'manager',
      policy_role: 'employee',
    });
    expect(flagsOf(rowOf(rows, 'grace@acme.example'))).toContain('role-mismatch');
  });

  it('lists people with access outside the policy as unmanaged, with no provenance', async () => {
    const { out } = await rolecall(['review', '--rate', '1000'], { cwd: repo.dir, env });
    const rows = parseCsv(out);
    for (const email of ['zoe@acme.example', 'sam@oldfirm.example', 'pat@acme.example']) {
      const row = rowOf(rows, email);
      expect(row['in_policy'], email).toBe('no');
      expect(row['commit'], email).toBe('');
      expect(flagsOf(row), email).toContain('unmanaged');
    }
    expect(flagsOf(rowOf(rows, 'sam@oldfirm.example'))).toContain('never-accepted');
    expect(flagsOf(rowOf(rows, 'pat@acme.example'))).toContain('unknown-role');
    const owner = rowOf(rows, 'olivia@acme.example');
    expect(owner['role']).toBe('owner');
    expect(flagsOf(owner)).toEqual(['privileged', 'protected']);
    // Not team members, and removed memberships no policy grants: not in the pack.
    expect(rows.map((row) => row['email'])).not.toContain('client@customer.example');
    expect(rows.map((row) => row['email'])).not.toContain('jules@acme.example');
  });

  it('an uncommitted entry has no provenance, and the command says why on stderr', async () => {
    const committed = await repo.read(FILE);
    const edited = committed.replace(
      'role: employee\n    reason: Accounts payable',
      'role: manager\n    reason: Accounts payable',
    );
    expect(edited).not.toBe(committed);
    await repo.write(FILE, edited);
    try {
      const result = await rolecall(['review', '--rate', '1000'], { cwd: repo.dir, env });
      expect(result.code).toBe(0);
      expect(result.err).toMatch(
        /warning: 1 policy entry is not committed yet \(no provenance\): policies\/acme-books\.yaml:\d+/,
      );
      const rows = parseCsv(result.out);
      expect(rowOf(rows, 'frank@acme.example')).toMatchObject({ commit: '', granted_by: '' });
      expect(rowOf(rows, 'alice@acme.example')['commit']).toBe(sha.initial);
    } finally {
      await repo.write(FILE, committed);
    }
    expect(await repo.status()).toBe('');
  });

  it('--out FILE.json writes the JSON pack atomically, same provenance', async () => {
    const result = await rolecall(['review', '--out', 'out/pack.json', '--rate', '1000'], {
      cwd: repo.dir,
      env,
    });
    expect(result.code).toBe(0);
    expect(result.out).toBe('');
    expect(result.err).toBe('wrote out/pack.json\n');
    const pack = JSON.parse(await readFile(join(repo.dir, 'out/pack.json'), 'utf8')) as {
      version: number;
      generatedAt: string;
      rows: Array<{ email: string; commit: string | null; pullRequest: number | null }>;
    };
    expect(pack.version).toBe(1);
    expect(pack.generatedAt).toBe('2026-11-29T10:00:00.000Z');
    expect(pack.rows.find((row) => row.email === 'kim@cpa-partners.example')).toMatchObject({
      commit: sha.kim,
      pullRequest: 12,
    });
  });

  it('--format markdown renders the tables with the short commit and pull request', async () => {
    const result = await rolecall(['review', '--format', 'markdown', '--rate', '1000'], {
      cwd: repo.dir,
      env,
    });
    expect(result.code).toBe(0);
    expect(result.out).toContain('## Acme Books Inc. (business 240340)');
    const kimLine = result.out
      .split('\n')
      .find((line) => line.includes('`kim@cpa-partners.example`'));
    expect(kimLine).toContain(`\`${sha.kim!.slice(0, 12)}\``);
    expect(kimLine).toContain('#12');
    expect(kimLine).toContain('Dana Reyes');
  });

  it('refuses bad options before reaching FreshBooks', async () => {
    emulator.control.resetRequests();
    const cases: Array<[string[], RegExp]> = [
      [['--format', 'xlsx'], /--format must be csv, json or markdown/],
      [['--business', 'acme'], /--business must be a numeric business id/],
      [['--business', '999'], /business 999 is not named by any policy/],
      [['--due', '2026-12-01'], /--due and --due-in go with --github/],
      [['--github', '--due', '2026-11-01'], /in the past/],
      [['--github', '--due-in', 'soon'], /--due-in must be a number of days or weeks/],
      [['--github', '--due', '2026-12-01', '--due-in', '3d'], /--due or --due-in, not both/],
    ];
    for (const [args, message] of cases) {
      const result = await rolecall(['review', ...args], { cwd: repo.dir, env });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.err, args.join(' ')).toMatch(message);
    }
    expect(emulator.control.requests().total).toBe(0);
  });
});
