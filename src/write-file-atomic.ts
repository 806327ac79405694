import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RolecallError } from './errors.js';

export interface AtomicWriteOptions {
  /** The new file's mode (before the umask). Default 0o666, as `writeFile`. */
  mode?: number;
  /**
   * Also fsync the directory after the rename, so that the new file survives a power loss
   * once the promise resolves (the credentials store: the old refresh token is already spent).
   */
  syncDirectory?: boolean;
}

const POSIX = process.platform !== 'win32';

/**
 * Writes a whole file so that a reader never sees half of it: a temp file in the same
 * directory, fsync, rename. The one writer for plan files, snapshots, review packs, imported
 * policies and the credentials store. Each write has its own temp file (random name, created
 * exclusively), so concurrent writes of one file never mix: the last rename wins whole.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx', options.mode ?? 0o666);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    if (options.syncDirectory) await syncDirectory(dir);
  } catch (error) {
    await rm(temp, { force: true });
    throw new RolecallError('WRITE_FAILED', `cannot write ${path}: ${(error as Error).message}`);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  if (!POSIX) return; // Windows cannot open a directory for fsync; rename is already durable there.
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
