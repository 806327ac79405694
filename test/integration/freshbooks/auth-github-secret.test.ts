/**
 * The github-secret token store holds one raw token and no target: the target binding of the
 * file store must leave it working — rotation, `auth status`, and `auth logout`, which revokes
 * the token but cannot empty a secret and says so.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import { startFakeGitHub, type FakeGitHub } from '../../support/fake-github/index.js';
import { bufferIo } from '../../support/buffer-io.js';
import { ACME } from './emulator-harness.js';

const SECRET = 'FRESHBOOKS_REFRESH_TOKEN';
const STORE = ['--token-store', `github-secret:${SECRET}`];

let emulator: RunningEmulator;
let gh: FakeGitHub;
let cwd: string;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, accessTokenTtlSeconds: 60 });
  gh = await startFakeGitHub();
  addStandardTokens(gh);
  cwd = await mkdtemp(join(tmpdir(), 'rolecall-gh-store-'));
});
afterAll(async () => {
  await emulator.close();
  await gh.close();
  await rm(cwd, { recursive: true, force: true });
});

const outputs: string[] = [];

/** The environment of a workflow step: the secret injected under its own name. */
function stepEnv(secretValue: string): Record<string, string> {
  return {
    FRESHBOOKS_API_URL: emulator.url,
    FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
    FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
    [SECRET]: secretValue,
    GITHUB_API_URL: gh.url,
    GITHUB_REPOSITORY: 'acme/access',
    ROLECALL_SECRETS_TOKEN: TOKENS.secrets,
  };
}

async function rolecall(args: string[], env: Record<string, string>) {
  const io = bufferIo({ env, cwd });
  const code = await main(args, io);
  outputs.push(io.out(), io.err());
  return { code, out: io.out(), err: io.err() };
}

const live = () => emulator.control.dumpState().clients[0]?.refresh_tokens ?? [];

describe('github-secret token store', () => {
  it('rotates into the secret run after run, quietly, and logout revokes what it holds', async () => {
    const repo = gh.world.repo('acme', 'access');
    const seen = new Set([emulator.credentials.refreshToken, emulator.credentials.clientSecret]);

    const first = await rolecall(
      ['sync', '--business', String(ACME), ...STORE],
      stepEnv(emulator.credentials.refreshToken),
    );
    expect(first.code, first.err).toBe(0);
    const rotated = repo.secretValue(SECRET) as string;
    seen.add(rotated);
    expect(live()).toEqual([rotated]);

    const second = await rolecall(['sync', '--business', String(ACME), ...STORE], stepEnv(rotated));
    expect(second.code, second.err).toBe(0);
    expect(second.err).not.toContain('rolecall:');
    const current = repo.secretValue(SECRET) as string;
    seen.add(current);
    expect(live()).toEqual([current]);

    const status = await rolecall(['auth', 'status', ...STORE], stepEnv(current));
    expect(status.code, status.err).toBe(0);
    expect(status.out).toContain(
      `token store: GitHub repository secret ${SECRET} in acme/access\ntarget: ${emulator.url} (client rolecall-sandbox)\nrefresh token: from the token store (its one token)\nidentity: alice@acme.example`,
    );
    const afterStatus = repo.secretValue(SECRET) as string;
    seen.add(afterStatus);

    const logout = await rolecall(['auth', 'logout', ...STORE], stepEnv(afterStatus));
    expect(logout.code, logout.err).toBe(0);
    expect(logout.out).toBe(
      [
        `GitHub repository secret ${SECRET} in acme/access cannot be emptied by rolecall: delete it, or store a new token with \`rolecall auth login\``,
        `revoked the refresh token at ${emulator.url}`,
        '',
      ].join('\n'),
    );
    expect(emulator.control.requests().byRoute['POST /auth/oauth/revoke']).toEqual({ '200': 1 });
    expect(live()).toEqual([]);
    expect(repo.secretValue(SECRET)).toBe(afterStatus);

    for (const text of outputs) for (const secret of seen) expect(text).not.toContain(secret);
  });

  it('auth login --code straight into the environment secret: the token is never on disk or screen', async () => {
    const repo = gh.world.repo('acme', 'access');
    repo.environment('freshbooks-production');
    const oauthCode = emulator.control.mintCode({ client_id: emulator.credentials.clientId });
    const env: Record<string, string> = {
      ...stepEnv(''),
      FRESHBOOKS_REDIRECT_URI: emulator.credentials.redirectUri,
    };
    delete env[SECRET];
    const login = await rolecall(
      [
        'auth',
        'login',
        '--code',
        oauthCode,
        '--token-store',
        `github-secret:${SECRET}@freshbooks-production`,
      ],
      env,
    );
    expect(login.code, login.err).toBe(0);
    expect(login.out).toContain(
      `logged in as alice@acme.example (identity 5001); tokens saved to GitHub environment secret ${SECRET} (environment freshbooks-production) in acme/access`,
    );
    const stored = repo.secretValue(SECRET, 'freshbooks-production') as string;
    expect(stored).toMatch(/\S{24,}/);
    expect(live()).toContain(stored);
    expect(login.out + login.err).not.toContain(stored);
    expect(login.out + login.err).not.toContain(oauthCode);
    expect(await readdir(cwd)).not.toContain('.rolecall');
  });
});
