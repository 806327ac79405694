import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { bufferIo } from '../support/buffer-io.js';

describe('rolecall main', () => {
  it('lists every command in --help and exits 0', async () => {
    const io = bufferIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const command of COMMANDS) expect(io.out()).toContain(`  ${command.name}`);
  });

  it('rejects an unknown command with exit 1 and the usage', async () => {
    const io = bufferIo();
    expect(await main(['frobnicate'], io)).toBe(1);
    expect(io.err()).toContain('unknown command "frobnicate"');
  });

  it('prints its version', async () => {
    const io = bufferIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
