import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { bufferIo } from '../../support/buffer-io.js';
import { startHarness, type Harness } from './emulator-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

async function rolecall(args: string[], env: Record<string, string | undefined> = h.env) {
  const io = bufferIo({ env, cwd: h.cwd });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('rolecall auth login', () => {
  it('prints the authorize URL with the client id, redirect URI and the contract’s scopes', async () => {
    const { code, out } = await rolecall([
      'auth',
      'login',
      '--redirect-uri',
      'https://localhost/rolecall/callback',
    ]);
    expect(code).toBe(0);
    expect(out).toContain(
      '  https://auth.freshbooks.com/oauth/authorize?client_id=rolecall-sandbox&response_type=code&redirect_uri=https%3A%2F%2Flocalhost%2Frolecall%2Fcallback&scope=user%3Aprofile%3Aread%20user%3Ateams%3Aread%20user%3Aaccount%3Aread%20user%3Ateams%3Awrite%20user%3Aaccount%3Awrite\n',
    );
    expect(out).toContain(
      'rolecall auth login --code CODE --redirect-uri https://localhost/rolecall/callback',
    );
  });

  it('needs a redirect URI', async () => {
    const { code, err } = await rolecall(['auth', 'login']);
    expect(code).toBe(1);
    expect(err).toContain('--redirect-uri');
  });

  it('exchanges a code, stores the tokens (0600) and shows who they act as', async () => {
    const redirect = h.emulator.credentials.redirectUri;
    const oauthCode = h.emulator.control.mintCode({ client_id: h.env.FRESHBOOKS_CLIENT_ID });
    const env = { ...h.env, FRESHBOOKS_REFRESH_TOKEN: undefined };
    const { code, out, err } = await rolecall(
      ['auth', 'login', '--code', oauthCode, '--redirect-uri', redirect],
      env,
    );
    expect(code, err).toBe(0);
    expect(out).toBe(
      [
        'logged in as alice@acme.example (identity 5001); tokens saved to file .rolecall/credentials.json',
        'businesses:',
        '  240340  Acme Books Inc. (account Xk9Pq2), role admin',
        '  240341  Acme Holdings LLC (account Hd7Lm3), role admin',
        '',
      ].join('\n'),
    );
    expect((await stat(join(h.cwd, '.rolecall', 'credentials.json'))).mode & 0o777).toBe(0o600);
    expect(out + err).not.toContain(oauthCode);

    // A code is single-use.
    const again = await rolecall(
      ['auth', 'login', '--code', oauthCode, '--redirect-uri', redirect],
      env,
    );
    expect(again.code).toBe(1);
    expect(again.err).toContain('the authorization code was already used, has expired');
    expect(again.err).not.toContain(oauthCode);
  });

  it('status: identity, businesses and the store in use — no secret', async () => {
    const { code, out, err } = await rolecall(['auth', 'status'], {
      ...h.env,
      FRESHBOOKS_REFRESH_TOKEN: undefined,
    });
    expect(code, err).toBe(0);
    expect(out).toBe(
      [
        'token store: file .rolecall/credentials.json',
        `target: ${h.emulator.url} (client rolecall-sandbox)`,
        'refresh token: from the token store (this target’s entry)',
        'other targets in the store: none',
        'identity: alice@acme.example (id 5001)',
        'businesses:',
        '  240340  Acme Books Inc. (account Xk9Pq2), role admin',
        '  240341  Acme Holdings LLC (account Hd7Lm3), role admin',
        '',
      ].join('\n'),
    );
  });

  it('status with another, empty store says the environment token would be used', async () => {
    const { out } = await rolecall(['auth', 'status', '--token-store', 'file:other/creds.json']);
    expect(out).toContain(
      `token store: file other/creds.json\ntarget: ${h.emulator.url} (client rolecall-sandbox)\nrefresh token: from FRESHBOOKS_REFRESH_TOKEN (the token store has no entry for this target yet; the first refresh fills it)\nother targets in the store: none\n`,
    );
  });

  it('without client credentials, names the missing variables', async () => {
    const { code, err } = await rolecall(
      ['auth', 'status', '--token-store', 'file:empty/creds.json'],
      {
        FRESHBOOKS_API_URL: h.emulator.url,
        FRESHBOOKS_REFRESH_TOKEN: 'some-refresh-token-value',
      },
    );
    expect(code).toBe(1);
    expect(err).toContain('FRESHBOOKS_CLIENT_ID and FRESHBOOKS_CLIENT_SECRET are not set');
  });

  it('a credentials file it cannot read is reported before the single-use code is spent', async () => {
    await mkdir(join(h.cwd, 'broken'), { mode: 0o700 });
    await writeFile(join(h.cwd, 'broken', 'creds.json'), 'not json', { mode: 0o600 });
    const redirect = h.emulator.credentials.redirectUri;
    const oauthCode = h.emulator.control.mintCode({ client_id: h.env.FRESHBOOKS_CLIENT_ID });
    const refused = await rolecall([
      'auth',
      'login',
      '--code',
      oauthCode,
      '--redirect-uri',
      redirect,
      '--token-store',
      'file:broken/creds.json',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      'rolecall: broken/creds.json is not valid JSON; fix or delete it, then run `rolecall auth login`\n',
    );
    // The code still works.
    const ok = await rolecall([
      'auth',
      'login',
      '--code',
      oauthCode,
      '--redirect-uri',
      redirect,
      '--token-store',
      'file:fixed/creds.json',
    ]);
    expect(ok.code, ok.err).toBe(0);
  });

  it('--help documents login, logout and status, and the baton names', async () => {
    const { code, out } = await rolecall(['auth', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: rolecall auth <login\|logout\|status>/);
    for (const text of [
      'rolecall auth login --code CODE',
      'rolecall auth logout\n',
      'rolecall auth status\n',
      'BATON_FB_CLIENT_ID, BATON_FB_CLIENT_SECRET, BATON_REFRESH_TOKEN',
    ]) {
      expect(out).toContain(text);
    }
  });

  it.each([
    [['auth', 'logoff'], /unknown auth command "logoff": use login, logout or status/],
    [['auth', 'status', 'extra'], /unexpected argument "extra"/],
  ])('usage: %j', async (args, message) => {
    const { code, err } = await rolecall(args);
    expect(code).toBe(1);
    expect(err).toMatch(message);
  });

  it('refuses plain http to anything but loopback', async () => {
    const { code, err } = await rolecall(['auth', 'status'], {
      ...h.env,
      FRESHBOOKS_API_URL: 'http://api.example.com',
    });
    expect(code).toBe(1);
    expect(err).toContain('FRESHBOOKS_API_URL must be https');
  });
});
