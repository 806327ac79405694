import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * Opens a JSONL file for appending. When a crash cut its last record short, the next record
 * starts on a fresh line, so one torn record never corrupts the one after it.
 * A file created here has its directory entry made durable too.
 */
export async function openForAppend(path: string, dir: string): Promise<FileHandle> {
  const handle = await open(path, 'a+');
  try {
    const { size } = await handle.stat();
    if (size === 0) {
      await syncDirectory(dir);
      return handle;
    }
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last.toString() !== '\n') {
      await handle.write('\n');
      await handle.datasync();
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Appends one line and flushes it to disk before resolving. */
export async function appendLine(handle: FileHandle, line: string): Promise<void> {
  await handle.write(`${line}\n`);
  await handle.datasync();
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported everywhere (Windows); the file's own fsync still holds.
  }
}
