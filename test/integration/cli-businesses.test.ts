import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { bufferIo } from '../support/buffer-io.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let work: string;

// The example policy holds a dated grant: judge it on a fixed day, so that its expiry warning
// does not appear here once that date has passed.
const EXAMPLE_NOW = '2026-11-29T12:00:00Z';

async function businesses(args: string[], cwd = ROOT) {
  const io = bufferIo({ cwd, env: { ROLECALL_NOW: EXAMPLE_NOW } });
  const exit = await main(['businesses', ...args], io);
  return { exit, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rolecall-businesses-'));
  await mkdir(join(work, 'many/eu'), { recursive: true });
  await writeFile(join(work, 'many/zeta.yaml'), 'business: 99\nname: Zeta Ltd\n');
  await writeFile(join(work, 'many/eu/alpha.yaml'), 'business: 7\n');
  await mkdir(join(work, 'broken'), { recursive: true });
  await writeFile(join(work, 'broken/p.yaml'), 'business: one\n');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('rolecall businesses', () => {
  it('lists the example business as a table', async () => {
    expect(await businesses([])).toEqual({
      exit: 0,
      out: 'BUSINESS  NAME             FILE\n240340    Acme Books Inc.  policies/acme-books.yaml\n',
      err: '',
    });
  });

  it('--json prints a matrix-ready array sorted by business id', async () => {
    const run = await businesses(['--json'], join(work));
    expect(run.exit).toBe(1); // no policies/ here
    const many = await businesses(['--policies', 'many', '--json'], work);
    expect(many.exit).toBe(0);
    expect(JSON.parse(many.out)).toEqual([
      { business: 7, name: null, file: 'many/eu/alpha.yaml' },
      { business: 99, name: 'Zeta Ltd', file: 'many/zeta.yaml' },
    ]);
    expect(JSON.parse((await businesses(['--json'])).out)).toEqual([
      { business: 240340, name: 'Acme Books Inc.', file: 'policies/acme-books.yaml' },
    ]);
  });

  it('refuses invalid policies like validate, on stderr, with exit 1 and nothing on stdout', async () => {
    const run = await businesses(['--policies', 'broken', '--json'], work);
    expect(run.exit).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toBe(
      'broken/p.yaml:1:11: error WRONG_TYPE business must be a whole number, got the text "one"\n1 error, 0 warnings in 1 file\n',
    );
  });
});
