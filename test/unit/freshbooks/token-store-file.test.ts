import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RolecallError } from '../../../src/errors.js';
import { createFileTokenStore } from '../../../src/freshbooks/token-store-file.js';
import type { TokenTarget } from '../../../src/ports.js';
import { clearRegisteredSecrets, redact } from '../../../src/redact.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolecall-store-'));
});
afterEach(async () => {
  clearRegisteredSecrets();
  await rm(dir, { recursive: true, force: true });
});

const SANDBOX: TokenTarget = { apiUrl: 'http://127.0.0.1:8080', clientId: 'rolecall-sandbox' };
const PRODUCTION: TokenTarget = { apiUrl: 'https://api.freshbooks.com', clientId: 'prod-app' };
const OTHER_CLIENT: TokenTarget = { apiUrl: 'http://127.0.0.1:8080', clientId: 'other-app' };

const creds = {
  refreshToken: 'sandbox-refresh-aaaaaaaaaaaaaaaaaaaa',
  accessToken: 'sandbox-access-bbbbbbbbbbbbbbbbbbbb',
  accessTokenExpiresAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T00:00:00.000Z',
  envTokenSha256: 'e'.repeat(64),
};
const prodCreds = {
  refreshToken: 'production-refresh-cccccccccccccccccc',
  updatedAt: '2026-03-02T00:00:00.000Z',
};

const at = (path: string, target: TokenTarget | null = SANDBOX) =>
  createFileTokenStore(path, { target });

const v1 = {
  version: 1,
  refreshToken: 'legacy-refresh-dddddddddddddddddddd',
  accessToken: 'legacy-access-eeeeeeeeeeeeeeeeeeee',
  accessTokenExpiresAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
};

async function writeV1(path: string): Promise<void> {
  await writeFile(path, JSON.stringify(v1), { mode: 0o600 });
}

