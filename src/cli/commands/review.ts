import { RolecallError } from '../../errors.js';
import type { CliIo } from '../io.js';

// Placeholder until its issue lands; replaced by the real command.
export async function run(_args: string[], _io: CliIo): Promise<number> {
  throw new RolecallError('NOT_YET', '`rolecall review` is not available yet');
}
