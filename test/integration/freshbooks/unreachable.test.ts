/**
 * FreshBooks (or its OAuth endpoint) not there: a closed loopback port. The final error names
 * the host and what to check; the user hears a short notice at the first retry, not silence
 * until the last; with `--json`, stdout stays empty.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { FreshBooksApiError, RolecallError } from '../../../src/errors.js';
import { connectFreshBooks, type ConnectOptions } from '../../../src/freshbooks/connect.js';
import type { FreshBooksLogger } from '../../../src/freshbooks/logger.js';
import { realSleep } from '../../../src/freshbooks/rate-budget.js';
import { bufferIo } from '../../support/buffer-io.js';
import { ACME, fastOptions, startHarness } from './emulator-harness.js';

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const HINT = 'check FRESHBOOKS_API_URL and your network';
let cwd: string;
let port: number;
let env: Record<string, string>;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'rolecall-unreachable-'));
  port = await closedPort();
  env = {
    FRESHBOOKS_API_URL: `http://127.0.0.1:${port}`,
    FRESHBOOKS_CLIENT_ID: 'unreachable-client',
    FRESHBOOKS_CLIENT_SECRET: 'unreachable-secret-value',
    FRESHBOOKS_REFRESH_TOKEN: 'unreachable-refresh-value',
  };
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

/** Notices, details and waits, in the order they happen. */
function watched(): { events: string[]; options: Partial<ConnectOptions> } {
  const events: string[] = [];
  const logger: FreshBooksLogger = {
    debug: () => {},
    warn: (line) => events.push(`warn ${line}`),
    notice: (line) => events.push(`notice ${line}`),
  };
  return {
    events,
    options: {
      logger,
      rate: 10_000,
      maxRetries: 2,
      backoffBaseMs: 1,
      backoffCapMs: 4,
      random: () => 0.5,
      sleep: (ms) => {
        events.push('wait');
        return realSleep(Math.min(ms, 3));
      },
    },
  };
}

describe('FreshBooks unreachable', () => {
  it('the token endpoint: a notice before the first wait, then an error naming the host', async () => {
    const { events, options } = watched();
    const fb = await connectFreshBooks({ env, cwd, ...options });
    try {
      const error = await fb.whoami().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RolecallError);
      expect(error).toMatchObject({
        code: 'FRESHBOOKS_UNREACHABLE',
        message: `cannot reach 127.0.0.1:${port}: connection refused — ${HINT} (POST /auth/oauth/token, 3 attempts)`,
      });
      const notice = (n: number) =>
        `notice FreshBooks at 127.0.0.1:${port} did not answer (connection refused); retrying (${n}/2)…`;
      expect(events.filter((e) => !e.startsWith('warn'))).toEqual([
        notice(1),
        'wait',
        notice(2),
        'wait',
      ]);
      expect(JSON.stringify(events)).not.toContain('unreachable-secret-value');
    } finally {
      await fb.close();
    }
  });

  it('an API read with a valid access token: the same notice, the error names the host', async () => {
    const gone = await startHarness();
    const warm = await connectFreshBooks(fastOptions(gone));
    await warm.whoami(); // an access token in the store: the next call goes straight to the API
    await warm.close();
    await gone.emulator.close();
    const host = new URL(gone.emulator.url).host;
    const { events, options } = watched();
    const fb = await connectFreshBooks({ ...fastOptions(gone), ...options });
    try {
      const error = await fb.listTeamMembers(ACME).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FreshBooksApiError);
      expect((error as FreshBooksApiError).message).toBe(
        `GET /auth/api/v1/businesses/${ACME}/team_members failed: cannot reach ${host}: connection refused — ${HINT}, after 3 attempts`,
      );
      expect(events.filter((e) => e.startsWith('notice'))).toEqual([
        `notice FreshBooks at ${host} did not answer (connection refused); retrying (1/2)…`,
        `notice FreshBooks at ${host} did not answer (connection refused); retrying (2/2)…`,
      ]);
    } finally {
      await fb.close();
      await gone.close();
    }
  });

  it('rolecall sync --json: the notices on stderr as it retries, the host in the error, stdout empty', async () => {
    // The command's own backoff (a few seconds in all): what a user waits through.
    const io = bufferIo({ env, cwd });
    const code = await main(['sync', '--business', String(ACME), '--json'], io);
    expect(code).toBe(1);
    expect(io.out()).toBe('');
    const lines = io.err().trimEnd().split('\n');
    const notices = [1, 2, 3, 4, 5].map(
      (n) =>
        `FreshBooks at 127.0.0.1:${port} did not answer (connection refused); retrying (${n}/5)…`,
    );
    // Nothing before the first notice: the first word comes at the first retry.
    expect(lines.slice(0, 5)).toEqual(notices);
    expect(lines.at(-1)).toBe(
      `rolecall: cannot reach 127.0.0.1:${port}: connection refused — ${HINT} (POST /auth/oauth/token, 6 attempts)`,
    );
    expect(io.err()).not.toContain('unreachable-secret-value');
    expect(io.err()).not.toContain('unreachable-refresh-value');
  });
});
