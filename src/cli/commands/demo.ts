import { EXIT } from '../../errors.js';
import { nowFrom } from '../../flows/clock.js';
import { runDemo } from '../../flows/demo.js';
import type { Console } from '../../ports.js';
import { parseCommandArgs } from '../args.js';

const HELP = `Usage: rolecall demo

Runs rolecall end to end against its embedded FreshBooks sandbox (offline, a few seconds):
plans the example policy (policies/acme-books.yaml) against a seeded business that has drifted
from it, applies the plan, plans again, and shows what a manual task looks like. Nothing
outside a temporary directory is written; the real FreshBooks is never contacted.
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {});
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  return (await runDemo(io, { now: nowFrom(io.env) })).exitCode;
}
