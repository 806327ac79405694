/**
 * `rolecall emulator`: in-process through `main` (fast, most cases) and once as the real
 * built CLI (`node dist/cli/main.js`, built by `npm test` / `npm run build`), stopped by SIGTERM.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { run } from '../../../src/cli/commands/emulator.js';
import { bufferIo } from '../../support/buffer-io.js';
import { teamSeed } from './support.js';

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
}

/** The exported variables from the `export X=…` lines. */
function exportsOf(output: string): Record<string, string> {
  return Object.fromEntries(
    [...output.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]),
  );
}

async function refreshAndList(env: Record<string, string>) {
  const api = env['FRESHBOOKS_API_URL'];
  const token = await fetch(`${api}/auth/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: env['FRESHBOOKS_CLIENT_ID'] ?? '',
      client_secret: env['FRESHBOOKS_CLIENT_SECRET'] ?? '',
      refresh_token: env['FRESHBOOKS_REFRESH_TOKEN'] ?? '',
    }),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  const page = await fetch(`${api}/auth/api/v1/businesses/240340/team_members?page=2&per_page=10`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  return {
    tokenStatus: token.status,
    page: (await page.json()) as { response: unknown[]; meta: unknown },
  };
}

describe('rolecall emulator (in-process)', () => {
  it('prints the listening line first, then the credentials and export lines; serves until stopped', async () => {
    const io = bufferIo();
    const stop = deferred();
    const done = run(['--port', '0'], io, { until: stop.promise });
    await waitFor(() => io.out().includes('FRESHBOOKS_REFRESH_TOKEN'));
    const lines = io.out().split('\n');
    expect(lines[0]).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toBe('client id:     rolecall-sandbox');
    expect(lines[2]).toMatch(/^client secret: sandbox-secret-/);
    expect(lines[3]).toMatch(/^refresh token: sandbox-refresh-/);
    const env = exportsOf(io.out());
    expect(Object.keys(env)).toEqual([
      'FRESHBOOKS_API_URL',
      'FRESHBOOKS_CLIENT_ID',
      'FRESHBOOKS_CLIENT_SECRET',
      'FRESHBOOKS_REFRESH_TOKEN',
    ]);
    expect(env['FRESHBOOKS_API_URL']).toBe(lines[0]?.slice('listening on '.length));
    const { tokenStatus, page } = await refreshAndList(env);
    expect(tokenStatus).toBe(200);
    expect(page.meta).toEqual({ page: 2, per_page: 10, total: 17 });
    expect(page.response).toHaveLength(7);
    stop.resolve();
    expect(await done).toBe(0);
    expect(io.err()).toContain('emulator stopped');
    await expect(fetch(`${env['FRESHBOOKS_API_URL']}/_emulator/state`)).rejects.toThrow();
  });

  it('passes the knobs through', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rolecall-emu-'));
    writeFileSync(join(dir, 'seed.json'), JSON.stringify(teamSeed(3)));
    const io = bufferIo({ cwd: dir });
    const stop = deferred();
    const done = run(
      [
        '--seed',
        'seed.json',
        '--rate',
        '2.5',
        '--burst',
        '4',
        '--latency',
        '1',
        '--jitter',
        '2',
        '--faults',
        '500=0.1,reset-after=0.05',
        '--fault-seed',
        '42',
        '--slow-ms',
        '10',
        '--disable-writes',
        'invite,remove',
        '--token-ttl',
        '600',
        '--token-max-requests',
        '50',
        '--fault-token-endpoint',
        '--verbose',
      ],
      io,
      { until: stop.promise },
    );
    await waitFor(() => io.out().includes('FRESHBOOKS_REFRESH_TOKEN'));
    const api = exportsOf(io.out())['FRESHBOOKS_API_URL'];
    const config = await (await fetch(`${api}/_emulator/config`)).json();
    expect(config).toEqual({
      rate: 2.5,
      burst: 4,
      latencyMs: 1,
      jitterMs: 2,
      faults: { '500': 0.1, 'reset-after': 0.05 },
      faultSeed: 42,
      slowMs: 10,
      faultTokenEndpoint: true,
      disabledWrites: ['invite', 'remove'],
      accessTokenTtlSeconds: 600,
      accessTokenMaxRequests: 50,
      listPendingInvitations: true,
      inviteCapacity: 'any',
    });
    expect(io.out()).toContain('client id:     bench-client');
    await fetch(`${api}/auth/api/v1/users/me`);
    await waitFor(() => io.err().includes('GET /auth/api/v1/users/me'));
    expect(io.err()).toMatch(/GET \/auth\/api\/v1\/users\/me → (401|500|reset)/);
    expect(io.err()).toContain('knobs: rate 2.5/s (burst 4)');
    stop.resolve();
    expect(await done).toBe(0);
  });

  it.each([
    [['--port', 'abc'], /--port must be a whole number/],
    [['--port', '70000'], /--port must be 0–65535/],
    [['--faults', '500=2'], /--faults: invalid fault spec/],
    [['--disable-writes', 'delete'], /unknown write "delete"/],
    [['--rate', 'fast'], /--rate must be a number/],
    [['--seed', 'missing.json'], /cannot read emulator seed/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with a clear message and exit 1', async (args, message) => {
    const io = bufferIo();
    expect(await main(['emulator', ...args], io)).toBe(1);
    expect(io.err()).toMatch(message);
    expect(io.err()).not.toContain('    at ');
  });

  it('prints its help', async () => {
    const io = bufferIo();
    expect(await main(['emulator', '--help'], io)).toBe(0);
    expect(io.out()).toContain('--fault-seed N');
  });
});

describe('rolecall emulator (the built CLI)', () => {
  const cli = join(process.cwd(), 'dist', 'cli', 'main.js');

  it('starts fast, serves a refresh and a paged list, and exits cleanly on SIGTERM', async () => {
    expect(existsSync(cli), 'run `npm run build` first (npm test does)').toBe(true);
    const child = spawn(process.execPath, [cli, 'emulator', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const out: string[] = [];
      const ready = new Promise<void>((resolve) => {
        lines.on('line', (line) => {
          out.push(line);
          if (line.startsWith('export FRESHBOOKS_REFRESH_TOKEN=')) resolve();
        });
      });
      await ready;
      expect(out[0]).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
      const { tokenStatus, page } = await refreshAndList(exportsOf(out.join('\n')));
      expect(tokenStatus).toBe(200);
      expect(page.meta).toEqual({ page: 2, per_page: 10, total: 17 });
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code)),
      );
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
