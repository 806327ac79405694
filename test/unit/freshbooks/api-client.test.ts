import { afterEach, describe, expect, it } from 'vitest';
import { FreshBooksApiError, isManualFallback } from '../../../src/errors.js';
import { ApiClient, type ApiCall } from '../../../src/freshbooks/api-client.js';
import {
  NetworkError,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
} from '../../../src/freshbooks/http-transport.js';
import { redactingLogger } from '../../../src/freshbooks/logger.js';
import { createRateBudget } from '../../../src/freshbooks/rate-budget.js';
import { newCounters } from '../../../src/freshbooks/retry-policy.js';
import { clearRegisteredSecrets, registerSecret } from '../../../src/redact.js';

afterEach(() => clearRegisteredSecrets());

type Step = HttpResponse | NetworkError;
const ok = (
  body: unknown = { response: {} },
  headers: Record<string, string> = {},
): HttpResponse => ({
  status: 200,
  headers: { 'x-request-id': 'req-ok', ...headers },
  text: JSON.stringify(body),
});
const status = (code: number, headers: Record<string, string> = {}, body = ''): HttpResponse => ({
  status: code,
  headers,
  text: body,
});

const TOKEN_1 = 'access-token-one-0123456789';
const TOKEN_2 = 'access-token-two-0123456789';

function harness(steps: Step[], options: { maxRetries?: number; maxRetryAfterMs?: number } = {}) {
  const sent: HttpRequest[] = [];
  const sleeps: number[] = [];
  const logs: string[] = [];
  const renewals: string[] = [];
  let token = TOKEN_1;
  registerSecret(TOKEN_1);
  registerSecret(TOKEN_2);
  const transport: HttpTransport = {
    send: async (req) => {
      sent.push(req);
      const step = steps.shift();
      if (!step) throw new Error('unexpected request');
      if (step instanceof NetworkError) throw step;
      return step;
    },
    close: async () => {},
  };
  const counters = newCounters();
  // One virtual clock for the retry waits and the rate budget: nothing really sleeps.
  let t = 0;
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    t += ms;
  };
  const client = new ApiClient({
    baseUrl: 'https://api.example',
    transport,
    budget: createRateBudget({ rate: Infinity, now: () => t, sleep }),
    tokens: {
      accessToken: async () => token,
      renew: async (rejected) => {
        renewals.push(rejected);
        token = TOKEN_2;
        return token;
      },
    },
    retry: {
      maxRetries: options.maxRetries ?? 3,
      backoff: { baseMs: 100, capMs: 1000, random: () => 0 },
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      sleep,
      wallNow: () => Date.parse('2026-03-01T12:00:00Z'),
    },
    counters,
    logger: redactingLogger({ debug: (l) => logs.push(l), warn: (l) => logs.push(l) }),
  });
  return { client, sent, sleeps, logs, renewals, counters };
}

const read: ApiCall = { method: 'GET', path: '/auth/api/v1/users/me', kind: 'read' };
const write: ApiCall = {
  method: 'PUT',
  path: '/auth/api/v1/businesses/1/team_members/u-1',
  body: { team_member: { business_role_name: 'business_manager' } },
  kind: 'write',
};

describe('ApiClient: reads', () => {
  it('retries 429, 5xx, resets and timeouts with backoff, and counts it all', async () => {
    const h = harness([
      status(429),
      status(503),
      new NetworkError('reset', 'connection reset (ECONNRESET)'),
      ok({ response: { id: 1 } }),
    ]);
    const answer = await h.client.call(read);
    expect(answer).toEqual({ status: 200, body: { response: { id: 1 } }, requestId: 'req-ok' });
    expect(h.sleeps).toEqual([50, 100, 200]);
    expect(h.counters).toEqual({ requests: 4, retries: 3, tokenRequests: 0 });
  });

  it('honours Retry-After in seconds and as an HTTP date', async () => {
    const h = harness([
      status(429, { 'retry-after': '2' }),
      status(429, { 'retry-after': 'Sun, 01 Mar 2026 12:00:07 GMT' }),
      ok(),
    ]);
    await h.client.call(read);
    expect(h.sleeps).toEqual([2000, 7000]);
  });

  it('gives up after maxRetries with a typed error', async () => {
    const h = harness([status(500), status(502), status(503)], { maxRetries: 2 });
    const error = await h.client.call(read).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FreshBooksApiError);
    expect(error).toMatchObject({
      status: 503,
      route: 'GET /auth/api/v1/users/me',
      outcomeUnknown: false,
    });
    expect((error as Error).message).toContain('gave up after 3 attempts');
    expect(h.sent).toHaveLength(3);
  });

  it('refuses to wait for a Retry-After beyond the limit', async () => {
    const h = harness([status(429, { 'retry-after': '3600' })], { maxRetryAfterMs: 60_000 });
    await expect(h.client.call(read)).rejects.toThrow(/wait longer than 60 s/);
    expect(h.sleeps).toEqual([]);
  });

  it('does not retry a 4xx', async () => {
    const h = harness([
      status(
        404,
        { 'x-request-id': 'req-404' },
        '{"response":{"errors":[{"errno":1012,"message":"Not found."}]}}',
      ),
    ]);
    const error = await h.client.call(read).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, errno: 1012, requestId: 'req-404' });
    expect(h.sent).toHaveLength(1);
  });
});

