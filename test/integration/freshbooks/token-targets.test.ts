/**
 * The credentials file bound to its target (API URL + OAuth client id), run for real: emulators
 * on loopback, the CLI in process, the file on disk. Every stdout and stderr of every run is
 * collected, and at the end not one token or client secret may appear in any of them.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import {
  startEmulator,
  type EmulatorSeed,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { loadDefaultSeed } from '../../../src/emulator/load-seed.js';
import { bufferIo } from '../../support/buffer-io.js';
import { entryFor, readCredentialsFile, tokensIn } from './credentials-file.js';
import { ACME } from './emulator-harness.js';

const emulators: RunningEmulator[] = [];
const dirs: string[] = [];
const outputs: Array<{ what: string; text: string }> = [];
const secrets = new Set<string>();

afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Client {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

const DEFAULT: Client = (() => {
  const client = loadDefaultSeed().clients[0];
  if (!client?.refresh_tokens?.[0]) throw new Error('the default seed has no refresh token');
  return {
    clientId: client.client_id,
    clientSecret: client.client_secret,
    refreshToken: client.refresh_tokens[0],
  };
})();

function client(name: string, clientId = `rolecall-${name}`): Client {
  return {
    clientId,
    clientSecret: `sandbox-secret-${name}-0123456789abcdef`,
    refreshToken: `sandbox-refresh-${name}-0123456789abcdef`,
  };
}

/** The default seed's world with this one OAuth client; 60 s access tokens: every run refreshes. */
async function sandbox(c: Client = DEFAULT, port = 0): Promise<RunningEmulator> {
  const seed = loadDefaultSeed();
  const first = seed.clients[0];
  if (!first) throw new Error('the default seed has no client');
  const withClient: EmulatorSeed = {
    ...seed,
    clients: [
      {
        ...first,
        client_id: c.clientId,
        client_secret: c.clientSecret,
        refresh_tokens: [c.refreshToken],
      },
    ],
  };
  const emulator = await startEmulator({ port, seed: withClient, accessTokenTtlSeconds: 60 });
  emulators.push(emulator);
  secrets.add(c.clientSecret);
  secrets.add(c.refreshToken);
  return emulator;
}

/** Closes an emulator and starts a new one on the same port: a restarted sandbox. */
async function restart(emulator: RunningEmulator, c: Client): Promise<RunningEmulator> {
  await emulator.close();
  emulators.splice(emulators.indexOf(emulator), 1);
  return sandbox(c, emulator.port);
}

async function workdir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rolecall-targets-'));
  dirs.push(dir);
  return dir;
}

function envOf(emulator: RunningEmulator, c: Client): Record<string, string | undefined> {
  return {
    FRESHBOOKS_API_URL: emulator.url,
    FRESHBOOKS_CLIENT_ID: c.clientId,
    FRESHBOOKS_CLIENT_SECRET: c.clientSecret,
    FRESHBOOKS_REFRESH_TOKEN: c.refreshToken,
  };
}

const target = (emulator: RunningEmulator, c: Client) => ({
  apiUrl: emulator.url,
  clientId: c.clientId,
});

/** Runs the CLI in process; remembers what it printed and every token that now exists. */
async function rolecall(args: string[], cwd: string, env: Record<string, string | undefined>) {
  const io = bufferIo({ env, cwd });
  const code = await main(args, io);
  const result = { code, out: io.out(), err: io.err() };
  outputs.push(
    { what: `${args.join(' ')} (stdout)`, text: result.out },
    { what: `${args.join(' ')} (stderr)`, text: result.err },
  );
  for (const e of emulators) {
    for (const c of e.control.dumpState().clients) {
      for (const token of c.refresh_tokens ?? []) secrets.add(token);
    }
  }
  try {
    for (const token of tokensIn(
      await readFile(join(cwd, '.rolecall', 'credentials.json'), 'utf8'),
    ))
      secrets.add(token);
  } catch {
    // no file (yet, or any more)
  }
  return result;
}

const sync = (cwd: string, env: Record<string, string | undefined>) =>
  rolecall(['sync', '--business', String(ACME)], cwd, env);

const tokenCalls = (emulator: RunningEmulator) =>
  emulator.control.requests().byRoute['POST /auth/oauth/token'] ?? {};

const liveTokens = (emulator: RunningEmulator) =>
  emulator.control.dumpState().clients[0]?.refresh_tokens ?? [];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A refresh straight at the emulator, as another tool would: returns the new refresh token. */
