import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { packagePath } from '../../../src/paths.js';
import { readLiveStateFile } from '../../../src/sync/live-state-file.js';
import type { LiveState } from '../../../src/types.js';
import { bufferIo } from '../../support/buffer-io.js';
import {
  ACME,
  HOLDINGS,
  apiCounts,
  startHarness,
  type Harness,
} from '../freshbooks/emulator-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.emulator.control.configure({ faults: '' });
  h.emulator.control.clearQueuedFaults();
  h.emulator.control.resetRequests();
});

async function rolecall(args: string[], options: { tty?: boolean } = {}) {
  const io = bufferIo({ env: h.env, cwd: h.cwd });
  if (options.tty) io.stderr.isTTY = true;
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('rolecall sync against the default seed', () => {
  it('prints the members per role, pending invitations and the unknown role', async () => {
    const { code, out, err } = await rolecall(['sync', '--business', String(ACME)]);
    expect(code, err).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe('FreshBooks identity alice@acme.example (5001); 1 business');
    expect(out).toContain('240340 Acme Books Inc., account Xk9Pq2: 16 members\n');
    // owner olivia; admins alice, ben; managers carol, grace; accountants dana, kim, sam;
    // employees frank, maya, hana, zoe; contractor bob; unassigned ivan (jules is deactivated).
    expect(out).toContain(
      '  roles: owner 1, admin 2, manager 2, accountant 3, employee 4, contractor 1, unassigned 1, unknown 1 (active and invited)\n',
    );
    expect(out).toContain('  pending invitations: 2 (hana@acme.example, sam@oldfirm.example)\n');
    expect(out).toContain('  deactivated: 1\n');
    expect(out).toContain(
      '  unknown roles, kept as is and never changed: time_tracking_admin (pat@acme.example)\n',
    );
    expect(out).not.toContain('client@customer.example');
    expect(out).toMatch(/\n2 requests( \(\+1 token\))?, 0 retries, \d+\.\d s\n$/);
    expect(err).toBe('synced 240340 Acme Books Inc.: 16 members\n');
  });

  it('--json prints the LiveState: roles mapped, unknown role verbatim, clients left out', async () => {
    const { code, out } = await rolecall(['sync', '--business', String(ACME), '--json']);
    expect(code).toBe(0);
    const state = JSON.parse(out) as LiveState;
    const acme = state.businesses[0];
    const row = (email: string) => acme?.members.find((m) => m.email === email);
    expect(row('pat@acme.example')).toMatchObject({
      apiRole: 'time_tracking_admin',
      role: null,
      state: 'active',
    });
    expect(row('grace@acme.example')).toMatchObject({
      apiRole: 'business_manager',
      role: 'manager',
    });
    expect(row('ivan@acme.example')).toMatchObject({
      apiRole: 'no_seat_employee',
      role: 'unassigned',
    });
    expect(row('hana@acme.example')).toMatchObject({
      state: 'invited',
      identityId: null,
      invitationAcceptedAt: null,
    });
    expect(row('jules@acme.example')?.state).toBe('deactivated');
    expect(row('olivia@acme.example')?.role).toBe('owner');
    expect(row('client@customer.example')).toBeUndefined();
    expect(acme?.unknownRoles).toEqual(['time_tracking_admin']);
    expect(acme?.members.map((m) => m.email)).toEqual(
      [...(acme?.members.map((m) => m.email) ?? [])].sort(),
    );
  });

  it('--out writes a snapshot that readLiveStateFile accepts, identical to --json but for the run data', async () => {
    const written = await rolecall([
      'sync',
      '--business',
      String(ACME),
      '--business',
      String(HOLDINGS),
      '--out',
      'snap/live.json',
    ]);
    expect(written.code, written.err).toBe(0);
    expect(written.out).toContain('wrote snap/live.json\n');
    const state = await readLiveStateFile(join(h.cwd, 'snap', 'live.json'));
    expect(state.businesses.map((b) => b.businessId)).toEqual([ACME, HOLDINGS]);
    const printed = JSON.parse(
      (
        await rolecall([
          'sync',
          '--business',
          String(ACME),
          '--business',
          String(HOLDINGS),
          '--json',
        ])
      ).out,
    ) as LiveState;
    const strip = ({ syncedAt: _a, stats: _b, ...rest }: LiveState) => rest;
    expect(strip(printed)).toEqual(strip(state));
  });

  it('reads the businesses the policies name', async () => {
    await mkdir(join(h.cwd, 'policies'), { recursive: true });
    await copyFile(
      packagePath('policies', 'acme-books.yaml'),
      join(h.cwd, 'policies', 'acme-books.yaml'),
    );
    const { code, out, err } = await rolecall(['sync', '--json']);
    expect(code, err).toBe(0);
    expect((JSON.parse(out) as LiveState).businesses.map((b) => b.businessId)).toEqual([ACME]);
  });

  it('policy errors stop the sync before any request', async () => {
    await mkdir(join(h.cwd, 'broken'), { recursive: true });
    await writeFile(join(h.cwd, 'broken', 'x.yaml'), 'business: not-a-number\n');
    const { code, err } = await rolecall(['sync', '--policies', 'broken']);
    expect(code).toBe(1);
    expect(err).toMatch(/broken\/x\.yaml:\d+:\d+: error /);
    expect(apiCounts(h.emulator).total).toBe(0);
  });

  it('a business the token cannot reach: named, with the reachable ones', async () => {
    const { code, out, err } = await rolecall([
      'sync',
      '--business',
      '999',
      '--business',
      String(ACME),
    ]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(
      'rolecall: business 999 is not reachable with these FreshBooks credentials (identity alice@acme.example); reachable: 240340 "Acme Books Inc.", 240341 "Acme Holdings LLC"\n',
    );
    expect(apiCounts(h.emulator)).toMatchObject({ me: 1, team: 0 });
  });

  it('survives faults and says how many retries it made', async () => {
    const route = 'GET /auth/api/v1/businesses/:id/team_members';
    h.emulator.control.queueFault('503', route);
    h.emulator.control.queueFault('reset', route);
    const { code, out, err } = await rolecall(['sync', '--business', String(ACME)]);
    expect(code, err).toBe(0);
    expect(out).toContain('16 members');
    expect(out).toMatch(/\n4 requests( \(\+1 token\))?, 2 retries, /);
  });

  it('--verbose logs each request (with its request id) on stderr', async () => {
    const { code, err } = await rolecall(['sync', '--business', String(ACME), '--verbose']);
    expect(code).toBe(0);
    expect(err).toMatch(/GET \/auth\/api\/v1\/users\/me → 200 \(\d+ ms\) \[[0-9a-f-]{36}\]/);
    expect(err).toMatch(/team_members\?page=1&per_page=100 → 200/);
  });

  it('on a terminal, a self-rewriting progress line that is cleared at the end', async () => {
    const { code, err } = await rolecall(['sync', '--business', String(ACME)], { tty: true });
    expect(code).toBe(0);
    expect(err).toContain('\r[1/1] 240340 Acme Books Inc.: 16 members\x1b[K');
    expect(err.endsWith('\r\x1b[K')).toBe(true);
    expect(err).not.toContain('\n');
  });

  it.each([
    [['sync', '--business', 'abc'], /--business must be a numeric business id/],
    [['sync', '--business', '1', '--rate', '0'], /--rate must be a positive number/],
    [['sync', '--business', '1', '--token-store', 'vault:x'], /unknown token store "vault:x"/],
    [['sync', '--bogus'], /Unknown option '--bogus'/],
  ])('usage errors: %j', async (args, message) => {
    const { code, err } = await rolecall(args);
    expect(code).toBe(1);
    expect(err).toMatch(message);
  });

  it('--help', async () => {
    const { code, out } = await rolecall(['sync', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: rolecall sync');
    expect(out).toContain('--token-store SPEC');
  });

  it('the written snapshot never contains a secret', async () => {
    await rolecall(['sync', '--business', String(ACME), '--out', 'plain.json']);
    const text = await readFile(join(h.cwd, 'plain.json'), 'utf8');
    expect(text).not.toContain(h.env.FRESHBOOKS_CLIENT_SECRET);
    expect(text).not.toMatch(/token/i);
  });
});
