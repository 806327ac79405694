/**
 * What a command may touch of its process. `main` passes the real process; tests pass
 * buffers, so commands run in-process, fast, with no global state to reset.
 */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Reads one line from the terminal, for confirmations; absent when stdin is not a TTY. */
  prompt?: (question: string) => Promise<string>;
}

export type CommandRun = (args: string[], io: CliIo) => Promise<number>;

/** True when colour may be used on this stream (TTY, and `NO_COLOR` unset). */
export function colorEnabled(io: CliIo, stream: OutputStream = io.stdout): boolean {
  return Boolean(stream.isTTY) && !io.env['NO_COLOR'] && io.env['TERM'] !== 'dumb';
}

/** True inside a GitHub Actions job. */
export function inGitHubActions(io: CliIo): boolean {
  return io.env['GITHUB_ACTIONS'] === 'true';
}
