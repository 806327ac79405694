import type { CliIo } from '../../src/cli/io.js';

export interface BufferIo extends CliIo {
  out(): string;
  err(): string;
}

/** A CliIo that records what a command prints; env defaults to an empty, colourless one. */
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
