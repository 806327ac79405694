import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
} from '../../support/fake-github/index.js';
import { addStandardTokens, TOKENS } from '../../support/fake-github/client.js';
import { createGitHubSecretStore } from '../../../src/github/token-store-github-secret.js';
import { clearRegisteredSecrets, redact } from '../../../src/redact.js';
import { RolecallError } from '../../../src/errors.js';

const OLD = 'sandbox-refresh-old-000000000000000000';
const NEW = 'sandbox-refresh-new-111111111111111111';
const clock = { now: () => new Date('2026-05-01T12:00:00Z') };

let gh: FakeGitHub;
let repo: FakeRepo;

beforeAll(async () => {
  gh = await startFakeGitHub();
  addStandardTokens(gh);
});
afterAll(() => gh.close());
beforeEach(() => {
  repo = gh.world.repo('acme', `access-${Math.random().toString(36).slice(2)}`);
  gh.clearRequests();
});
afterEach(() => clearRegisteredSecrets());

function env(extra: Record<string, string> = {}) {
  return {
    GITHUB_API_URL: gh.url,
    GITHUB_REPOSITORY: repo.fullName,
    GITHUB_TOKEN: TOKENS.actions,
    ROLECALL_SECRETS_TOKEN: TOKENS.secrets,
    FRESHBOOKS_REFRESH_TOKEN: OLD,
    ...extra,
  };
}

const store = (spec: string, e = env()) =>
  createGitHubSecretStore(spec, e, { clock, retry: false });

