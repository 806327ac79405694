/**
 * What `rolecall init` writes is what `rolecall doctor` expects: in a fresh scaffold (policies
 * imported from the sandbox, workflows pinned to this build, CODEOWNERS with a real owner)
 * every check that needs no GitHub passes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { clearRegisteredSecrets } from '../../../src/redact.js';
import { bufferIo } from '../../support/buffer-io.js';
import type { CheckJson } from './doctor-harness.js';

let emulator: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'rolecall-init-doctor-'));
});
afterAll(async () => {
  clearRegisteredSecrets();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

it('a fresh scaffold passes every check but the GitHub settings, which it says it did not check', async () => {
  const env = {
    FRESHBOOKS_API_URL: emulator.url,
    FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
    FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
    FRESHBOOKS_REFRESH_TOKEN: emulator.credentials.refreshToken,
  };
  const init = bufferIo({ env, cwd: dir });
  expect(await main(['init', 'access', '--owner', '@acme/access-admins'], init)).toBe(0);

  // The credentials stay where init ran; the new repository uses them.
  const io = bufferIo({ env, cwd: join(dir, 'access') });
  const code = await main(
    ['doctor', '--json', '--token-store', `file:${join(dir, '.rolecall', 'credentials.json')}`],
    io,
  );
  const checks = JSON.parse(io.out()) as CheckJson[];
  expect(checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status}`)).toEqual([
    'github: unknown',
  ]);
  expect(code).toBe(0);
  expect(checks.find((c) => c.id === 'freshbooks.businesses')?.found).toBe(
    'alice@acme.example is an admin of all 2 businesses the policies name',
  );
});
