/**
 * Secret rotation order, end to end: the FreshBooks client (against the emulator) with
 * `--token-store github-secret:FRESHBOOKS_REFRESH_TOKEN` (against the fake GitHub). After the
 * refresh, the rotated refresh token is written to the secret *before* the new access token is
 * used for anything; before the refresh, the current token is written back unchanged (the proof
 * that the secrets token can write, before the single-use refresh token is spent).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { connectFreshBooks } from '../../../src/freshbooks/connect.js';
import { clearRegisteredSecrets } from '../../../src/redact.js';
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';

let emulator: RunningEmulator;
let gh: FakeGitHub;
let cwd: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  cwd = mkdtempSync(join(tmpdir(), 'rolecall-rotation-'));
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
  rmSync(cwd, { recursive: true, force: true });
  clearRegisteredSecrets();
});

describe('github-secret token store with the FreshBooks client', () => {
  it('writes the rotated refresh token before the first use of the new access token', async () => {
    const repo = gh.world.repo('acme', 'access');
    const env = {
      FRESHBOOKS_API_URL: emulator.url,
      FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
      FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
      FRESHBOOKS_REFRESH_TOKEN: emulator.credentials.refreshToken,
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: repo.fullName,
      GITHUB_TOKEN: TOKENS.actions,
      ROLECALL_SECRETS_TOKEN: TOKENS.secrets,
    };
    const apiCalls = () =>
      emulator.control.requests().log.filter((e) => !e.path.startsWith('/auth/oauth/token'));
    const tokenCalls = () =>
      emulator.control.requests().log.filter((e) => e.path.startsWith('/auth/oauth/token'));
    const before = { api: apiCalls().length, token: tokenCalls().length };

    const secretPut = /\/actions\/secrets\/FRESHBOOKS_REFRESH_TOKEN$/;
    const proof = gh.hold('PUT', secretPut);
    const connection = await connectFreshBooks({
      env,
      cwd,
      tokenStore: 'github-secret:FRESHBOOKS_REFRESH_TOKEN',
      backoffBaseMs: 1,
      backoffCapMs: 2,
    });
    try {
      const whoami = connection.whoami();
      // First the write-back of the current token, held: the refresh token is not spent yet.
      await proof.arrived;
      await new Promise((r) => setTimeout(r, 50));
      expect(tokenCalls().length).toBe(before.token);
      expect(apiCalls().length).toBe(before.api);

      const held = gh.hold('PUT', secretPut);
      proof.release();
      await held.arrived;
      // The refresh happened; the secret write is in flight and held: nothing else may go out.
      await new Promise((r) => setTimeout(r, 50));
      expect(tokenCalls().length).toBe(before.token + 1);
      expect(apiCalls().length).toBe(before.api);
      // The secret still holds the token this job started with (written back unchanged).
      expect(repo.secretValue('FRESHBOOKS_REFRESH_TOKEN')).toBe(emulator.credentials.refreshToken);

      held.release();
      const identity = await whoami;
      expect(identity.email).toBe('alice@acme.example');
      expect(apiCalls().length).toBeGreaterThan(before.api);

      // The secret now holds the rotated token, which is the one FreshBooks accepts next.
      const rotated = repo.secretValue('FRESHBOOKS_REFRESH_TOKEN');
      expect(rotated).toBeTruthy();
      expect(rotated).not.toBe(emulator.credentials.refreshToken);
      const order = gh.requests.map((r) => `${r.method} ${r.route ?? r.path}`);
      expect(order).toEqual([
        'GET GET /repos/:owner/:repo/actions/secrets/public-key',
        'PUT PUT /repos/:owner/:repo/actions/secrets/:name',
        'PUT PUT /repos/:owner/:repo/actions/secrets/:name',
      ]);
    } finally {
      await connection.close();
    }

    // A later job starts from the secret's value and refreshes successfully.
    const next = await connectFreshBooks({
      env: { ...env, FRESHBOOKS_REFRESH_TOKEN: repo.secretValue('FRESHBOOKS_REFRESH_TOKEN') ?? '' },
      cwd,
      tokenStore: 'github-secret:FRESHBOOKS_REFRESH_TOKEN',
    });
    try {
      expect((await next.whoami()).email).toBe('alice@acme.example');
    } finally {
      await next.close();
    }
  });
});
