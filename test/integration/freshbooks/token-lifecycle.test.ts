import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { RequestLogEntry } from '../../../src/emulator/index.js';
import { RolecallError } from '../../../src/errors.js';
import { connectFreshBooks } from '../../../src/freshbooks/connect.js';
import { createFileTokenStore } from '../../../src/freshbooks/token-store-file.js';
import { packagePath } from '../../../src/paths.js';
import { bufferIo } from '../../support/buffer-io.js';
import { readCredentialsFile, type FileEntry } from './credentials-file.js';
import { ACME, apiCounts, fastOptions, startHarness, type Harness } from './emulator-harness.js';

const CLI = packagePath('dist', 'cli', 'main.js');

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The file's one entry (each test talks to one emulator). */
async function storedCredentials(cwd: string): Promise<FileEntry> {
  const file = await readCredentialsFile(cwd);
  expect(file.entries).toHaveLength(1);
  return file.entries[0] as FileEntry;
}

const liveRefreshTokens = (harness: Harness) =>
  harness.emulator.control.dumpState().clients[0]?.refresh_tokens ?? [];

async function runCli(harness: Harness, args: string[], cwd = harness.cwd, env = harness.env) {
  const io = bufferIo({ env, cwd });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function spawnCli(args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    out: string;
    err: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
  return { child, done };
}

describe('refresh-token rotation', () => {
  it('each CLI run rotates the token and persists it; the stored token beats the stale environment', async () => {
    // Access tokens that live less than the 5-minute margin: every run must refresh.
    h = await startHarness({ accessTokenTtlSeconds: 60 });
    const r0 = h.env.FRESHBOOKS_REFRESH_TOKEN;

    const first = await runCli(h, ['sync', '--business', String(ACME)]);
    expect(first.code, first.err).toBe(0);
    const r1 = (await storedCredentials(h.cwd)).refreshToken;
    expect(r1).not.toBe(r0);
    expect(liveRefreshTokens(h)).toEqual([r1]);

    // Same environment (still the dead r0): the store wins.
    const second = await runCli(h, ['sync', '--business', String(ACME)]);
    expect(second.code, second.err).toBe(0);
    const r2 = (await storedCredentials(h.cwd)).refreshToken;
    expect(r2).not.toBe(r1);
    expect(liveRefreshTokens(h)).toEqual([r2]);

    // And the real binary, in its own process, continues the chain.
    expect(existsSync(CLI), 'run `npm run build` first').toBe(true);
    const third = await spawnCli(['sync', '--business', String(ACME)], h.cwd, h.env).done;
    expect(third.code, third.err).toBe(0);
    expect(third.out).toContain('240340 Acme Books Inc.');
    const r3 = (await storedCredentials(h.cwd)).refreshToken;
    expect(r3).not.toBe(r2);
    expect(liveRefreshTokens(h)).toEqual([r3]);
    expect(apiCounts(h.emulator).token).toBe(3);
  });

  it('a still-valid access token is reused by the next run: no refresh burnt', async () => {
    h = await startHarness();
    expect((await runCli(h, ['sync', '--business', String(ACME)])).code).toBe(0);
    expect((await runCli(h, ['sync', '--business', String(ACME)])).code).toBe(0);
    expect((await runCli(h, ['auth', 'status'])).code).toBe(0);
    expect(apiCounts(h.emulator).token).toBe(1);
  });

  it('invalid_grant: a refresh token that was already used gives the clear message and exit 1', async () => {
    h = await startHarness();
    expect((await runCli(h, ['sync', '--business', String(ACME)])).code).toBe(0);
    // Another checkout, with only the (now rotated) environment token.
    const elsewhere = join(h.cwd, 'elsewhere');
    await mkdir(elsewhere);
    const stale = await runCli(h, ['sync', '--business', String(ACME)], elsewhere);
    expect(stale.code).toBe(1);
    expect(stale.err).toBe(
      'rolecall: this refresh token was already used or revoked — run `rolecall auth login`\n',
    );
    expect(stale.out).toBe('');
    expect(existsSync(join(elsewhere, '.rolecall', 'credentials.json'))).toBe(false);
  });
});

describe('a crash right after the refresh answer', () => {
  it('in-process: the store saved, then the process "dies" before using the token — the next run works', async () => {
    h = await startHarness();
    const file = createFileTokenStore(join(h.cwd, '.rolecall', 'credentials.json'), {
      target: { apiUrl: h.emulator.url, clientId: h.env.FRESHBOOKS_CLIENT_ID },
    });
    const crashing = {
      describe: () => file.describe(),
      load: () => file.load(),
      save: async (creds: Parameters<typeof file.save>[0]) => {
        await file.save(creds);
        throw new Error('simulated crash right after the durable save');
      },
    };
    const dying = await connectFreshBooks(fastOptions(h, { store: crashing }));
    const error = await dying.whoami().catch((e: unknown) => e);
    await dying.close();
    expect(error).toBeInstanceOf(RolecallError);
    // Nothing was sent with the new access token before the save finished.
    expect(apiCounts(h.emulator)).toMatchObject({ token: 1, total: 0 });
    expect(liveRefreshTokens(h)).toEqual([(await storedCredentials(h.cwd)).refreshToken]);

    // A fresh "process": the environment's token is dead, the stored one is not.
    const fresh = await connectFreshBooks(fastOptions(h));
    try {
      const identity = await fresh.whoami();
      expect(identity.email).toBe('alice@acme.example');
    } finally {
      await fresh.close();
    }
  });

  it('spawned: SIGKILL as soon as the first API request arrives; a fresh run still works', async () => {
    expect(existsSync(CLI), 'run `npm run build` first').toBe(true);
    let kill: (() => void) | null = null;
    let killedAfter: RequestLogEntry | null = null;
    h = await startHarness({
      // Each request waits 150 ms in the emulator, so the kill lands mid-run.
      latencyMs: 150,
      accessTokenTtlSeconds: 60,
      onRequest: (entry) => {
        if (kill && entry.route !== 'POST /auth/oauth/token') {
          killedAfter = entry;
          kill();
          kill = null;
        }
      },
    });
    const run = spawnCli(['sync', '--business', String(ACME)], h.cwd, h.env);
    kill = () => run.child.kill('SIGKILL');
    const result = await run.done;
    expect(result.signal).toBe('SIGKILL');
    expect(killedAfter).not.toBeNull();
    // The only valid refresh token is the one in the store.
    const stored = (await storedCredentials(h.cwd)).refreshToken;
    expect(liveRefreshTokens(h)).toEqual([stored]);
    const again = await runCli(h, ['sync', '--business', String(ACME)]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain('240340 Acme Books Inc.');
  });
});

describe('single-flight refresh', () => {
  it('twenty concurrent requests meeting an expired access token cause exactly one refresh', async () => {
    // The emulator's clock is ours to move: the cached access token expires at the server while
    // rolecall (on the real clock) still believes it valid, so every request meets a 401.
    let emulatorNow = Date.parse('2026-05-01T09:00:00Z');
    h = await startHarness({ now: () => new Date(emulatorNow) });
    const warm = await connectFreshBooks(fastOptions(h));
    await warm.whoami();
    await warm.close();
    emulatorNow += 13 * 3600 * 1000;
    h.emulator.control.resetRequests();

    const connection = await connectFreshBooks(fastOptions(h));
    const uuid = h.emulator.control.member(ACME, 'carol@acme.example')?.uuid ?? '';
    try {
      const members = await Promise.all(
        Array.from({ length: 20 }, () => connection.getTeamMember(ACME, uuid)),
      );
      expect(members.every((m) => m?.email === 'carol@acme.example')).toBe(true);
    } finally {
      await connection.close();
    }
    const byRoute = h.emulator.control.requests().byRoute;
    expect(byRoute['POST /auth/oauth/token']).toEqual({ '200': 1 });
    expect(byRoute['GET /auth/api/v1/businesses/:id/team_members/:uuid']).toEqual({
      '401': 20,
      '200': 20,
    });
    expect(connection.stats()).toMatchObject({ requests: 40, retries: 20, tokenRequests: 1 });
  });
});
