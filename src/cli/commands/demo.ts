import type { CliIo } from '../io.js';

export async function run(_args: string[], io: CliIo): Promise<number> {
  io.stdout.write(
    'rolecall demo: not yet — the planner lands with issue 5. Try `rolecall validate` now.\n',
  );
  return 0;
}