async function refreshDirectly(
  emulator: RunningEmulator,
  c: Client,
  refreshToken: string,
): Promise<{ status: number; refreshToken?: string }> {
  const res = await fetch(`${emulator.url}/auth/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: c.clientId,
      client_secret: c.clientSecret,
    }).toString(),
  });
  const body = (await res.json()) as { refresh_token?: string };
  if (body.refresh_token) secrets.add(body.refresh_token);
  return {
    status: res.status,
    ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}),
  };
}

describe('switching targets', () => {
  it('another client id or URL never gets this target’s token, and switching back works', async () => {
    const cwd = await workdir();
    const a = await sandbox();
    const other = client('other');
    const b = await sandbox(other);
    // The same client id and even the same seed token as A, at another URL.
    const c = await sandbox();

    const first = await sync(cwd, envOf(a, DEFAULT));
    expect(first.code, first.err).toBe(0);
    const entryA = await entryFor(cwd, target(a, DEFAULT));
    expect(liveTokens(a)).toEqual([entryA.refreshToken]);
    expect(entryA.envTokenSha256).toBe(sha256(DEFAULT.refreshToken));

    for (const [emulator, who] of [
      [b, other],
      [c, DEFAULT],
    ] as const) {
      const run = await sync(cwd, envOf(emulator, who));
      expect(run.code, run.err).toBe(0);
      // Its own exported token, first time: one accepted refresh, no rejected attempt (a wrong
      // implementation would have tried A's stored token there first).
      expect(tokenCalls(emulator)).toEqual({ '200': 1 });
      expect(run.err).not.toContain('rolecall:');
      expect(await entryFor(cwd, target(a, DEFAULT))).toEqual(entryA);
    }
    expect(
      (await readCredentialsFile(cwd)).entries.map((e) => `${e.apiUrl} ${e.clientId}`),
    ).toEqual(
      [`${a.url} rolecall-sandbox`, `${b.url} rolecall-other`, `${c.url} rolecall-sandbox`].sort(),
    );

    // Back to A, nothing exported: A's stored token still works and is rotated.
    const back = await sync(cwd, { ...envOf(a, DEFAULT), FRESHBOOKS_REFRESH_TOKEN: undefined });
    expect(back.code, back.err).toBe(0);
    expect(tokenCalls(a)).toEqual({ '200': 2 });
    const rotated = await entryFor(cwd, target(a, DEFAULT));
    expect(rotated.refreshToken).not.toBe(entryA.refreshToken);
    expect(liveTokens(a)).toEqual([rotated.refreshToken]);
    // What it knew of the environment's token is kept.
    expect(rotated.envTokenSha256).toBe(entryA.envTokenSha256);

    const status = await rolecall(['auth', 'status'], cwd, envOf(b, other));
    expect(status.code, status.err).toBe(0);
    expect(status.out).toContain(
      [
        'token store: file .rolecall/credentials.json',
        `target: ${b.url} (client rolecall-other)`,
        'refresh token: from the token store (this target’s entry; FRESHBOOKS_REFRESH_TOKEN holds the older token it was rotated from)',
        'other targets in the store:',
        ...[`  ${a.url} (client rolecall-sandbox)`, `  ${c.url} (client rolecall-sandbox)`].sort(),
        'identity: alice@acme.example (id 5001)',
      ].join('\n'),
    );
  });
});

describe('a sandbox restarted on the same URL and client id', () => {
  it('a new exported token is used at once and replaces the stored one', async () => {
    const cwd = await workdir();
    const first = client('first', 'rolecall-sandbox');
    let sandboxNow = await sandbox(first);
    expect((await sync(cwd, envOf(sandboxNow, first))).code).toBe(0);

    const second = { ...first, refreshToken: 'sandbox-refresh-second-0123456789abcdef' };
    sandboxNow = await restart(sandboxNow, second);
    const run = await sync(cwd, envOf(sandboxNow, second));
    expect(run.code, run.err).toBe(0);
    expect(run.err).not.toContain('already used or revoked');
    // The exported token went first: not one rejected refresh.
    expect(tokenCalls(sandboxNow)).toEqual({ '200': 1 });
    expect(run.err).toContain(
      `rolecall: using FRESHBOOKS_REFRESH_TOKEN for ${sandboxNow.url} (client rolecall-sandbox), not the stored token: the store has not seen it (a restarted sandbox, a new login), so it replaces the stored one; unset FRESHBOOKS_REFRESH_TOKEN to keep the stored token, or run \`rolecall auth logout\` to forget it\n`,
    );
    const entry = await entryFor(cwd, target(sandboxNow, second));
    expect(liveTokens(sandboxNow)).toEqual([entry.refreshToken]);
    expect(entry.envTokenSha256).toBe(sha256(second.refreshToken));

    // The next run with the same environment: the stored token, quietly.
    const again = await sync(cwd, envOf(sandboxNow, second));
    expect(again.code, again.err).toBe(0);
    expect(again.err).not.toContain('rolecall:');
    expect(tokenCalls(sandboxNow)).toEqual({ '200': 2 });
  });

  it('the same exported token again (a fixed seed): the stored one is rejected, the exported one used', async () => {
    const cwd = await workdir();
    let sandboxNow = await sandbox();
    expect((await sync(cwd, envOf(sandboxNow, DEFAULT))).code).toBe(0);
    sandboxNow = await restart(sandboxNow, DEFAULT);
    const run = await sync(cwd, envOf(sandboxNow, DEFAULT));
    expect(run.code, run.err).toBe(0);
    expect(tokenCalls(sandboxNow)).toEqual({ '400': 1, '200': 1 });
    expect(run.err).toContain(
      `rolecall: FreshBooks rejected the token stored for ${sandboxNow.url} (client rolecall-sandbox) (already used or revoked, e.g. by a restarted sandbox); using FRESHBOOKS_REFRESH_TOKEN instead, which replaces it\n`,
    );
    expect(liveTokens(sandboxNow)).toEqual([
      (await entryFor(cwd, target(sandboxNow, DEFAULT))).refreshToken,
    ]);
  });

  it('nothing exported and the stored token dead: the error says what to do', async () => {
    const cwd = await workdir();
    let sandboxNow = await sandbox();
    expect((await sync(cwd, envOf(sandboxNow, DEFAULT))).code).toBe(0);
    sandboxNow = await restart(sandboxNow, DEFAULT);
    const run = await sync(cwd, { ...envOf(sandboxNow, DEFAULT), FRESHBOOKS_REFRESH_TOKEN: '' });
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `rolecall: FreshBooks rejected the token stored in file .rolecall/credentials.json for ${sandboxNow.url} (client rolecall-sandbox): already used or revoked — export a new FRESHBOOKS_REFRESH_TOKEN (a restarted sandbox prints one) or run \`rolecall auth login\`; \`rolecall auth logout\` forgets the stored token\n`,
    );
  });
});

