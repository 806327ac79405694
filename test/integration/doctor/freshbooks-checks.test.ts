/**
 * The FreshBooks side of `rolecall doctor` against the sandbox (the emulator in process): a
 * refresh that works and is saved; a token missing a write scope, a token store bound to
 * another target and an unreachable business each fail their own check, clearly. No secret
 * is ever printed.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { loadDefaultSeed } from '../../../src/emulator/index.js';
import { bufferIo } from '../../support/buffer-io.js';
import {
  accessRepository,
  check,
  notPassed,
  startHarness,
  type AccessRepository,
  type DoctorRun,
  type Harness,
} from './doctor-harness.js';

let h: Harness;
let ws: AccessRepository;
const outputs: string[] = [];

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  // Not one secret in anything doctor printed.
  const secrets = [h.emulator.credentials.clientSecret, h.emulator.credentials.refreshToken];
  for (const text of outputs) for (const secret of secrets) expect(text).not.toContain(secret);
  await h.close();
});
beforeEach(async () => {
  ws = await accessRepository(h);
});
afterEach(() => ws.close());

/** A laptop: no GitHub variables, the default file store; the job's refresh token exported. */
const LOCAL = {
  GITHUB_REPOSITORY: undefined,
  GITHUB_TOKEN: undefined,
  ROLECALL_DOCTOR_TOKEN: undefined,
  ROLECALL_SECRETS_TOKEN: undefined,
};

async function local(
  env: Record<string, string | undefined> = {},
  json = true,
  args: string[] = [],
): Promise<DoctorRun> {
  const run = await ws.run([...(json ? ['--json'] : []), ...args], {
    ...LOCAL,
    FRESHBOOKS_REFRESH_TOKEN: h.emulator.credentials.refreshToken,
    ...env,
  });
  outputs.push(run.out, run.err);
  return run;
}

const POLICY = 'policies/acme-books.yaml';

async function editPolicy(edit: (yaml: string) => string): Promise<void> {
  const path = join(ws.cwd, POLICY);
  await writeFile(path, edit(await readFile(path, 'utf8')));
}

