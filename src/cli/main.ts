#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { terminalSafe } from '../plan/terminal-text.js';
import { EXIT, RolecallError } from '../errors.js';
import { redact } from '../redact.js';
import { toolVersion } from '../paths.js';
import { COMMANDS } from './commands.js';
import { closestName } from './did-you-mean.js';
import type { Console } from '../ports.js';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'rolecall — FreshBooks access as code',
    '',
    'Usage: rolecall <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `rolecall <command> --help` for the options of a command.',
    'Exit codes: 0 success, 1 error or invalid input, 2 changes or drift present',
    '(with --detailed-exitcode), 3 apply partly done.',
    '',
  ].join('\n');
}

/** Runs one command line; never throws. Returns the exit code. */
export async function main(argv: string[], io: Console): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return EXIT.OK;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${toolVersion()}\n`);
    return EXIT.OK;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(unknownCommand(name));
    return EXIT.ERROR;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io);
  }
}

/**
 * Terraform's answer to a typo: the closest command (or top-level option) when one is close,
 * and where to find the list; the whole usage only when nothing is close.
 */
function unknownCommand(name: string): string {
  const safe = terminalSafe(name);
  if (name.startsWith('-')) {
    const option = closestName(name.replace(/^-+/, ''), ['help', 'version']);
    return option
      ? `rolecall: unknown option ${safe} — did you mean --${option}?\n`
      : `rolecall: unknown option ${safe}\n\n${usage()}`;
  }
  const command = closestName(
    name,
    COMMANDS.map((c) => c.name),
  );
  return command
    ? `rolecall: unknown command "${safe}" — did you mean "${command}"?\nRun \`rolecall --help\` for the list of commands.\n`
    : `rolecall: unknown command "${safe}"\n\n${usage()}`;
}

/** Bad input is never shown with a stack; an internal error shows one only when asked. */
function reportError(error: unknown, io: Console): number {
  if (error instanceof RolecallError) {
    io.stderr.write(`rolecall: ${redact(error.message)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`rolecall: internal error: ${redact(message)}\n`);
  if (io.env['ROLECALL_DEBUG'] && error instanceof Error && error.stack) {
    io.stderr.write(`${redact(error.stack)}\n`);
  } else {
    io.stderr.write('(set ROLECALL_DEBUG=1 for details, and please report it)\n');
  }
  return EXIT.ERROR;
}

function processIo(): Console {
  const io: Console = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
  if (process.stdin.isTTY) {
    io.prompt = async (question: string) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const asked = new AbortController();
      // At a terminal readline takes Ctrl-C itself. Pass it on as the signal it stands for, at
      // once (listeners run synchronously), so a command that handles it (apply stops before
      // any write) sees it before the empty answer; otherwise the default: exit 130.
      rl.once('SIGINT', () => {
        asked.abort();
        if (process.listenerCount('SIGINT') > 0) process.emit('SIGINT', 'SIGINT');
        else process.kill(process.pid, 'SIGINT');
      });
      try {
        return await rl.question(question, { signal: asked.signal });
      } catch (error) {
        if (asked.signal.aborted) return '';
        throw error;
      } finally {
        rl.close();
      }
    };
  }
  return io;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const code = await main(process.argv.slice(2), processIo());
  // Exit once stdout has drained (a plan piped to a file must not be cut short), without
  // waiting for idle keep-alive sockets.
  process.stdout.write('', () => process.exit(code));
}