describe('rolecall auth logout', () => {
  it('forgets only this target, revokes the token at FreshBooks, and the emulator rejects it', async () => {
    const cwd = await workdir();
    const a = await sandbox();
    const other = client('logout');
    const b = await sandbox(other);
    expect((await sync(cwd, envOf(a, DEFAULT))).code).toBe(0);
    expect((await sync(cwd, envOf(b, other))).code).toBe(0);
    const entryA = await entryFor(cwd, target(a, DEFAULT));
    const entryB = await entryFor(cwd, target(b, other));

    const out = await rolecall(['auth', 'logout'], cwd, envOf(a, DEFAULT));
    expect(out.code, out.err).toBe(0);
    expect(out.out).toBe(
      [
        `forgot the credentials for ${a.url} (client rolecall-sandbox) in file .rolecall/credentials.json`,
        `revoked the refresh token at ${a.url}`,
        `still stored: ${b.url} (client rolecall-logout)`,
        'FRESHBOOKS_REFRESH_TOKEN is still set: the next command uses it; unset it to stay logged out',
        '',
      ].join('\n'),
    );
    expect(a.control.requests().byRoute['POST /auth/oauth/revoke']).toEqual({ '200': 1 });
    expect(liveTokens(a)).toEqual([]);
    expect((await refreshDirectly(a, DEFAULT, entryA.refreshToken)).status).toBe(400);
    const file = await readCredentialsFile(cwd);
    expect(file.entries).toEqual([entryB]);

    // Nothing left for A: without an exported token there is no token at all.
    const after = await sync(cwd, { ...envOf(a, DEFAULT), FRESHBOOKS_REFRESH_TOKEN: undefined });
    expect(after.code).toBe(1);
    expect(after.err).toContain(
      `no FreshBooks refresh token for ${a.url} (client rolecall-sandbox): set FRESHBOOKS_REFRESH_TOKEN`,
    );
    const again = await rolecall(['auth', 'logout'], cwd, envOf(a, DEFAULT));
    expect(again.code).toBe(0);
    expect(again.out).toContain(
      `no credentials stored for ${a.url} (client rolecall-sandbox) in file .rolecall/credentials.json; nothing to do\n`,
    );
  });

  it('when revoking fails, still forgets locally, says so and exits 3', async () => {
    const cwd = await workdir();
    const other = client('unrevoked');
    const b = await sandbox(other);
    expect((await sync(cwd, envOf(b, other))).code).toBe(0);
    const entry = await entryFor(cwd, target(b, other));
    b.control.configure({ faultTokenEndpoint: true });
    b.control.queueFault('503', 'POST /auth/oauth/revoke');
    const env = { ...envOf(b, other), FRESHBOOKS_REFRESH_TOKEN: undefined };
    const out = await rolecall(['auth', 'logout'], cwd, env);
    expect(out.code).toBe(3);
    expect(out.err).toBe(
      `rolecall: could not revoke the refresh token at ${b.url} (POST /auth/oauth/revoke answered HTTP 503); if it may have leaked, revoke rolecall's access in FreshBooks\n`,
    );
    expect(out.out).toBe(
      `forgot the credentials for ${b.url} (client rolecall-unrevoked) in file .rolecall/credentials.json\n`,
    );
    // The last entry gone, the file is gone; the token itself is still alive at FreshBooks.
    await expect(readFile(join(cwd, '.rolecall', 'credentials.json'))).rejects.toThrow(/ENOENT/);
    expect(liveTokens(b)).toEqual([entry.refreshToken]);
  });
});