describe('ApiClient: 401', () => {
  it('refreshes once and retries once with the new token', async () => {
    const h = harness([status(401, {}, '{"error":"unauthenticated"}'), ok()]);
    await h.client.call(read);
    expect(h.renewals).toEqual([TOKEN_1]);
    expect(h.sent.map((r) => r.headers['authorization'])).toEqual([
      `Bearer ${TOKEN_1}`,
      `Bearer ${TOKEN_2}`,
    ]);
  });

  it('a second 401 is an error, not a refresh loop', async () => {
    const h = harness([status(401), status(401, {}, '{"error":"unauthenticated"}')]);
    const error = await h.client.call(read).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, apiCode: 'unauthenticated' });
    expect((error as Error).message).toContain('even after a token refresh');
    expect(h.renewals).toHaveLength(1);
  });

  it('a 401 on a write also refreshes and retries (the write was refused, not made)', async () => {
    const h = harness([status(401), ok()]);
    await h.client.call(write);
    expect(h.sent).toHaveLength(2);
  });
});

describe('ApiClient: writes', () => {
  it('retries a 429 and a refused connection: the write certainly did not happen', async () => {
    const h = harness([
      status(429, { 'retry-after': '1' }),
      new NetworkError('refused', 'could not connect (ECONNREFUSED)'),
      ok(),
    ]);
    await h.client.call(write);
    expect(h.sent).toHaveLength(3);
    expect(h.sent[0]?.body).toBe('{"team_member":{"business_role_name":"business_manager"}}');
  });

  it.each([
    ['500', status(500)],
    ['503', status(503)],
    ['a reset', new NetworkError('reset', 'connection reset (ECONNRESET)')],
    ['a timeout', new NetworkError('timeout', 'no answer within 100 ms')],
  ])('after %s the outcome is unknown: no retry, outcomeUnknown', async (_name, step) => {
    const h = harness([step, ok()]);
    const error = await h.client.call(write).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FreshBooksApiError);
    expect((error as FreshBooksApiError).outcomeUnknown).toBe(true);
    expect((error as Error).message).toMatch(/may or may not have been made/);
    expect(h.sent).toHaveLength(1);
  });

  it.each([
    [404, ''],
    [405, ''],
    [403, '{"response":{"errors":[{"errno":1003,"message":"Permission Denied."}]}}'],
  ])('a %d answer is a manual fallback with a known outcome', async (code, body) => {
    const h = harness([status(code, {}, body)]);
    const error = await h.client.call(write).catch((e: unknown) => e);
    expect(isManualFallback(error)).toBe(true);
    expect((error as FreshBooksApiError).outcomeUnknown).toBe(false);
  });
});

describe('ApiClient: secrets', () => {
  it('never logs the access token, and logs every exchange with its request id', async () => {
    const h = harness([status(429), ok()]);
    await h.client.call({ ...read, query: { page: 2, per_page: 100 } });
    expect(h.logs.some((l) => l.includes('/auth/api/v1/users/me?page=2&per_page=100 → 200'))).toBe(
      true,
    );
    expect(h.logs.some((l) => l.includes('[req-ok]'))).toBe(true);
    expect(h.logs.join('\n')).not.toContain(TOKEN_1);
    expect(h.sent[0]?.headers['authorization']).toBe(`Bearer ${TOKEN_1}`);
  });
});
