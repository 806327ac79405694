import type { Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
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
 * Every `*.yaml`/`*.yml` under `root`, recursively, sorted. Hidden directories (`.git`) and
 * `node_modules` are skipped; symbolic links to directories are not followed (no cycles).
 */
export async function discover(root: string): Promise<string[]> {
  const found: string[] = [];
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
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') pending.push(path);
      } else if (POLICY_FILE.test(entry.name)) {
        if (entry.isFile()) found.push(path);
        else if (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile())
          found.push(path);
      }
    }
  }
  return found.sort();
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
 * Reads a file, refusing it before reading when it is larger than the limit (a 50 MB file is
 * never loaded into memory) and when it is not valid UTF-8.
 */
export async function readPolicy(
  path: string,
  shown: string,
  maxBytes: number,
): Promise<PolicySource | Diagnostic> {
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
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
    return problem('READ_FAILED', `cannot read the file (${code})`, shown);
  } finally {
    await handle?.close();
  }
}
