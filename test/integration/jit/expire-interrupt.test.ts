/**
 * Ctrl-C during `rolecall expire`, on the built CLI against the emulator, as `apply` handles it:
 * the revoke in flight finishes, no other starts, the run says how far it got and exits 130,
 * and the next run finishes the job without sending anything twice. A holding proxy keeps the
 * first revoke in flight while the signal lands, so nothing depends on timing.
 *
 * Two grants have expired: frank's (an employee: freeing his paid seat runs in the first phase)
 * and ivan's (unassigned: no seat, so his revoke runs in the last phase, after frank's).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { startHoldProxy, type HoldProxy } from '../apply/hold-proxy.js';
import {
  ACME,
  createWorld,
  freshbooksEnv,
  POLICY_FILE,
  rolecall,
  type World,
} from './jit-harness.js';

const CLI = packagePath('dist', 'cli', 'main.js');
const built = existsSync(CLI) && existsSync(packagePath('dist', 'cli', 'interrupt.js'));
const NOW = '2027-02-15T12:00:00Z';

let emulator: RunningEmulator;
let proxy: HoldProxy;
let world: World;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  const example = await readFile(packagePath('policies', 'acme-books.yaml'), 'utf8');
  const policy = example
    .replace(
      '    reason: Accounts payable\n',
      '    reason: Accounts payable\n    expires: 2027-01-31\n',
    )
    .replace(
      '    reason: Time tracking only\n',
      '    reason: Time tracking only\n    expires: 2027-01-31\n',
    );
  expect(policy.match(/expires: 2027-01-31/g)).toHaveLength(2);
  world = await createWorld({ [POLICY_FILE]: policy });
  proxy = await startHoldProxy(emulator.url);
  // Every run talks through the proxy (the stored credentials belong to one API URL).
  env = { ...freshbooksEnv(emulator), FRESHBOOKS_API_URL: proxy.url, ROLECALL_NOW: NOW };
  emulator.control.resetRequests();
});
afterEach(async () => {
  await proxy.release();
  await proxy.close();
  await world.cleanup();
});

const isWrite = (method: string, path: string) =>
  method !== 'GET' && !path.startsWith('/auth/oauth/');
const state = (email: string) => emulator.control.member(ACME, email)?.active;
const deletes = () =>
  emulator.control
    .requests()
    .log.filter((entry) => entry.method === 'DELETE' && entry.status < 300)
    .map((entry) => entry.path);

describe.skipIf(!built)('Ctrl-C during `rolecall expire` (the built CLI)', () => {
  it('finishes the revoke in flight, starts no other, exits 130; the next run revokes the rest once', async () => {
    proxy.holdMatching(isWrite); // frank's revoke waits in the proxy
    const child = spawn(process.execPath, [CLI, 'expire', '--yes'], {
      cwd: world.repo.dir,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let heard: () => void = () => undefined;
    const signalled = new Promise<void>((resolve) => (heard = resolve));
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('SIGINT received')) heard();
    });
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));

    await Promise.race([
      proxy.whenHeld(1),
      exit.then(() => {
        throw new Error(`expire ended before its first write:\n${out}${err}`);
      }),
    ]);
    child.kill('SIGINT');
    await signalled;
    await proxy.release(); // frank's revoke reaches FreshBooks now
    const code = await exit;

    expect(code, out + err).toBe(130);
    expect(out).toMatch(
      /Interrupted \(SIGINT\) — 1 of 2 operations done; run the same command again to resume\./,
    );
    expect(state('frank@acme.example')).toBe(false);
    expect(state('ivan@acme.example')).toBe(true); // never started
    expect(deletes()).toHaveLength(1);

    // The next run (no signal): only ivan's revoke is sent; frank's is not sent again.
    const again = await rolecall(['expire', '--yes'], { cwd: world.repo.dir, env });
    expect(again.code, again.out + again.err).toBe(0);
    expect(state('ivan@acme.example')).toBe(false);
    expect(deletes()).toHaveLength(2);
    expect(new Set(deletes()).size).toBe(2);
  });
});
