/** Small questions about a `Console` (ports.ts) that flows and commands both ask. */
import type { Console, OutputStream } from './ports.js';

/** True when colour may be used on this stream (TTY, and `NO_COLOR` unset). */
export function colorEnabled(io: Console, stream: OutputStream = io.stdout): boolean {
  return Boolean(stream.isTTY) && !io.env['NO_COLOR'] && io.env['TERM'] !== 'dumb';
}

/** True inside a GitHub Actions job. */
export function inGitHubActions(io: Console): boolean {
  return io.env['GITHUB_ACTIONS'] === 'true';
}