describe('file token store', () => {
  it('loads nothing before the first save', async () => {
    expect(await at(join(dir, '.rolecall', 'credentials.json')).load()).toBeNull();
  });

  it('round-trips as version 2, with file mode 0600 in a new 0700 directory and no temp or lock file left', async () => {
    const path = join(dir, '.rolecall', 'credentials.json');
    const store = createFileTokenStore(path, { cwd: dir, target: SANDBOX });
    await store.save(creds);
    expect(await store.load()).toEqual(creds);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, '.rolecall'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, '.rolecall'))).toEqual(['credentials.json']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      version: 2,
      entries: [{ ...SANDBOX, ...creds }],
    });
    expect(store.describe()).toBe('file .rolecall/credentials.json');
    expect(store.target).toEqual(SANDBOX);
  });

  it('keeps one entry per API URL and client id: each target sees only its own', async () => {
    const path = join(dir, 'credentials.json');
    await at(path, SANDBOX).save(creds);
    await at(path, PRODUCTION).save(prodCreds);
    expect(await at(path, SANDBOX).load()).toEqual(creds);
    expect(await at(path, PRODUCTION).load()).toEqual(prodCreds);
    // Same URL, another client; another URL, same client: nothing.
    expect(await at(path, OTHER_CLIENT).load()).toBeNull();
    expect(
      await at(path, { apiUrl: 'http://127.0.0.1:9090', clientId: 'rolecall-sandbox' }).load(),
    ).toBeNull();
    // Without a target (no client id configured) it hands out nothing and saves nothing.
    expect(await at(path, null).load()).toBeNull();
    await expect(at(path, null).save(creds)).rejects.toThrow(/client id/);
    expect(await at(path, null).inventory?.()).toEqual({
      // Sorted by URL, then client id: `http:` before `https:`.
      targets: [SANDBOX, PRODUCTION],
      unclaimed: false,
    });
  });

  it('a save replaces only its own entry, whole (the newest token wins, never a mix)', async () => {
    const path = join(dir, 'credentials.json');
    await at(path, PRODUCTION).save(prodCreds);
    const store = at(path, SANDBOX);
    await store.save(creds);
    await store.save({ refreshToken: 'sandbox-refresh-cccccccccccccccccccc', updatedAt: 'u' });
    expect(await store.load()).toEqual({
      refreshToken: 'sandbox-refresh-cccccccccccccccccccc',
      updatedAt: 'u',
    });
    expect(await at(path, PRODUCTION).load()).toEqual(prodCreds);
    // Many concurrent saves: the file is always one complete version.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.save({
          refreshToken: `sandbox-refresh-${String(i).padStart(20, '0')}`,
          updatedAt: creds.updatedAt,
        }),
      ),
    );
    expect((await store.load())?.refreshToken).toMatch(/^sandbox-refresh-\d{20}$/);
    expect(await at(path, PRODUCTION).load()).toEqual(prodCreds);
    expect(await readdir(dir)).toEqual(['credentials.json']);
  });

  it('concurrent saves for different targets keep each other’s token (the file is locked)', async () => {
    const path = join(dir, 'credentials.json');
    const targets = Array.from({ length: 8 }, (_, i) => ({
      apiUrl: `http://127.0.0.1:${8000 + i}`,
      clientId: 'rolecall-sandbox',
    }));
    await Promise.all(
      targets.map((target, i) =>
        at(path, target).save({ refreshToken: `refresh-for-target-${i}-xxxx`, updatedAt: 'u' }),
      ),
    );
    for (const [i, target] of targets.entries()) {
      expect((await at(path, target).load())?.refreshToken).toBe(`refresh-for-target-${i}-xxxx`);
    }
    expect(await readdir(dir)).toEqual(['credentials.json']);
  });

  it('breaks a lock left by a process that died', async () => {
    const path = join(dir, 'credentials.json');
    // A pid that surely is not running: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    await writeFile(`${path}.lock`, `${dead}\n`);
    await at(path).save(creds);
    expect(await at(path).load()).toEqual(creds);
    expect(await readdir(dir)).toEqual(['credentials.json']);
  });

  it('forget drops only this target’s entry, and the file with the last one', async () => {
    const path = join(dir, 'credentials.json');
    await at(path, SANDBOX).save(creds);
    await at(path, PRODUCTION).save(prodCreds);
    expect(await at(path, OTHER_CLIENT).forget?.()).toBe(false);
    expect(await at(path, SANDBOX).forget?.()).toBe(true);
    expect(await at(path, SANDBOX).load()).toBeNull();
    expect(await at(path, PRODUCTION).load()).toEqual(prodCreds);
    expect(await at(path, SANDBOX).forget?.()).toBe(false);
    expect(await at(path, PRODUCTION).forget?.()).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a version-1 file is an unclaimed entry, offered to a target without its own', async () => {
    const path = join(dir, 'credentials.json');
    await writeV1(path);
    const { version: _v, ...legacy } = v1;
    expect(await at(path, SANDBOX).load()).toEqual({ ...legacy, unclaimed: true });
    expect(await at(path, SANDBOX).inventory?.()).toEqual({ targets: [], unclaimed: true });
    // The file is untouched until a save.
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(v1);
  });

  it('a save migrates a version-1 file and keeps its entry unless claimed', async () => {
    const path = join(dir, 'credentials.json');
    const { version: _v, ...legacy } = v1;
    await writeV1(path);
    // The production token came from elsewhere: the old entry may still be someone's.
    await at(path, PRODUCTION).save(prodCreds);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      version: 2,
      entries: [{ ...PRODUCTION, ...prodCreds }],
      unclaimed: legacy,
    });
    expect(await at(path, SANDBOX).load()).toEqual({ ...legacy, unclaimed: true });
    expect(await at(path, PRODUCTION).load()).toEqual(prodCreds);
    // The sandbox rotated the old token: it was the sandbox's, and it is gone.
    await at(path, SANDBOX).save(creds, { claimUnclaimed: true });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      version: 2,
      entries: [
        { ...SANDBOX, ...creds },
        { ...PRODUCTION, ...prodCreds },
      ],
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('registers every token it loads as a secret, other targets’ too', async () => {
    const path = join(dir, 'credentials.json');
    await at(path, SANDBOX).save(creds);
    await at(path, PRODUCTION).save(prodCreds);
    clearRegisteredSecrets();
    await at(path, OTHER_CLIENT).load();
    expect(
      redact(`x ${creds.refreshToken} y ${creds.accessToken} z ${prodCreds.refreshToken}`),
    ).toBe('x [REDACTED] y [REDACTED] z [REDACTED]');
  });

  it('refuses a credentials file other users can read', async () => {
    const path = join(dir, 'credentials.json');
    await at(path).save(creds);
    await chmod(path, 0o644);
    const error = await at(path)
      .load()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolecallError);
    expect((error as RolecallError).code).toBe('CREDENTIALS_PERMISSIONS');
    expect((error as Error).message).toContain('chmod 600');
    expect((error as Error).message).not.toContain(creds.refreshToken);
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['{"version":2,"refreshToken":"x"}', 'not a rolecall credentials file'],
    ['{"version":1}', 'not a rolecall credentials file'],
    ['{"version":2,"entries":[{"apiUrl":"http://x","refreshToken":"r"}]}', 'not a rolecall'],
    ['{"version":2,"entries":[],"unclaimed":{}}', 'not a rolecall credentials file'],
    [
      '{"version":2,"entries":[{"apiUrl":"http://x","clientId":"c","refreshToken":"r1"},{"apiUrl":"http://x","clientId":"c","refreshToken":"r2"}]}',
      'two entries for http://x and client c',
    ],
    ['{"version":3,"entries":[]}', 'written by a newer rolecall (format version 3)'],
  ])('explains a broken file %j', async (content, message) => {
    const path = join(dir, 'credentials.json');
    await writeFile(path, content, { mode: 0o600 });
    const error = await at(path)
      .load()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolecallError);
    expect((error as RolecallError).code).toBe('CREDENTIALS_CORRUPT');
    expect((error as Error).message).toContain(message);
  });

  it('leaves an existing directory’s mode alone', async () => {
    const sub = join(dir, 'shared');
    await mkdir(sub, { mode: 0o755 });
    await chmod(sub, 0o755);
    await at(join(sub, 'c.json')).save(creds);
    expect((await stat(sub)).mode & 0o777).toBe(0o755);
    expect((await stat(join(sub, 'c.json'))).mode & 0o777).toBe(0o600);
  });
});