describe('the baton connector’s variable names', () => {
  it('BATON_FB_CLIENT_ID, BATON_FB_CLIENT_SECRET and BATON_REFRESH_TOKEN work alone', async () => {
    const cwd = await workdir();
    const baton = client('baton');
    const e = await sandbox(baton);
    const run = await sync(cwd, {
      FRESHBOOKS_API_URL: e.url,
      BATON_FB_CLIENT_ID: baton.clientId,
      BATON_FB_CLIENT_SECRET: baton.clientSecret,
      BATON_REFRESH_TOKEN: baton.refreshToken,
    });
    expect(run.code, run.err).toBe(0);
    expect(run.err).not.toContain('rolecall:');
    expect(liveTokens(e)).toEqual([(await entryFor(cwd, target(e, baton))).refreshToken]);

    const login = await rolecall(
      ['auth', 'login', '--redirect-uri', 'https://localhost/rolecall/callback'],
      cwd,
      { BATON_FB_CLIENT_ID: baton.clientId },
    );
    expect(login.code, login.err).toBe(0);
    expect(login.out).toContain('client_id=rolecall-baton&');
  });

  it('the FRESHBOOKS_ names win when both are set, and one line says so', async () => {
    const cwd = await workdir();
    const real = client('both');
    const e = await sandbox(real);
    const run = await sync(cwd, {
      ...envOf(e, real),
      BATON_FB_CLIENT_ID: 'someone-else',
      BATON_FB_CLIENT_SECRET: 'sandbox-secret-wrong-0123456789',
      BATON_REFRESH_TOKEN: 'sandbox-refresh-wrong-0123456789',
    });
    expect(run.code, run.err).toBe(0);
    expect(run.err.split('\n').filter((line) => line.startsWith('rolecall:'))).toEqual([
      'rolecall: BATON_FB_CLIENT_ID, BATON_FB_CLIENT_SECRET and BATON_REFRESH_TOKEN differ from FRESHBOOKS_CLIENT_ID, FRESHBOOKS_CLIENT_SECRET and FRESHBOOKS_REFRESH_TOKEN, which are used (unset one of the names to silence this)',
    ]);
    expect(run.err).not.toContain('sandbox-secret-wrong');

    // Even when the FRESHBOOKS_ one is the bad one: it is still the one used.
    const elsewhere = await workdir();
    const used = await sync(elsewhere, {
      ...envOf(e, real),
      FRESHBOOKS_REFRESH_TOKEN: real.refreshToken, // spent by the run above
      BATON_REFRESH_TOKEN: liveTokens(e)[0],
    });
    expect(used.code).toBe(1);
    expect(used.err).toContain(
      'rolecall: BATON_REFRESH_TOKEN differs from FRESHBOOKS_REFRESH_TOKEN, which is used',
    );
    expect(used.err).toContain('this refresh token was already used or revoked');
  });
});

