import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RolecallError } from '../../../src/errors.js';
import { withFileLock } from '../../../src/freshbooks/with-file-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolecall-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('withFileLock', () => {
  it('runs one section at a time and removes the lock after, also after a throw', async () => {
    const lock = join(dir, 'c.json.lock');
    const events: string[] = [];
    const section = (name: string) =>
      withFileLock(
        lock,
        async () => {
          events.push(`${name} in`);
          await new Promise((resolve) => setTimeout(resolve, 30));
          events.push(`${name} out`);
        },
        { shown: 'c.json' },
      );
    await Promise.all([section('a'), section('b'), section('c')]);
    // Never two inside at once: every "in" is followed by its own "out".
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i + 1]).toBe((events[i] as string).replace(' in', ' out'));
    }
    await expect(
      withFileLock(lock, () => Promise.reject(new Error('boom')), { shown: 'c.json' }),
    ).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual([]);
  });

  it('a lock held by a live process is waited for, then named in a clear error', async () => {
    const lock = join(dir, 'c.json.lock');
    // This process is alive: its lock is never taken for a leftover.
    await writeFile(lock, `${process.pid}\n`);
    const error = await withFileLock(lock, async () => 'ran', { shown: 'c.json', waitMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RolecallError);
    expect((error as RolecallError).code).toBe('CREDENTIALS_LOCKED');
    expect((error as Error).message).toContain(`if none is running, delete ${lock}`);
  });

  it('a lock older than staleMs is a leftover, whoever wrote it', async () => {
    const lock = join(dir, 'c.json.lock');
    await writeFile(lock, `${process.pid}\n`);
    const past = new Date(Date.parse('2020-01-01T00:00:00Z'));
    await utimes(lock, past, past);
    expect(await withFileLock(lock, async () => 'ran', { shown: 'c.json' })).toBe('ran');
    expect(await readdir(dir)).toEqual([]);
  });
});
