import type { Console } from '../../src/ports.js';

export interface BufferIo extends Console {
  out(): string;
  err(): string;
}

/** A Console that records what a command prints; env defaults to an empty, colourless one. */
export function bufferIo(
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): BufferIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: false },
    stderr: { write: (text: string) => (err += text), isTTY: false },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    out: () => out,
    err: () => err,
  };
}
