import { open, readFile, rm, stat } from 'node:fs/promises';
import { RolecallError } from '../errors.js';

export interface FileLockOptions {
  /** Shown in the error when the lock stays taken. */
  shown: string;
  /** How long to wait for a live holder before giving up. Default 30 s. */
  waitMs?: number;
  /** A lock file older than this is a crash's leftover whoever holds it. Default 60 s. */
  staleMs?: number;
}

const POLL_MS = 25;

/**
 * Runs `fn` while holding `lockPath`, a file created exclusively (`wx`) that holds our pid. The
 * credentials file keeps several targets: a save is read, change one entry, write — and two
 * processes saving different targets at once must not write back each other's old token (it
 * is single-use: the lost one would lock that target out). The section inside is a read and
 * an atomic write, milliseconds; a lock whose holder is gone (a dead pid on this machine, or
 * older than `staleMs`) is a crash's leftover and is removed.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: FileLockOptions,
): Promise<T> {
  const waitMs = options.waitMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const started = Date.now();
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`, 'utf8');
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockPath, staleMs)) {
      // Two processes breaking the same leftover at once could remove each other's fresh
      // lock; that needs a crash inside the section first, and then two saves in the same
      // milliseconds. Accepted, and said here.
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() - started > waitMs) {
      throw new RolecallError(
        'CREDENTIALS_LOCKED',
        `${options.shown} stayed locked by another rolecall for ${Math.round(waitMs / 1000)} s; if none is running, delete ${lockPath}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  let text: string;
  let age: number;
  try {
    text = await readFile(lockPath, 'utf8');
    age = Date.now() - (await stat(lockPath)).mtimeMs;
  } catch (error) {
    // Released between our attempt and this look: not stale, just try again.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (age > staleMs) return true;
  const pid = Number.parseInt(text, 10);
  // An empty file is a holder between `open` and its write: alive.
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // ESRCH: no such process. EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
