/**
 * Step outputs (`$GITHUB_OUTPUT`), written with the multiline form
 *
 *   name<<ghadelimiter_<uuid>
 *   value
 *   ghadelimiter_<uuid>
 *
 * so that a value with newlines cannot end the record early or inject another output: the
 * delimiter is random, and refused if the value happens to contain it.
 */
import { appendFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatOutput(
  name: string,
  value: string,
  delimiter = `ghadelimiter_${randomUUID()}`,
): string {
  if (!NAME.test(name)) throw new TypeError(`invalid output name: ${JSON.stringify(name)}`);
  if (value.includes(delimiter)) {
    throw new TypeError(`output ${name}: the value contains the delimiter`);
  }
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Appends one output; does nothing when `path` is null (outside Actions). */
export async function writeOutput(path: string | null, name: string, value: string): Promise<void> {
  if (!path) return;
  await appendFile(path, formatOutput(name, value), 'utf8');
}
