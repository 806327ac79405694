/** Helpers for the emulator's own integration tests: real HTTP over loopback with fetch. */
import type { EmulatorSeed, RunningEmulator, SeedMember } from '../../../src/emulator/index.js';

export const ACME = 240340;
export const HOLDINGS = 240341;
export const TEAM = (businessId: number) => `/auth/api/v1/businesses/${businessId}/team_members`;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export async function call(
  emu: RunningEmulator,
  method: string,
  path: string,
  options: {
    token?: string;
    json?: unknown;
    form?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = body;
  const res = await fetch(`${emu.url}${path}`, init);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/** Refreshes with the given refresh token (default: the seed's) and returns the new pair. */
export async function refresh(
  emu: RunningEmulator,
  refreshToken = emu.credentials.refreshToken,
): Promise<Tokens> {
  const answer = await call(emu, 'POST', '/auth/oauth/token', {
    json: {
      grant_type: 'refresh_token',
      client_id: emu.credentials.clientId,
      client_secret: emu.credentials.clientSecret,
      refresh_token: refreshToken,
    },
  });
  if (answer.status !== 200) throw new Error(`refresh failed: ${answer.status} ${answer.text}`);
  return answer.body as Tokens;
}

export async function accessToken(emu: RunningEmulator): Promise<string> {
  return (await refresh(emu)).access_token;
}

/** A seed with one admin client and one business of `count` members (the caller not among them). */
export function teamSeed(count: number, businessId = 1): EmulatorSeed {
  const members: SeedMember[] = Array.from({ length: count }, (_, i) => ({
    email: `member${String(i + 1).padStart(4, '0')}@bench.example`,
    role: i % 7 === 0 ? 'business_manager' : 'business_employee',
    state: i % 5 === 4 ? 'invited' : 'active',
    first_name: `First${i + 1}`,
    last_name: `Last${i + 1}`,
  }));
  return {
    identities: [{ id: 900, email: 'admin@bench.example', admin_of: [businessId] }],
    businesses: [{ id: businessId, name: 'Bench Co', account_id: 'Bn1234', members }],
    clients: [
      {
        client_id: 'bench-client',
        client_secret: 'bench-secret-0123456789abcdef',
        identity_id: 900,
        refresh_tokens: ['bench-refresh-0123456789abcdef'],
      },
    ],
  };
}

/** A mutable clock for tests: `clock.now` goes into `startEmulator({ now })`. */
export function testClock(start = '2026-03-01T12:00:00Z') {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
  };
}

export function uuidOf(emu: RunningEmulator, businessId: number, email: string): string {
  const member = emu.control.member(businessId, email);
  if (!member) throw new Error(`no ${email} in ${businessId}`);
  return member.uuid;
}
