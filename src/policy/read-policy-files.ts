import type { Dirent } from 'node:fs';
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Diagnostic } from '../types.js';
import type { PolicySource } from './validate-documents.js';

const POLICY_FILE = /\.ya?ml$/i;

/** Diagnostics show paths relative to the working directory, with `/` on every platform. */
export function display(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  return shown.split(sep).join('/');
}

/**
 * Why an entry under the policy directory is refused without being read. Only regular files
 * and directories are policy data: anything else could make the working tree and git disagree
 * about what the policy says, or pull in content that changes outside `policies/**`.
 */
export type NotRegular = 'symlink' | 'submodule' | 'special';

const REFUSED: Record<NotRegular, string> = {
  symlink:
    'is a symbolic link: rolecall refuses links under the policy directory, because the target ' +
    'can sit outside it (where edits trigger no plan and get no review) and the policy read from ' +
    'git would differ from the one read from disk; commit the file itself instead',
  submodule:
    'is a git submodule: rolecall refuses submodules and nested repositories under the policy ' +
    'directory, because their files change in another repository (where edits trigger no plan ' +
    'and get no review here); commit the files themselves instead',
  special:
    'is not a regular file (a FIFO, socket, device or directory): policy files must be regular files',
};

/** The diagnostic for a refused entry: the same code and text from both loaders. */
export function notRegularFile(shown: string, kind: NotRegular): Diagnostic {
  return problem('NOT_A_REGULAR_FILE', `${shown} ${REFUSED[kind]}`, shown);
}

export interface Discovered {
  /** Regular `*.yaml`/`*.yml` files, to be read with `readPolicy`. */
  files: string[];
  /** Entries refused without being opened. */
  refused: Array<{ path: string; kind: NotRegular }>;
}

/**
 * Every `*.yaml`/`*.yml` under `root`, recursively, sorted. Hidden directories (`.git`) and
 * `node_modules` are skipped. Types come from `readdir` (lstat semantics), so no link is ever
 * followed: every symbolic link, whatever its name or target (file, directory, nothing), is
 * refused — git stores only the link, so the at-commit reader could not see what it points to
 * — and so are `root` itself when it is a link, a directory holding `.git` (a submodule or
 * nested repository: its history is not this one), and a FIFO, socket or device named like a
 * policy file.
 */
export async function discover(root: string): Promise<Discovered> {
  const files: string[] = [];
  const refused: Discovered['refused'] = [];
  if ((await lstat(root).catch(() => undefined))?.isSymbolicLink()) {
    return { files, refused: [{ path: root, kind: 'symlink' }] };
  }
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        refused.push({ path, kind: 'symlink' });
      } else if (entry.isDirectory()) {
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        if (await lstat(join(path, '.git')).catch(() => undefined)) {
          refused.push({ path, kind: 'submodule' });
        } else {
          pending.push(path);
        }
      } else if (POLICY_FILE.test(entry.name)) {
        if (entry.isFile()) files.push(path);
        else refused.push({ path, kind: 'special' });
      }
    }
  }
  refused.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: files.sort(), refused };
}

export function problem(code: string, message: string, file?: string): Diagnostic {
  return file === undefined
    ? { severity: 'error', code, message }
    : { severity: 'error', code, message, source: { file, line: 1, col: 1 } };
}

/** Where the first byte that breaks UTF-8 sits (line and byte column, 1-based). */
export function firstInvalidUtf8(bytes: Uint8Array): { offset: number; line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let length = 0;
    let min = 0;
    if (b < 0x80) length = 1;
    else if (b >= 0xc2 && b <= 0xdf) [length, min] = [2, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [length, min] = [3, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [length, min] = [4, 0x10000];
    let ok = length > 0 && i + length <= bytes.length;
    let cp = length === 1 ? b : b & (0xff >> (length + 1));
    for (let k = 1; ok && k < length; k++) {
      const c = bytes[i + k] as number;
      if ((c & 0xc0) !== 0x80) ok = false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && length > 1 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
      ok = false;
    if (!ok) return { offset: i, line, col: i - lineStart + 1 };
    if (b === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    i += length;
  }
  return { offset: bytes.length, line, col: bytes.length - lineStart + 1 };
}

/**
 * Opening flags: never through a link (O_NOFOLLOW: the check in `discover` and the open are not
 * atomic, so a link swapped in between is refused here rather than followed), and without
 * blocking (O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever).
 * Platforms without a flag get 0 for it.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a file, refusing it before reading when it is a link or not a regular file (checked on
 * the open descriptor, so what is checked is what is read), when it is larger than the limit (a
 * 50 MB file is never loaded into memory) and when it is not valid UTF-8.
 */
export async function readPolicy(
  path: string,
  shown: string,
  maxBytes: number,
): Promise<PolicySource | Diagnostic> {
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
    const info = await handle.stat();
    if (!info.isFile()) return notRegularFile(shown, 'special');
    const { size } = info;
    if (size > maxBytes) {
      return problem(
        'FILE_TOO_LARGE',
        `file is ${size} bytes; policy files are limited to ${maxBytes} bytes`,
        shown,
      );
    }
    const bytes = await handle.readFile();
    try {
      return { file: shown, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      const at = firstInvalidUtf8(bytes);
      const diagnostic = problem(
        'INVALID_ENCODING',
        `the file is not valid UTF-8 (byte ${at.offset + 1})`,
        shown,
      );
      if (diagnostic.source) Object.assign(diagnostic.source, { line: at.line, col: at.col });
      return diagnostic;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    // O_NOFOLLOW on a link: ELOOP on Linux and macOS, EMLINK on FreeBSD.
    if (code === 'ELOOP' || code === 'EMLINK') return notRegularFile(shown, 'symlink');
    return problem('READ_FAILED', `cannot read the file (${code})`, shown);
  } finally {
    await handle?.close();
  }
}
