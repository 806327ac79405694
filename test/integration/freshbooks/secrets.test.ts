import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { packagePath } from '../../../src/paths.js';
import { bufferIo } from '../../support/buffer-io.js';
import { readCredentialsFile, tokensIn } from './credentials-file.js';
import { ACME, HOLDINGS, filesUnder, startHarness, type Harness } from './emulator-harness.js';

/**
 * Every way rolecall talks about FreshBooks, run for real against the emulator, with every
 * output and every file collected; then not one secret value may appear anywhere but in the
 * credentials store.
 */
let h: Harness;
const outputs: Array<{ what: string; text: string }> = [];
const secrets = new Set<string>();

async function remember(): Promise<void> {
  for (const file of await filesUnder(h.cwd)) {
    if (!file.path.endsWith('credentials.json')) continue;
    for (const token of tokensIn(file.text)) secrets.add(token);
  }
  for (const token of h.emulator.control.dumpState().clients[0]?.refresh_tokens ?? [])
    secrets.add(token);
}

async function run(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; tty?: boolean } = {},
) {
  const io = bufferIo({ env: options.env ?? h.env, cwd: options.cwd ?? h.cwd });
  if (options.tty) io.stderr.isTTY = true;
  const code = await main(args, io);
  outputs.push({ what: `${args.join(' ')} (stdout)`, text: io.out() });
  outputs.push({ what: `${args.join(' ')} (stderr)`, text: io.err() });
  await remember();
  return code;
}

beforeAll(async () => {
  // Short-lived access tokens: every run refreshes, so many tokens pass through.
  h = await startHarness({ accessTokenTtlSeconds: 120 });
  secrets.add(h.env.FRESHBOOKS_CLIENT_SECRET);
  secrets.add(h.env.FRESHBOOKS_REFRESH_TOKEN);
  await remember();

  const redirect = h.emulator.credentials.redirectUri;
  expect(await run(['auth', 'login', '--redirect-uri', redirect])).toBe(0);
  const code = h.emulator.control.mintCode({ client_id: h.env.FRESHBOOKS_CLIENT_ID });
  secrets.add(code);
  expect(
    await run(['auth', 'login', '--code', code, '--redirect-uri', redirect, '--verbose']),
  ).toBe(0);
  expect(
    await run(['auth', 'login', '--code', code, '--redirect-uri', redirect, '--verbose']),
  ).toBe(1);
  expect(await run(['auth', 'status', '--verbose'])).toBe(0);
  expect(await run(['sync', '--business', String(ACME), '--verbose', '--out', 'live.json'])).toBe(
    0,
  );
  expect(
    await run(['sync', '--business', String(ACME), '--business', String(HOLDINGS), '--json']),
  ).toBe(0);
  expect(await run(['sync', '--business', String(ACME)], { tty: true })).toBe(0);
  // Faults on the token endpoint and the API, logged verbosely.
  h.emulator.control.configure({ faultTokenEndpoint: true });
  h.emulator.control.queueFault('503', 'POST /auth/oauth/token');
  h.emulator.control.queueFault('502', 'GET /auth/api/v1/users/me');
  expect(await run(['sync', '--business', String(ACME), '--verbose'])).toBe(0);
  expect(await run(['sync', '--business', '999', '--verbose'])).toBe(1);
  // Another checkout starts from the environment's token (rotating it); a third one, with the
  // same now-dead token, takes the invalid_grant path.
  for (const [dir, exit] of [
    ['other', 0],
    ['third', 1],
  ] as const) {
    await mkdir(join(h.cwd, dir));
    expect(
      await run(['sync', '--business', String(ACME), '--verbose'], { cwd: join(h.cwd, dir) }),
    ).toBe(exit);
  }
  // And the real binary, verbose, in its own process.
  const child = spawn(
    process.execPath,
    [packagePath('dist', 'cli', 'main.js'), 'sync', '--business', String(ACME), '--verbose'],
    {
      cwd: h.cwd,
      env: { PATH: process.env['PATH'] ?? '', ...h.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = await new Promise<number | null>((resolve) => child.on('close', resolve));
  outputs.push(
    { what: 'spawned sync (stdout)', text: out },
    { what: 'spawned sync (stderr)', text: err },
  );
  expect(exit, err).toBe(0);
  await remember();
});
afterAll(() => h.close());

describe('secrets never leak', () => {
  it('collected enough secrets to mean something', () => {
    // client secret, the seed's refresh token, the code, and several rotated pairs
    expect(secrets.size).toBeGreaterThanOrEqual(10);
    for (const s of secrets) expect(s.length).toBeGreaterThanOrEqual(16);
  });

  it('in no stdout or stderr of any run', () => {
    expect(outputs.length).toBeGreaterThan(20);
    for (const { what, text } of outputs) {
      for (const secret of secrets) {
        expect(text.includes(secret), `${what} contains a secret`).toBe(false);
      }
    }
    // The verbose runs did log the exchanges (so the check above saw real HTTP lines).
    expect(outputs.some((o) => o.text.includes('POST /auth/oauth/token → 200'))).toBe(true);
    expect(outputs.some((o) => o.text.includes('retry 1 of'))).toBe(true);
  });

  it('in no file under the working directory except the credentials store', async () => {
    const files = await filesUnder(h.cwd);
    expect(files.map((f) => f.path.slice(h.cwd.length + 1)).sort()).toEqual(
      expect.arrayContaining(['.rolecall/credentials.json', 'live.json']),
    );
    for (const file of files) {
      if (file.path.endsWith(join('.rolecall', 'credentials.json'))) continue;
      for (const secret of secrets) {
        expect(file.text.includes(secret), `${file.path} contains a secret`).toBe(false);
      }
    }
    // The store does hold a live refresh token: the test looked at the real thing.
    const stored = (await readCredentialsFile(h.cwd)).entries[0]?.refreshToken;
    expect(stored).toBeDefined();
    expect(h.emulator.control.dumpState().clients[0]?.refresh_tokens).toContain(stored);
  });
});
