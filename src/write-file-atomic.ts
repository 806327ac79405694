import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RolecallError } from './errors.js';

/**
 * Writes a whole file so that a reader never sees half of it: a temp file in the same
 * directory, fsync, rename. Used for plan files and snapshots (the credentials store has its
 * own, stricter variant with file modes and a directory fsync).
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new RolecallError('WRITE_FAILED', `cannot write ${path}: ${(error as Error).message}`);
  }
}
