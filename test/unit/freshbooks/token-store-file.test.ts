import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RolecallError } from '../../../src/errors.js';
import { createFileTokenStore } from '../../../src/freshbooks/token-store-file.js';
import { clearRegisteredSecrets, redact } from '../../../src/redact.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolecall-store-'));
});
afterEach(async () => {
  clearRegisteredSecrets();
  await rm(dir, { recursive: true, force: true });
});

const creds = {
  refreshToken: 'sandbox-refresh-aaaaaaaaaaaaaaaaaaaa',
  accessToken: 'sandbox-access-bbbbbbbbbbbbbbbbbbbb',
  accessTokenExpiresAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T00:00:00.000Z',
};

describe('file token store', () => {
  it('loads nothing before the first save', async () => {
    const store = createFileTokenStore(join(dir, '.rolecall', 'credentials.json'));
    expect(await store.load()).toBeNull();
  });

  it('round-trips, with file mode 0600 in a new 0700 directory and no temp file left', async () => {
    const path = join(dir, '.rolecall', 'credentials.json');
    const store = createFileTokenStore(path, { cwd: dir });
    await store.save(creds);
    expect(await store.load()).toEqual(creds);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, '.rolecall'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, '.rolecall'))).toEqual(['credentials.json']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1, ...creds });
    expect(store.describe()).toBe('file .rolecall/credentials.json');
  });

  it('replaces the file whole on every save (the newest token wins, never a mix)', async () => {
    const path = join(dir, 'credentials.json');
    const store = createFileTokenStore(path);
    await store.save(creds);
    await store.save({
      refreshToken: 'sandbox-refresh-cccccccccccccccccccc',
      updatedAt: creds.updatedAt,
    });
    expect(await store.load()).toEqual({
      refreshToken: 'sandbox-refresh-cccccccccccccccccccc',
      updatedAt: creds.updatedAt,
    });
    // Many concurrent saves: the file is always one complete version.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.save({
          refreshToken: `sandbox-refresh-${String(i).padStart(20, '0')}`,
          updatedAt: creds.updatedAt,
        }),
      ),
    );
    const loaded = await store.load();
    expect(loaded?.refreshToken).toMatch(/^sandbox-refresh-\d{20}$/);
    expect(await readdir(dir)).toEqual(['credentials.json']);
  });

  it('registers what it loads as secrets', async () => {
    const path = join(dir, 'credentials.json');
    await createFileTokenStore(path).save(creds);
    clearRegisteredSecrets();
    await createFileTokenStore(path).load();
    expect(redact(`x ${creds.refreshToken} y ${creds.accessToken}`)).toBe(
      'x [REDACTED] y [REDACTED]',
    );
  });

  it('refuses a credentials file other users can read', async () => {
    const path = join(dir, 'credentials.json');
    await createFileTokenStore(path).save(creds);
    await chmod(path, 0o644);
    const error = await createFileTokenStore(path)
      .load()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolecallError);
    expect((error as Error).message).toContain('chmod 600');
    expect((error as Error).message).not.toContain(creds.refreshToken);
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['{"version":2,"refreshToken":"x"}', 'not a rolecall credentials file'],
    ['{"version":1}', 'not a rolecall credentials file'],
  ])('explains a broken file %j', async (content, message) => {
    const path = join(dir, 'credentials.json');
    await writeFile(path, content, { mode: 0o600 });
    await expect(createFileTokenStore(path).load()).rejects.toThrow(message);
  });

  it('leaves an existing directory’s mode alone', async () => {
    const sub = join(dir, 'shared');
    await mkdir(sub, { mode: 0o755 });
    await chmod(sub, 0o755);
    await createFileTokenStore(join(sub, 'c.json')).save(creds);
    expect((await stat(sub)).mode & 0o777).toBe(0o755);
    expect((await stat(join(sub, 'c.json'))).mode & 0o777).toBe(0o600);
  });
});
