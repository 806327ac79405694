/**
 * The demo behind `npm start`: offline, in-process sandbox, exit 0, every kind of change shown,
 * an empty second plan, a manual task — and no sandbox secret in what it prints, nothing written
 * outside its temporary directory, nothing taken from the user's FreshBooks environment.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefaultSeed } from '../../../src/emulator/index.js';
import { packagePath } from '../../../src/paths.js';
import { rolecall } from '../plan/plan-harness.js';

const seed = loadDefaultSeed();
const client = seed.clients[0];
const SECRETS = [client?.client_secret ?? 'x', ...(client?.refresh_tokens ?? [])];

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'rolecall-demo-test-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

function expectDemoOutput(out: string): void {
  expect(out).toContain('rolecall demo — FreshBooks access as code');
  // The first plan: COMMON.md's table.
  expect(out).toMatch(/\+ eli@acme\.example\s+grant accountant/);
  expect(out).toMatch(/\+ jules@acme\.example\s+grant unassigned \(re-invite\)/);
  expect(out).toMatch(/~ grace@acme\.example\s+change manager → employee \(downgrade\)/);
  expect(out).toMatch(/~ maya@acme\.example\s+change employee → manager \(upgrade\)/);
  expect(out).toMatch(/- zoe@acme\.example\s+revoke employee/);
  expect(out).toMatch(/- sam@oldfirm\.example\s+revoke accountant \(pending invitation\)/);
  expect(out).toContain('Plan: 2 to grant, 2 to change, 2 to revoke.');
  expect(out).toContain('Apply complete: 6 applied, 0 already in place, 0 manual, 0 failed.');
  // The second plan is empty; the manual task; the confirmation.
  const afterApply = out.slice(out.indexOf('4. rolecall plan, again'));
  expect(afterApply.indexOf('No changes. Acme Books Inc. matches the policy.')).toBeGreaterThan(0);
  expect(afterApply.indexOf('No changes.')).toBeLessThan(afterApply.indexOf('5. When the API'));
  expect(out).toMatch(/- mallory@acme\.example\s+revoke manager/);
  expect(out).toContain('Manual tasks (1)');
  expect(out).toContain('Settings → Team Members → mallory@acme.example → Remove');
  expect(out.slice(out.lastIndexOf('5. When the API'))).toContain(
    'No changes. Acme Books Inc. matches the policy.',
  );
  expect(out).toContain('What next');
  // No sandbox secret, and no token-shaped value except the plan digest in the journal path.
  for (const secret of SECRETS) expect(out).not.toContain(secret);
  expect(out).not.toMatch(/sandbox-(secret|refresh)-/);
  const hex = out.match(/[0-9a-f]{64}/g) ?? [];
  const journals = out.match(/journal\/[0-9a-f]{64}\.jsonl/g) ?? [];
  expect(hex.length).toBe(journals.length);
}

describe('rolecall demo', () => {
  it('runs in-process: exit 0, the whole story, no secret, isolated from the user’s setup', async () => {
    const rolecallDir = packagePath('.rolecall');
    const before = existsSync(rolecallDir) ? readdirSync(rolecallDir).sort() : null;
    const result = await rolecall(
      {
        cwd,
        // A user's real FreshBooks settings must be ignored: the demo never goes online.
        env: {
          FRESHBOOKS_API_URL: 'https://api.freshbooks.com',
          FRESHBOOKS_CLIENT_ID: 'users-real-client',
          FRESHBOOKS_CLIENT_SECRET: 'users-real-secret-000000000000',
          FRESHBOOKS_REFRESH_TOKEN: 'users-real-refresh-000000000000',
          ROLECALL_TOKEN_STORE: `file:${join(cwd, 'users-store.json')}`,
          ROLECALL_NOW: '2026-11-29T10:00:00.000Z',
        },
      },
      ['demo'],
    );
    expect(result.err).not.toContain('rolecall:');
    expect(result.code).toBe(0);
    expectDemoOutput(result.out);
    expect(result.out).not.toContain('users-real');
    expect(readdirSync(cwd)).toEqual([]);
    expect(existsSync(rolecallDir) ? readdirSync(rolecallDir).sort() : null).toEqual(before);
  });

  it('`node dist/cli/main.js demo` (what npm start runs) exits 0 within seconds', async () => {
    const main = packagePath('dist', 'cli', 'main.js');
    expect(existsSync(main), 'run `npm run build` first').toBe(true);
    const { code, out } = await new Promise<{ code: number | null; out: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, [main, 'demo'], {
          cwd,
          env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        child.on('error', reject);
        child.on('close', (exit) => resolve({ code: exit, out: text }));
      },
    );
    expect(code).toBe(0);
    expectDemoOutput(out);
  });
});
