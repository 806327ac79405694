/**
 * Shared set-up for the FreshBooks and sync integration tests: a real emulator on loopback,
 * a temporary working directory, and the environment a user would export.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startEmulator,
  type EmulatorOptions,
  type EmulatorSeed,
  type RunningEmulator,
  type SeedMember,
} from '../../../src/emulator/index.js';
import type { ConnectOptions } from '../../../src/freshbooks/connect.js';
import { realSleep } from '../../../src/freshbooks/rate-budget.js';

export const ACME = 240340;
export const HOLDINGS = 240341;

export interface HarnessEnv extends Record<string, string> {
  FRESHBOOKS_API_URL: string;
  FRESHBOOKS_CLIENT_ID: string;
  FRESHBOOKS_CLIENT_SECRET: string;
  FRESHBOOKS_REFRESH_TOKEN: string;
}

export interface Harness {
  emulator: RunningEmulator;
  cwd: string;
  env: HarnessEnv;
  close(): Promise<void>;
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = await startEmulator({ port: 0, ...options });
  const cwd = await mkdtemp(join(tmpdir(), 'rolecall-fb-'));
  const env: HarnessEnv = {
    FRESHBOOKS_API_URL: emulator.url,
    FRESHBOOKS_CLIENT_ID: emulator.credentials.clientId,
    FRESHBOOKS_CLIENT_SECRET: emulator.credentials.clientSecret,
    FRESHBOOKS_REFRESH_TOKEN: emulator.credentials.refreshToken,
  };
  return {
    emulator,
    cwd,
    env,
    async close() {
      await emulator.close();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

/**
 * Connection options for tests: no real multi-second waits (Retry-After: 1 becomes a few ms),
 * a generous budget, a fixed jitter.
 */
export function fastOptions(h: Harness, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    env: h.env,
    cwd: h.cwd,
    rate: 10_000,
    backoffBaseMs: 1,
    backoffCapMs: 4,
    maxRetries: 8,
    random: () => 0.5,
    sleep: (ms) => realSleep(Math.min(ms, 3)),
    ...extra,
  };
}

const API_ROLES = [
  'business_partner',
  'business_manager',
  'business_accountant',
  'business_employee',
  'contractor',
  'no_seat_employee',
];

/** `count` members with deterministic emails and a mix of roles and states. */
export function members(count: number, domain: string): SeedMember[] {
  return Array.from({ length: count }, (_, i) => ({
    email: `m${String(i).padStart(4, '0')}@${domain}`,
    role: API_ROLES[i % API_ROLES.length] as string,
    state: i % 17 === 5 ? 'invited' : i % 23 === 7 ? 'deactivated' : 'active',
    first_name: `M${i}`,
    last_name: null,
  }));
}

/** A seed with one business per entry of `sizes` (ids 1001, 1002, …), all reachable by alice. */
export function pagingSeed(sizes: number[]): EmulatorSeed {
  const ids = sizes.map((_, i) => 1001 + i);
  return {
    identities: [{ id: 5001, email: 'alice@acme.example', first_name: 'Alice', admin_of: ids }],
    businesses: sizes.map((size, i) => ({
      id: ids[i] as number,
      name: `Paging ${size}`,
      account_id: `P${i}x`,
      members: members(size, `b${ids[i]}.example`),
    })),
    clients: [
      {
        client_id: 'rolecall-test',
        client_secret: 'sandbox-secret-test-0123456789abcdef',
        identity_id: 5001,
        redirect_uri: 'https://localhost/rolecall/callback',
        refresh_tokens: ['sandbox-refresh-test-0123456789abcdef'],
      },
    ],
  };
}

/** Team-member and users/me requests the emulator saw, by status. */
export function apiCounts(emulator: RunningEmulator): {
  me: number;
  team: number;
  token: number;
  total: number;
} {
  const byRoute = emulator.control.requests().byRoute;
  const sum = (route: string) => Object.values(byRoute[route] ?? {}).reduce((a, b) => a + b, 0);
  const token = sum('POST /auth/oauth/token');
  return {
    me: sum('GET /auth/api/v1/users/me'),
    team: sum('GET /auth/api/v1/businesses/:id/team_members'),
    token,
    total: emulator.control.requests().total - token,
  };
}

/** Every file under `dir` (recursively) with its content. */
export async function filesUnder(dir: string): Promise<Array<{ path: string; text: string }>> {
  const out: Array<{ path: string; text: string }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, text: await readFile(path, 'utf8') });
  }
  return out;
}
