import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../../src/cli/did-you-mean.js';
import { main } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { bufferIo } from '../support/buffer-io.js';

const NAMES = COMMANDS.map((c) => c.name);

describe('editDistance', () => {
  it.each([
    ['plan', 'plan', 0],
    ['plam', 'plan', 1],
    ['polices', 'policies', 1],
    ['aplpy', 'apply', 1], // a swap of neighbours is one edit, not two
    ['sycn', 'sync', 1],
    ['', 'sync', 4],
    ['drfit', 'drift', 1],
    ['kitten', 'sitting', 3],
  ])('%j → %j is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closestName', () => {
  it.each([
    ['plam', 'plan'],
    ['aplly', 'apply'],
    ['PLAN', 'plan'],
    ['valdiate', 'validate'],
    ['emualtor', 'emulator'],
    ['reviw', 'review'],
  ])('%j → %j', (typed, expected) => {
    expect(closestName(typed, NAMES)).toBe(expected);
  });

  it.each(['frobnicate', 'ab', 'x', 'deploy', 'status'])(
    '%j is not close to any command',
    (typed) => {
      expect(closestName(typed, NAMES)).toBeNull();
    },
  );
});

describe('rolecall with a typo', () => {
  it('an unknown command close to one: did you mean, exit 1, no full usage', async () => {
    const io = bufferIo();
    expect(await main(['plam'], io)).toBe(1);
    expect(io.err()).toBe(
      'rolecall: unknown command "plam" — did you mean "plan"?\nRun `rolecall --help` for the list of commands.\n',
    );
    expect(io.out()).toBe('');
  });

  it('an unknown command close to none: no guess, the usage', async () => {
    const io = bufferIo();
    expect(await main(['frobnicate'], io)).toBe(1);
    expect(io.err()).toContain('rolecall: unknown command "frobnicate"\n\nrolecall — FreshBooks');
    expect(io.err()).not.toContain('did you mean');
  });

  it('a mistyped top-level option', async () => {
    const io = bufferIo();
    expect(await main(['--verison'], io)).toBe(1);
    expect(io.err()).toBe('rolecall: unknown option --verison — did you mean --version?\n');
  });

  it('an unknown option of a command close to one: did you mean, exit 1', async () => {
    const io = bufferIo();
    expect(await main(['plan', '--polices', 'x'], io)).toBe(1);
    expect(io.err()).toBe('rolecall: unknown option --polices — did you mean --policies?\n');
  });

  it('the --name=value form and a short option', async () => {
    const io = bufferIo();
    expect(await main(['apply', 'plan.json', '--concurency=2'], io)).toBe(1);
    expect(io.err()).toBe('rolecall: unknown option --concurency — did you mean --concurrency?\n');
    const short = bufferIo();
    expect(await main(['validate', '-x'], short)).toBe(1);
    expect(short.err()).toMatch(/^rolecall: Unknown option '-x'/);
  });

  it('an unknown option close to none keeps node’s message', async () => {
    const io = bufferIo();
    expect(await main(['sync', '--frobnicate'], io)).toBe(1);
    expect(io.err()).toMatch(/^rolecall: Unknown option '--frobnicate'/);
    expect(io.err()).not.toContain('did you mean');
  });

  it('other usage errors keep node’s own words', async () => {
    const io = bufferIo();
    expect(await main(['plan', '--policies'], io)).toBe(1);
    expect(io.err()).toMatch(/^rolecall: Option '--policies <value>' argument missing/);
  });
});
