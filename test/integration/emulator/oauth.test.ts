import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { call, refresh, testClock, type Tokens } from './support.js';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const TOKEN = '/auth/oauth/token';
const ME = '/auth/api/v1/users/me';

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

describe('POST /auth/oauth/token, refresh_token grant', () => {
  const combinations = [
    { body: 'form', credentials: 'body' },
    { body: 'form', credentials: 'basic' },
    { body: 'json', credentials: 'body' },
    { body: 'json', credentials: 'basic' },
  ] as const;

  it.each(combinations)(
    'accepts a $body body with credentials in the $credentials',
    async ({ body, credentials }) => {
      emu = await startEmulator();
      const { clientId, clientSecret, refreshToken } = emu.credentials;
      const fields: Record<string, string> = {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      };
      const headers: Record<string, string> = {};
      if (credentials === 'body')
        Object.assign(fields, { client_id: clientId, client_secret: clientSecret });
      else headers['authorization'] = basic(clientId, clientSecret);
      const answer = await call(
        emu,
        'POST',
        TOKEN,
        body === 'json' ? { json: fields, headers } : { form: fields, headers },
      );
      expect(answer.status).toBe(200);
      const tokens = answer.body as Tokens & Record<string, unknown>;
      expect(tokens).toMatchObject({
        token_type: 'Bearer',
        expires_in: 43200,
        direct_buy_tokens: {},
      });
      expect(tokens.access_token).toMatch(/^[0-9a-f]{64}$/);
      expect(tokens.refresh_token).not.toBe(refreshToken);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const me = await call(emu, 'GET', ME, { token: tokens.access_token });
      expect(me.status).toBe(200);
    },
  );

  it('rotates: the new refresh token works once, the old one is dead at once (invalid_grant)', async () => {
    emu = await startEmulator();
    const first = await refresh(emu);
    const reuse = await call(emu, 'POST', TOKEN, {
      form: {
        grant_type: 'refresh_token',
        client_id: emu.credentials.clientId,
        client_secret: emu.credentials.clientSecret,
        refresh_token: emu.credentials.refreshToken,
      },
    });
    expect(reuse.status).toBe(400);
    expect(reuse.body).toMatchObject({ error: 'invalid_grant' });
    expect((reuse.body as { error_description: string }).error_description).toMatch(/invalid/);
    const second = await refresh(emu, first.refresh_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await expect(refresh(emu, first.refresh_token)).rejects.toThrow(/400.*invalid_grant/);
    // The access token of the older grant keeps working until it expires (Doorkeeper-like).
    expect((await call(emu, 'GET', ME, { token: first.access_token })).status).toBe(200);
  });

  it('refuses a wrong secret, an unknown client and mismatched double credentials', async () => {
    emu = await startEmulator();
    const { clientId, clientSecret, refreshToken } = emu.credentials;
    const wrong = await call(emu, 'POST', TOKEN, {
      json: {
        grant_type: 'refresh_token',
        client_id: clientId,
        client_secret: 'nope',
        refresh_token: refreshToken,
      },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_client' });
    const unknown = await call(emu, 'POST', TOKEN, {
      headers: { authorization: basic('someone-else', clientSecret) },
      form: { grant_type: 'refresh_token', refresh_token: refreshToken },
    });
    expect(unknown.status).toBe(401);
    const mixed = await call(emu, 'POST', TOKEN, {
      headers: { authorization: basic(clientId, clientSecret) },
      form: { grant_type: 'refresh_token', client_id: 'other', refresh_token: refreshToken },
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body).toMatchObject({ error: 'invalid_request' });
    // None of the refusals spent the refresh token.
    expect((await refresh(emu)).access_token).toBeTruthy();
  });

  it('answers unsupported_grant_type and invalid_request for missing fields', async () => {
    emu = await startEmulator();
    const { clientId, clientSecret } = emu.credentials;
    const creds = { client_id: clientId, client_secret: clientSecret };
    const password = await call(emu, 'POST', TOKEN, { form: { grant_type: 'password', ...creds } });
    expect([password.status, (password.body as { error: string }).error]).toEqual([
      400,
      'unsupported_grant_type',
    ]);
    const noToken = await call(emu, 'POST', TOKEN, {
      form: { grant_type: 'refresh_token', ...creds },
    });
    expect([noToken.status, (noToken.body as { error: string }).error]).toEqual([
      400,
      'invalid_request',
    ]);
    const noGrant = await call(emu, 'POST', TOKEN, { form: creds });
    expect((noGrant.body as { error: string }).error).toBe('invalid_request');
  });
});

describe('authorization_code grant', () => {
  async function exchange(target: RunningEmulator, code: string, redirectUri: string | undefined) {
    const form: Record<string, string> = {
      grant_type: 'authorization_code',
      client_id: target.credentials.clientId,
      client_secret: target.credentials.clientSecret,
      code,
    };
    if (redirectUri !== undefined) form['redirect_uri'] = redirectUri;
    return call(target, 'POST', TOKEN, { form });
  }

  it('exchanges a minted code once; a second exchange is invalid_grant', async () => {
    emu = await startEmulator();
    const code = emu.control.mintCode({ client_id: emu.credentials.clientId });
    const ok = await exchange(emu, code, emu.credentials.redirectUri);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 43200 });
    const again = await exchange(emu, code, emu.credentials.redirectUri);
    expect([again.status, (again.body as { error: string }).error]).toEqual([400, 'invalid_grant']);
  });

  it('expires codes after five minutes (injected clock)', async () => {
    const clock = testClock();
    emu = await startEmulator({ now: clock.now });
    const fresh = emu.control.mintCode({ client_id: emu.credentials.clientId });
    const stale = emu.control.mintCode({ client_id: emu.credentials.clientId });
    clock.advance(4 * 60 * 1000 + 59 * 1000);
    expect((await exchange(emu, fresh, emu.credentials.redirectUri)).status).toBe(200);
    clock.advance(1000);
    const late = await exchange(emu, stale, emu.credentials.redirectUri);
    expect([late.status, (late.body as { error: string }).error]).toEqual([400, 'invalid_grant']);
  });

  it('binds the code to its redirect URI', async () => {
    emu = await startEmulator();
    const redirect = 'http://127.0.0.1:8976/callback';
    const code = emu.control.mintCode({
      client_id: emu.credentials.clientId,
      redirect_uri: redirect,
    });
    const missing = await exchange(
      emu,
      emu.control.mintCode({ client_id: emu.credentials.clientId }),
      undefined,
    );
    expect((missing.body as { error: string }).error).toBe('invalid_request');
    const wrong = await exchange(emu, code, 'https://evil.example/cb');
    expect((wrong.body as { error: string }).error).toBe('invalid_grant');
    const mintedOverHttp = await call(emu, 'POST', '/_emulator/oauth/codes', {
      json: { client_id: emu.credentials.clientId, redirect_uri: redirect },
    });
    expect(mintedOverHttp.status).toBe(201);
    const ok = await exchange(emu, (mintedOverHttp.body as { code: string }).code, redirect);
    expect(ok.status).toBe(200);
  });
});

describe('access token lifetime', () => {
  it('expires by TTL (injected clock), answering the published 401 body', async () => {
    const clock = testClock();
    emu = await startEmulator({ now: clock.now, accessTokenTtlSeconds: 60 });
    const tokens = await refresh(emu);
    expect(tokens.expires_in).toBe(60);
    clock.advance(59_999);
    expect((await call(emu, 'GET', ME, { token: tokens.access_token })).status).toBe(200);
    clock.advance(1);
    const expired = await call(emu, 'GET', ME, { token: tokens.access_token });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({
      error: 'unauthenticated',
      error_description: 'This action requires authentication to continue.',
    });
    // Refreshing gives a working token again.
    expect(
      (
        await call(emu, 'GET', ME, {
          token: (await refresh(emu, tokens.refresh_token)).access_token,
        })
      ).status,
    ).toBe(200);
  });

  it('defaults to 12 hours', async () => {
    const clock = testClock();
    emu = await startEmulator({ now: clock.now });
    const { access_token } = await refresh(emu);
    clock.advance(12 * 3600 * 1000 - 1);
    expect((await call(emu, 'GET', ME, { token: access_token })).status).toBe(200);
    clock.advance(1);
    expect((await call(emu, 'GET', ME, { token: access_token })).status).toBe(401);
  });

  it('dies after N requests', async () => {
    emu = await startEmulator({ accessTokenMaxRequests: 3 });
    const { access_token } = await refresh(emu);
    const statuses = [];
    for (let i = 0; i < 5; i += 1)
      statuses.push((await call(emu, 'GET', ME, { token: access_token })).status);
    expect(statuses).toEqual([200, 200, 200, 401, 401]);
  });

  it('answers 401 for a missing, malformed or unknown token', async () => {
    emu = await startEmulator();
    expect((await call(emu, 'GET', ME)).status).toBe(401);
    expect((await call(emu, 'GET', ME, { headers: { authorization: 'Token abc' } })).status).toBe(
      401,
    );
    expect((await call(emu, 'GET', ME, { token: 'f'.repeat(64) })).status).toBe(401);
  });
});

describe('POST /auth/oauth/revoke', () => {
  it('revoking the refresh token kills the grant (both tokens); unknown tokens still get 200 {}', async () => {
    emu = await startEmulator();
    const tokens = await refresh(emu);
    const creds = {
      client_id: emu.credentials.clientId,
      client_secret: emu.credentials.clientSecret,
    };
    const revoked = await call(emu, 'POST', '/auth/oauth/revoke', {
      json: { ...creds, token: tokens.refresh_token },
    });
    expect([revoked.status, revoked.body]).toEqual([200, {}]);
    expect((await call(emu, 'GET', ME, { token: tokens.access_token })).status).toBe(401);
    await expect(refresh(emu, tokens.refresh_token)).rejects.toThrow(/invalid_grant/);
    const unknown = await call(emu, 'POST', '/auth/oauth/revoke', {
      form: { ...creds, token: 'not-a-token' },
    });
    expect([unknown.status, unknown.body]).toEqual([200, {}]);
    const badClient = await call(emu, 'POST', '/auth/oauth/revoke', {
      form: { client_id: creds.client_id, client_secret: 'wrong', token: tokens.refresh_token },
    });
    expect(badClient.status).toBe(401);
  });
});
