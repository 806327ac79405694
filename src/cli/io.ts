import type { Console } from '../ports.js';

/** A command: flags in, exit code out; everything it touches comes through the `Console`. */
export type CommandRun = (args: string[], io: Console) => Promise<number>;
