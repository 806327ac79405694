/**
 * Issue 8's "done when": `rolecall review --format csv` on the example repository names, for
 * every member, the commit and author that granted their current role. The repository's own
 * `policies/` is committed into a temporary git repository (two authors: the policy, then a
 * pull request that changes a role), and live members come from the emulator's default seed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { createTempRepo, type TempRepo } from '../../support/temp-repo.js';
import { emulatorEnv, flagsOf, parseCsv, rolecall, rowOf } from './review-harness.js';

const MEMBERS = [
  'alice@acme.example',
  'ben@acme.example',
  'bob@contractors.example',
  'carol@acme.example',
  'dana@acme.example',
  'eli@acme.example',
  'frank@acme.example',
  'grace@acme.example',
  'hana@acme.example',
  'ivan@acme.example',
  'jules@acme.example',
  'kim@cpa-partners.example',
  'maya@acme.example',
];

let emulator: RunningEmulator;
let repo: TempRepo;
let first: string;
let second: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  repo = await createTempRepo();
  const files: Record<string, string> = { '.gitignore': '.rolecall/\n' };
  for (const name of await readdir(packagePath('policies'))) {
    files[`policies/${name}`] = await readFile(packagePath('policies', name), 'utf8');
  }
  first = await repo.commit({
    files,
    message: 'Access policy for Acme Books',
    author: { name: 'Olivia Park', email: 'olivia@acme.example' },
    date: '2026-05-04T09:00:00Z',
  });
  const acme = files['policies/acme-books.yaml']!;
  const promoted = acme.replace(
    '  - email: hana@acme.example\n    role: employee',
    '  - email: hana@acme.example\n    role: manager',
  );
  expect(promoted).not.toBe(acme);
  second = await repo.commit({
    files: { 'policies/acme-books.yaml': promoted },
    message: 'Make hana payroll manager (#27)',
    author: { name: 'Ben Ode', email: 'ben@acme.example' },
    date: '2026-09-15T16:20:00Z',
  });
});

afterAll(async () => {
  await repo.cleanup();
  await emulator.close();
});

describe('rolecall review --format csv on the example repository', () => {
  it('names the commit and author of every member’s current role', async () => {
    const result = await rolecall(['review', '--format', 'csv', '--rate', '1000'], {
      cwd: repo.dir,
      env: emulatorEnv(emulator),
    });
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const rows = parseCsv(result.out);
    const inPolicy = rows.filter((row) => row['in_policy'] === 'yes');
    expect(inPolicy.map((row) => row['email']).sort()).toEqual(MEMBERS);
    for (const row of inPolicy) {
      const email = row['email']!;
      expect(row['commit'], email).toMatch(/^[0-9a-f]{40}$/);
      expect(row['granted_by'], email).not.toBe('');
      expect(row['granted_at'], email).toMatch(/^\d{4}-\d\d-\d\dT/);
      if (email === 'hana@acme.example') {
        expect(row, email).toMatchObject({
          commit: second,
          granted_by: 'Ben Ode',
          granted_by_email: 'ben@acme.example',
          granted_at: '2026-09-15T16:20:00.000Z',
          pull_request: '27',
          policy_role: 'manager',
        });
      } else {
        expect(row, email).toMatchObject({
          commit: first,
          granted_by: 'Olivia Park',
          granted_at: '2026-05-04T09:00:00.000Z',
          pull_request: '',
        });
      }
    }
    // The seed's drift shows in the same pack.
    expect(rowOf(rows, 'eli@acme.example')).toMatchObject({ state: 'absent', role: '' });
    expect(flagsOf(rowOf(rows, 'eli@acme.example'))).toContain('missing');
    expect(flagsOf(rowOf(rows, 'hana@acme.example'))).toEqual(
      expect.arrayContaining(['privileged', 'role-mismatch', 'never-accepted']),
    );
    expect(rowOf(rows, 'bob@contractors.example')).toMatchObject({ expires: '2027-03-31' });
    expect(rowOf(rows, 'zoe@acme.example')['in_policy']).toBe('no');
    // The header is the documented one.
    expect(result.out.split('\r\n', 1)[0]).toBe(
      'business_id,business_name,email,name,role,state,in_policy,policy_role,via,reason,ticket,expires,granted_by,granted_by_email,granted_at,commit,pull_request,days_since_granted,live_since,flags,policy_source,paid_seat,seat_cost,seat_currency,seat_period,seat_limit',
    );
  });
});