describe('the GitHub secret token store', () => {
  it('round trip: load reads the env var and writes it back unchanged; save seals the new one so that the repository key opens it', async () => {
    const s = store('github-secret:FRESHBOOKS_REFRESH_TOKEN');
    expect(s.describe()).toBe(
      `GitHub repository secret FRESHBOOKS_REFRESH_TOKEN in ${repo.fullName}`,
    );
    expect(await s.load()).toEqual({ refreshToken: OLD, updatedAt: '2026-05-01T12:00:00.000Z' });
    // The proof that the token can write: the current value, written back.
    expect(repo.secretValue('FRESHBOOKS_REFRESH_TOKEN')).toBe(OLD);
    expect(gh.calls('PUT')).toHaveLength(1);
    await s.save({ refreshToken: NEW, updatedAt: '2026-05-01T12:00:01.000Z' });
    expect(repo.secretValue('FRESHBOOKS_REFRESH_TOKEN')).toBe(NEW);
    // The same process now sees the new token; the environment variable is stale.
    expect(await s.load()).toEqual({ refreshToken: NEW, updatedAt: '2026-05-01T12:00:01.000Z' });

    const put = gh.calls('PUT')[0];
    expect(put?.path).toBe(`/repos/${repo.fullName}/actions/secrets/FRESHBOOKS_REFRESH_TOKEN`);
    expect(put?.body).toEqual({
      encrypted_value: expect.any(String) as unknown as string,
      key_id: repo.repoSecrets.keyId,
    });
    expect(gh.calls('PUT')).toHaveLength(2);
    expect(JSON.stringify(gh.requests)).not.toContain(NEW);
    expect(JSON.stringify(gh.requests)).not.toContain(OLD);
    // The token travelled with the secrets token, never GITHUB_TOKEN.
    expect(gh.calls('GET', /public-key$/)).toHaveLength(1);
    expect(redact(`saved ${NEW}`)).toBe('saved [REDACTED]');
  });

  it('the PUT completes before save resolves', async () => {
    const s = store('github-secret:FRESHBOOKS_REFRESH_TOKEN');
    const held = gh.hold('PUT', /\/actions\/secrets\/FRESHBOOKS_REFRESH_TOKEN$/);
    let resolved = false;
    const saving = s.save({ refreshToken: NEW, updatedAt: 'x' }).then(() => {
      resolved = true;
    });
    await held.arrived;
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false);
    expect(repo.secretValue('FRESHBOOKS_REFRESH_TOKEN')).toBeNull();
    held.release();
    await saving;
    expect(resolved).toBe(true);
    expect(repo.secretValue('FRESHBOOKS_REFRESH_TOKEN')).toBe(NEW);
  });

  it('writes an environment secret with the environment key', async () => {
    repo.environment('freshbooks-production');
    const s = store('github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production');
    await s.save({ refreshToken: NEW, updatedAt: 'x' });
    expect(repo.secretValue('FRESHBOOKS_REFRESH_TOKEN', 'freshbooks-production')).toBe(NEW);
    expect(repo.secretValue('FRESHBOOKS_REFRESH_TOKEN')).toBeNull();
    expect(gh.calls('PUT')[0]?.path).toBe(
      `/repos/${repo.fullName}/environments/freshbooks-production/secrets/FRESHBOOKS_REFRESH_TOKEN`,
    );
  });

  it('re-reads a rotated public key once (422) and succeeds', async () => {
    const s = store('github-secret:FRESHBOOKS_REFRESH_TOKEN');
    await s.load();
    gh.failNext('PUT', /\/actions\/secrets\//, 422);
    await s.save({ refreshToken: NEW, updatedAt: 'x' });
    expect(repo.secretValue('FRESHBOOKS_REFRESH_TOKEN')).toBe(NEW);
    expect(gh.calls('GET', /public-key$/)).toHaveLength(2);
  });

  it('a refused write says GITHUB_TOKEN cannot write secrets and what to configure', async () => {
    // A token without "Secrets: write" (like GITHUB_TOKEN) passed as the secrets token.
    const s = store(
      'github-secret:FRESHBOOKS_REFRESH_TOKEN',
      env({ ROLECALL_SECRETS_TOKEN: TOKENS.actions }),
    );
    const error = await s.save({ refreshToken: NEW, updatedAt: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolecallError);
    const message = (error as RolecallError).message;
    expect((error as RolecallError).code).toBe('SECRET_WRITE_REFUSED');
    expect(message).toContain(
      `GitHub refused to read the public key for repository secret FRESHBOOKS_REFRESH_TOKEN in ${repo.fullName} (HTTP 403)`,
    );
    expect(message).toContain('ROLECALL_SECRETS_TOKEN cannot write it');
    expect(message).toContain(
      'fine-grained personal access token for this repository with "Secrets: Read and write"',
    );
    expect(message).toContain('GitHub App installation token');
    expect(message).toContain('was NOT saved');
    expect(message).not.toContain(NEW);
  });

  it('a refused PUT (403 after the key was readable) gives the same guidance', async () => {
    const s = store('github-secret:FRESHBOOKS_REFRESH_TOKEN');
    gh.failNext('PUT', /\/actions\/secrets\//, 403);
    await expect(s.save({ refreshToken: NEW, updatedAt: 'x' })).rejects.toThrow(
      /GitHub refused to write repository secret FRESHBOOKS_REFRESH_TOKEN .*\(HTTP 403\): ROLECALL_SECRETS_TOKEN cannot write it/,
    );
  });

  it('a missing environment: 404, with the hint to check it', async () => {
    const s = store('github-secret:FRESHBOOKS_REFRESH_TOKEN@nope');
    await expect(s.save({ refreshToken: NEW, updatedAt: 'x' })).rejects.toThrow(
      /\(HTTP 404\).*"Environments: Read and write".*Check that the environment "nope" exists/,
    );
  });

  it('load checks the public key before the refresh token is spent', async () => {
    const s = store(
      'github-secret:FRESHBOOKS_REFRESH_TOKEN',
      env({ ROLECALL_SECRETS_TOKEN: TOKENS.actions }),
    );
    await expect(s.load()).rejects.toThrow(/HTTP 403/);
    expect(gh.writes()).toHaveLength(0);
  });

  it.each([
    ['repository', 'github-secret:FRESHBOOKS_REFRESH_TOKEN', undefined],
    [
      'environment',
      'github-secret:FRESHBOOKS_REFRESH_TOKEN@freshbooks-production',
      'freshbooks-production',
    ],
  ])(
    'a read-only token (%s secret) fails in load, before anything is spent, saying so and how to fix it',
    async (_kind, spec, environment) => {
      if (environment) repo.environment(environment);
      const s = store(spec, env({ ROLECALL_SECRETS_TOKEN: TOKENS.secretsReadOnly }));
      const error = await s.load().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RolecallError);
      const { code, message } = error as RolecallError;
      expect(code).toBe('SECRET_WRITE_REFUSED');
      expect(message).toMatch(
        /^GitHub refused to write (repository|environment) secret .*\(HTTP 403\)/,
      );
      expect(message).toContain('ROLECALL_SECRETS_TOKEN cannot write it');
      expect(message).toContain('"Secrets: Read and write"');
      expect(message).toContain(
        'Nothing was spent: rolecall checks that it can write the secret before it uses the FreshBooks refresh token',
      );
      expect(message).not.toContain('was NOT saved');
      expect(message).not.toContain(OLD);
      expect(gh.calls('PUT').map((r) => r.status)).toEqual([403]);
      expect(repo.secretValue('FRESHBOOKS_REFRESH_TOKEN', environment)).toBeNull();
    },
  );

  it('the write-back in load re-reads a rotated public key once (422)', async () => {
    const s = store('github-secret:FRESHBOOKS_REFRESH_TOKEN');
    gh.failNext('PUT', /\/actions\/secrets\//, 422);
    expect(await s.load()).toMatchObject({ refreshToken: OLD });
    expect(repo.secretValue('FRESHBOOKS_REFRESH_TOKEN')).toBe(OLD);
    expect(gh.calls('GET', /public-key$/)).toHaveLength(2);
  });

  it('load writes back once per process: a second load neither reads nor writes', async () => {
    const s = store('github-secret:FRESHBOOKS_REFRESH_TOKEN');
    await s.load();
    await s.load();
    expect(gh.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
  });

  it('without ROLECALL_SECRETS_TOKEN, refuses at construction, naming GITHUB_TOKEN', () => {
    const e = env();
    delete (e as Partial<typeof e>).ROLECALL_SECRETS_TOKEN;
    expect(() => createGitHubSecretStore('github-secret:FRESHBOOKS_REFRESH_TOKEN', e)).toThrow(
      /needs ROLECALL_SECRETS_TOKEN to write the rotated refresh token: GITHUB_TOKEN cannot write secrets/,
    );
  });

  it('load returns null when the secret is not set', async () => {
    expect(await store('github-secret:OTHER_SECRET').load()).toBeNull();
  });
});