describe('rolecall doctor, FreshBooks side', () => {
  it('a working token: refreshed, the rotated token saved for this target; GitHub not checked is a "?"', async () => {
    const run = await local();
    expect(notPassed(run)).toEqual(['github: unknown']);
    expect(run.code).toBe(0);
    expect(check(run, 'freshbooks.refresh').found).toBe(
      'refreshed; the rotated refresh token is saved in file .rolecall/credentials.json',
    );
    expect(check(run, 'freshbooks.businesses').found).toBe(
      'alice@acme.example is an admin of the business the policies name',
    );
    const file = JSON.parse(
      await readFile(join(ws.cwd, '.rolecall', 'credentials.json'), 'utf8'),
    ) as {
      entries: Array<{ apiUrl: string; clientId: string; refreshToken: string }>;
    };
    expect(file.entries.map((e) => [e.apiUrl, e.clientId])).toEqual([
      [h.emulator.url, h.emulator.credentials.clientId],
    ]);
    expect(file.entries[0]?.refreshToken).not.toBe(h.emulator.credentials.refreshToken);

    // The next run uses the stored (rotated) token; the exported one is spent.
    const again = await local();
    expect(check(again, 'freshbooks.store').found).toBe(
      `file .rolecall/credentials.json holds a refresh token for ${h.emulator.url} (client ${h.emulator.credentials.clientId})`,
    );
    expect(notPassed(again)).toEqual(['github: unknown']);
    // --strict: a check not verified fails the run.
    expect((await ws.run(['--json', '--strict'], LOCAL)).code).toBe(1);
  });

  it('a token missing the write scopes: freshbooks.scopes fails and says what it means', async () => {
    const code = h.emulator.control.mintCode({
      client_id: h.emulator.credentials.clientId,
      scope: 'user:profile:read user:teams:read user:account:read',
    });
    const io = bufferIo({
      env: { ...ws.env, ...LOCAL, FRESHBOOKS_REFRESH_TOKEN: undefined },
      cwd: ws.cwd,
    });
    const login = await main(
      ['auth', 'login', '--code', code, '--redirect-uri', 'https://localhost/rolecall/callback'],
      io,
    );
    expect(io.err()).toBe('');
    expect(login).toBe(0);

    const run = await local({ FRESHBOOKS_REFRESH_TOKEN: undefined });
    expect(notPassed(run)).toEqual(['freshbooks.scopes: fail', 'github: unknown']);
    const scopes = check(run, 'freshbooks.scopes');
    expect(scopes.found).toBe(
      'granted: user:profile:read user:teams:read user:account:read; missing user:teams:write user:account:write: apply cannot invite, change or remove anyone (240340 provision through the API), so every change would become a manual task',
    );
    expect(scopes.fix).toContain('run `rolecall auth login` and approve every scope');
    expect(scopes.fix).toContain('provisioning: {grant: manual, change: manual, revoke: manual}');
    expect(run.code).toBe(1);

    // A read-only deployment (every change provisioned by hand) needs no write scope.
    await editPolicy(
      (yaml) => `${yaml}\nprovisioning:\n  grant: manual\n  change: manual\n  revoke: manual\n`,
    );
    const readOnly = await local({ FRESHBOOKS_REFRESH_TOKEN: undefined });
    expect(notPassed(readOnly)).toEqual(['github: unknown']);
    expect(check(readOnly, 'freshbooks.scopes').found).toContain(
      'no write scope, and none needed: every policy provisions every change by hand',
    );
  });

  it('the emulator grants only scopes its client has', () => {
    expect(() =>
      h.emulator.control.mintCode({
        client_id: h.emulator.credentials.clientId,
        scope: 'user:profile:read admin:everything',
      }),
    ).toThrow("scope admin:everything is not one of the client's");
  });

  it('a token store bound to another target: freshbooks.store fails, naming both', async () => {
    const dir = join(ws.cwd, '.rolecall');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const path = join(dir, 'credentials.json');
    await writeFile(
      path,
      `${JSON.stringify({
        version: 2,
        entries: [
          {
            apiUrl: 'https://api.freshbooks.com',
            clientId: 'rolecall-production',
            refreshToken: 'production-refresh-token-0123456789',
            updatedAt: '2026-12-01T00:00:00.000Z',
          },
        ],
      })}\n`,
      { mode: 0o600 },
    );
    const run = await local({ FRESHBOOKS_REFRESH_TOKEN: undefined });
    expect(notPassed(run)).toEqual([
      'freshbooks.store: fail',
      'freshbooks.refresh: unknown',
      'freshbooks.scopes: unknown',
      'freshbooks.businesses: unknown',
      'github: unknown',
    ]);
    const store = check(run, 'freshbooks.store');
    expect(store.found).toBe(
      `file .rolecall/credentials.json holds tokens for https://api.freshbooks.com (client rolecall-production) only, none for ${h.emulator.url} (client ${h.emulator.credentials.clientId})`,
    );
    expect(store.fix).toContain(`\`rolecall auth login\` for ${h.emulator.url}`);
    expect(run.out).not.toContain('production-refresh-token');
  });

  it('an unreachable business: freshbooks.businesses fails, listing what the identity reaches', async () => {
    await editPolicy((yaml) => yaml.replace(/^business: 240340/m, 'business: 999999'));
    const run = await local();
    expect(notPassed(run)).toEqual(['freshbooks.businesses: fail', 'github: unknown']);
    expect(check(run, 'freshbooks.businesses').found).toBe(
      '999999 (policies/acme-books.yaml) is not reachable (alice@acme.example reaches: 240340, 240341)',
    );
  });

  it('a business where the identity is no admin fails the same check', async () => {
    const seed = loadDefaultSeed();
    const alice = seed.businesses
      .find((b) => b.id === 240340)
      ?.members?.find((m) => m.email === 'alice@acme.example');
    if (!alice) throw new Error('seed: no alice in Acme Books');
    alice.role = 'business_employee';
    h.emulator.control.loadState(seed);
    const run = await local();
    expect(check(run, 'freshbooks.businesses')).toMatchObject({
      status: 'fail',
      found:
        'Acme Books Inc. (240340): alice@acme.example is employee there (alice@acme.example reaches: 240340, 240341)',
    });
  });

  it('a spent refresh token: freshbooks.refresh fails with the way out', async () => {
    // The first run rotates the exported token away (the new one is in credentials.json).
    await local();
    const run = await local({}, true, ['--token-store', 'file:.rolecall/elsewhere.json']);
    expect(notPassed(run)).toEqual([
      'freshbooks.refresh: fail',
      'freshbooks.scopes: unknown',
      'freshbooks.businesses: unknown',
      'github: unknown',
    ]);
    expect(check(run, 'freshbooks.refresh').found).toContain('already used or revoked');
    expect(check(run, 'freshbooks.refresh').fix).toContain('`rolecall auth login`');
  });

  it('invalid policies and no client id: their own checks fail, the rest says why it could not tell', async () => {
    await editPolicy((yaml) => yaml.replace(/^business: 240340/m, 'business: 0x3AAD4'));
    const run = await local({ FRESHBOOKS_CLIENT_ID: undefined });
    expect(notPassed(run)).toEqual([
      'policies: fail',
      'freshbooks.store: fail',
      'freshbooks.refresh: unknown',
      'freshbooks.scopes: unknown',
      'freshbooks.businesses: unknown',
      'github: unknown',
    ]);
    expect(check(run, 'policies').fix).toBe(
      '`rolecall validate --policies policies` lists each problem with its file:line:col',
    );
  });

  it('prints ✗ with why and fix on the lines below, and exits 1', async () => {
    await editPolicy((yaml) => yaml.replace(/^business: 240340/m, 'business: 999999'));
    const run = await local({}, false);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /^✗ freshbooks\.businesses +999999 \(policies\/acme-books\.yaml\) is not reachable .*\n {4}why: rolecall acts as the identity the token belongs to.*\n {4}fix: log in as an admin of every business/m,
    );
    expect(run.out).toMatch(/^\? github +GitHub's settings were not checked/m);
    expect(run.out.trimEnd().split('\n').at(-1)).toBe(
      '10 checks: 8 passed, 1 unsafe, 1 not verified',
    );
  });
});