describe('a version-1 credentials file', () => {
  const v1 = (refreshToken: string) =>
    `${JSON.stringify({ version: 1, refreshToken, updatedAt: '2026-01-01T00:00:00.000Z' })}\n`;

  async function withV1(refreshToken: string): Promise<string> {
    const cwd = await workdir();
    await mkdir(join(cwd, '.rolecall'), { mode: 0o700 });
    await writeFile(join(cwd, '.rolecall', 'credentials.json'), v1(refreshToken), { mode: 0o600 });
    return cwd;
  }

  it('keeps working with nothing exported, and is migrated to version 2', async () => {
    const old = client('v1-alone');
    const e = await sandbox(old);
    const cwd = await withV1(old.refreshToken);
    const run = await sync(cwd, { ...envOf(e, old), FRESHBOOKS_REFRESH_TOKEN: undefined });
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain(
      `rolecall: file .rolecall/credentials.json was written by an older rolecall and records no API URL or client id: trying its token for ${e.url} (client rolecall-v1-alone)`,
    );
    const file = await readCredentialsFile(cwd);
    expect(file.version).toBe(2);
    expect(file.unclaimed).toBeUndefined();
    expect(file.entries.map((x) => x.refreshToken)).toEqual(liveTokens(e));
  });

  it('the upgrade: a stale exported token gives way to the file’s rotated one, once', async () => {
    const old = client('v1-upgrade');
    const e = await sandbox(old);
    // rolecall before targets: the exported token was rotated, the successor is in the file.
    const { refreshToken: rotated } = await refreshDirectly(e, old, old.refreshToken);
    const cwd = await withV1(rotated as string);
    const run = await sync(cwd, envOf(e, old));
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain(
      'rolecall: FreshBooks rejected FRESHBOOKS_REFRESH_TOKEN (already used or revoked); trying the token store’s entry from an older rolecall (no target recorded)',
    );
    const entry = await entryFor(cwd, target(e, old));
    expect(entry.envTokenSha256).toBe(sha256(old.refreshToken));
    expect((await readCredentialsFile(cwd)).unclaimed).toBeUndefined();
    // The stale token is known now: the next run goes straight to the stored one.
    const next = await sync(cwd, envOf(e, old));
    expect(next.code, next.err).toBe(0);
    expect(next.err).not.toContain('rolecall:');
    expect(tokenCalls(e)).toEqual({ '200': 3, '400': 1 });
  });

  it('another target’s version-1 token is kept for it, and claimed by it later', async () => {
    const production = client('v1-production');
    const sandboxClient = client('v1-sandbox');
    const p = await sandbox(production);
    const s = await sandbox(sandboxClient);
    const cwd = await withV1(production.refreshToken);
    const onSandbox = await sync(cwd, envOf(s, sandboxClient));
    expect(onSandbox.code, onSandbox.err).toBe(0);
    // The sandbox's own token worked: the old entry was never sent to it.
    expect(tokenCalls(s)).toEqual({ '200': 1 });
    expect((await readCredentialsFile(cwd)).unclaimed?.refreshToken).toBe(production.refreshToken);

    const onProduction = await sync(cwd, {
      ...envOf(p, production),
      FRESHBOOKS_REFRESH_TOKEN: undefined,
    });
    expect(onProduction.code, onProduction.err).toBe(0);
    const file = await readCredentialsFile(cwd);
    expect(file.unclaimed).toBeUndefined();
    expect(file.entries.map((x) => x.clientId).sort()).toEqual([
      'rolecall-v1-production',
      'rolecall-v1-sandbox',
    ]);
    expect(liveTokens(p)).toEqual([(await entryFor(cwd, target(p, production))).refreshToken]);
  });
});

describe('secrets', () => {
  it('no token or client secret in any stdout or stderr of the runs above', () => {
    expect(outputs.length).toBeGreaterThan(40);
    expect(secrets.size).toBeGreaterThan(20);
    for (const { what, text } of outputs) {
      for (const secret of secrets) {
        expect(text.includes(secret), `${what} contains a secret`).toBe(false);
      }
    }
  });
});
