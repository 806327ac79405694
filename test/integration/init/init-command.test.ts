/**
 * `rolecall init` against the emulator: with credentials it imports every business the
 * identity administers, and the repository it writes validates and plans empty; without, it
 * writes the example. It never overwrites a file without --force, and only adds a line to an
 * existing .gitignore.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { SCAFFOLD_WORKFLOWS } from '../../../src/init/render-scaffold.js';
import { packagePath } from '../../../src/paths.js';
import {
  ACME,
  HOLDINGS,
  readPlan,
  rolecall,
  workspace,
  type Workspace,
} from '../plan/plan-harness.js';

let emulator: RunningEmulator;
let ws: Workspace;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.control.loadState(loadDefaultSeed());
  ws = await workspace(emulator);
});
afterEach(() => ws.close());

const SHA = 'c'.repeat(40);
const ACTION = `rolecall-dev/rolecall@${SHA}`;
const offline = () => ({ ...ws, env: { ROLECALL_NOW: ws.env['ROLECALL_NOW'] as string } });

describe('rolecall init', () => {
  it('with credentials: imports the administered businesses; the repository validates and plans empty', async () => {
    const init = await rolecall(ws, [
      'init',
      'access',
      '--owner',
      '@acme/finance',
      '--action',
      ACTION,
    ]);
    expect(init.err).not.toContain('error');
    expect(init.code).toBe(0);
    expect(init.out).toContain(`workflows pinned to ${ACTION}`);
    expect(init.out).toMatch(/created:\n( {2}access\/.+\n){13}/);
    expect(init.out).toContain('access/policies/acme-books-inc.yaml');
    expect(init.out).toContain('access/policies/acme-holdings-llc.yaml');
    expect(init.out).toContain('Next steps:');
    expect(init.out).not.toContain('@YOUR-ORG');
    for (const name of SCAFFOLD_WORKFLOWS) {
      const text = await ws.read(`access/.github/workflows/${name}`);
      expect(text).toContain(`- uses: ${ACTION} # rolecall v`);
    }
    expect(await ws.read('access/.github/CODEOWNERS')).toContain('*             @acme/finance');
    // The access request form ships with its workflow (request.yml is in SCAFFOLD_WORKFLOWS).
    expect(await ws.read('access/.github/ISSUE_TEMPLATE/request-access.yml')).toBe(
      await readFile(packagePath('.github', 'ISSUE_TEMPLATE', 'request-access.yml'), 'utf8'),
    );
    // No secret in what init printed or wrote.
    const secrets = [emulator.credentials.clientSecret, emulator.credentials.refreshToken];
    for (const secret of secrets) {
      expect(init.out + init.err).not.toContain(secret);
      for (const path of ['README.md', 'policies/acme-books-inc.yaml', '.gitignore']) {
        expect(await ws.read(`access/${path}`)).not.toContain(secret);
      }
    }

    // The credentials stay where the user logged in; the new repository plans with them.
    const repo = { cwd: join(ws.cwd, 'access'), env: ws.env };
    const store = ['--token-store', `file:${join(ws.cwd, '.rolecall', 'credentials.json')}`];
    const validate = await rolecall(repo, ['validate']);
    expect(validate.out).toContain('0 errors, 0 warnings in 2 files');
    const plan = await rolecall(repo, [
      'plan',
      '--format',
      'json',
      '--detailed-exitcode',
      ...store,
    ]);
    expect(plan.err).not.toMatch(/error|warning/i);
    expect(plan.code).toBe(0);
    expect(readPlan(plan.out).businesses.map((b) => [b.businessId, b.changes.length])).toEqual([
      [ACME, 0],
      [HOLDINGS, 0],
    ]);
  });

  it('a business the identity does not administer is skipped and said so', async () => {
    const seed = loadDefaultSeed();
    const alice = seed.businesses
      .find((b) => b.id === HOLDINGS)
      ?.members?.find((m) => m.email === 'alice@acme.example');
    if (!alice) throw new Error('seed: Alice is not in Holdings');
    alice.role = 'business_employee';
    emulator.control.loadState(seed);
    const init = await rolecall(ws, ['init', '--action', ACTION]);
    expect(init.code).toBe(0);
    expect(init.err).toContain(
      'not importing Acme Holdings LLC (240341): alice@acme.example is employee there, and rolecall needs an admin',
    );
    expect(init.out).toContain('policies/acme-books-inc.yaml');
    expect(init.out).not.toContain('acme-holdings');
  });

  it('without credentials: the example policy, valid; the placeholder owner is a next step', async () => {
    const init = await rolecall(offline(), ['init', '--action', ACTION]);
    expect(init.code).toBe(0);
    expect(init.out).toContain('policies/example.yaml');
    expect(init.out).toContain('Replace @YOUR-ORG/access-admins in .github/CODEOWNERS');
    const validate = await rolecall(offline(), ['validate']);
    expect(validate.out).toContain('0 errors, 0 warnings in 1 file');
  });

  it('keeps every existing file unless --force; an existing .gitignore only gains .rolecall/', async () => {
    await ws.write('README.md', '# Our access repository\n');
    await ws.write('.gitignore', 'node_modules/');
    await ws.write('.github/workflows/plan.yml', '# ours\n');
    const first = await rolecall(offline(), ['init', '--action', ACTION]);
    expect(first.code).toBe(0);
    expect(first.out).toContain('updated (.rolecall/ added):\n  .gitignore\n');
    expect(first.out).toMatch(/kept \(exists; --force replaces it\):\n( {2}.+\n)* {2}README\.md\n/);
    expect(first.out).toMatch(/kept[^]* {2}\.github\/workflows\/plan\.yml\n/);
    expect(await ws.read('README.md')).toBe('# Our access repository\n');
    expect(await ws.read('.github/workflows/plan.yml')).toBe('# ours\n');
    expect(await ws.read('.gitignore')).toBe('node_modules/\n.rolecall/\n');

    // Run again: nothing changes, everything is kept (.gitignore already has the line).
    const example = await ws.read('policies/example.yaml');
    await ws.write('policies/example.yaml', `${example}# my edit\n`);
    const again = await rolecall(offline(), ['init', '--action', ACTION]);
    expect(again.code).toBe(0);
    expect(again.out).not.toContain('created:');
    expect(await ws.read('policies/example.yaml')).toContain('# my edit');
    expect(await ws.read('.gitignore')).toBe('node_modules/\n.rolecall/\n');

    const forced = await rolecall(offline(), ['init', '--action', ACTION, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/overwritten \(--force\):\n( {2}.+\n)* {2}README\.md\n/);
    expect(await ws.read('README.md')).toContain('# FreshBooks access');
    expect(await ws.read('.github/workflows/plan.yml')).toContain(`- uses: ${ACTION}`);
    expect(await ws.read('policies/example.yaml')).not.toContain('# my edit');
  });

  it('an existing policies/ folder is the user’s: no example is added to it', async () => {
    await ws.write('policies/ours.yaml', 'business: 240340\n');
    const init = await rolecall(offline(), ['init', '--action', ACTION]);
    expect(init.code).toBe(0);
    await expect(readFile(join(ws.cwd, 'policies', 'example.yaml'))).rejects.toThrow();
    expect(init.out).toMatch(/kept[^]* {2}policies\n/);
  });

  it('refuses a malformed owner or action before writing anything', async () => {
    const owner = await rolecall(offline(), ['init', 'x', '--owner', 'finance team']);
    expect(owner.code).toBe(1);
    expect(owner.err).toContain('--owner finance team is not a CODEOWNERS owner');
    const action = await rolecall(offline(), ['init', 'x', '--action', 'rolecall']);
    expect(action.code).toBe(1);
    expect(action.err).toContain('--action rolecall is not OWNER/REPO@REF');
    await expect(readFile(join(ws.cwd, 'x', 'README.md'))).rejects.toThrow();
    await writeFile(join(ws.cwd, 'unused'), '');
  });
});
