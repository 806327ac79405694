/**
 * The FreshBooks client's answers to two of the contract's open questions, over a scripted
 * transport (every request it sends is recorded):
 * - the invitation's `capacity`: the published sample's short name first, the API name only
 *   when FreshBooks refuses the first as invalid, and the receipt says which one was taken;
 * - a missing OAuth scope told apart from a write FreshBooks does not offer: a token known to
 *   lack `user:teams:write` sends nothing; a 403 to a token whose scopes are unknown makes them
 *   known (one refresh) before deciding.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FreshBooksApiError, RolecallError, isManualFallback } from '../../../src/errors.js';
import { ApiClient } from '../../../src/freshbooks/api-client.js';
import { capacityOf, FreshBooksClient } from '../../../src/freshbooks/freshbooks-client.js';
import type {
  HttpRequest,
  HttpResponse,
  HttpTransport,
} from '../../../src/freshbooks/http-transport.js';
import { redactingLogger } from '../../../src/freshbooks/logger.js';
import { createRateBudget } from '../../../src/freshbooks/rate-budget.js';
import { newCounters } from '../../../src/freshbooks/retry-policy.js';
import { clearRegisteredSecrets } from '../../../src/redact.js';

afterEach(() => clearRegisteredSecrets());

const ALL =
  'user:profile:read user:teams:read user:account:read user:teams:write user:account:write';
const READ_ONLY = 'user:profile:read user:teams:read user:account:read';
const PERMISSION_DENIED = JSON.stringify({
  response: { errors: [{ errno: 1003, field: null, message: 'Permission Denied.' }] },
});
const INVALID = (what: string) =>
  JSON.stringify({ error: 'invalid_resource', error_description: `Validation failed: ${what}` });

const answer = (status: number, text = '', requestId = `req-${status}`): HttpResponse => ({
  status,
  headers: { 'x-request-id': requestId },
  text,
});
const invited = (role: string) =>
  answer(
    200,
    JSON.stringify({
      response: {
        uuid: 'u-new',
        email: 'eli@acme.example',
        business_role_name: role,
        active: false,
        identity_id: null,
        invitation_date_accepted: null,
      },
    }),
    'req-invite',
  );

/**
 * A client whose token answers carry `scopes[n]` for the n-th token (`undefined`: no token was
 * issued yet, a stored access token is in use).
 */
function harness(steps: HttpResponse[], scopes: Array<string | null | undefined> = [ALL]) {
  const sent: HttpRequest[] = [];
  const renewals: string[] = [];
  let grant = 0;
  const transport: HttpTransport = {
    send: async (req) => {
      sent.push(req);
      const step = steps.shift();
      if (!step) throw new Error(`unexpected request ${req.method} ${req.url}`);
      return step;
    },
    close: async () => {},
  };
  const sleep = async () => undefined;
  const api = new ApiClient({
    baseUrl: 'https://api.example',
    transport,
    budget: createRateBudget({ rate: Infinity, now: () => 0, sleep }),
    tokens: {
      accessToken: async () => `token-${grant}`,
      renew: async (rejected) => {
        renewals.push(rejected);
        grant += 1;
        return `token-${grant}`;
      },
    },
    retry: {
      maxRetries: 2,
      backoff: { baseMs: 1, capMs: 1, random: () => 0 },
      maxRetryAfterMs: 1000,
      sleep,
      wallNow: () => 0,
    },
    counters: newCounters(),
    logger: redactingLogger({ debug: () => undefined, warn: () => undefined }),
    grantedScope: () => scopes[grant],
  });
  const bodies = () => sent.map((r) => (r.body === undefined ? null : JSON.parse(r.body)));
  return { client: new FreshBooksClient(api), sent, renewals, bodies };
}

describe('the invitation capacity', () => {
  it('maps every grantable role to its short UI name, and the API name stays as it is', () => {
    expect(
      ['business_partner', 'business_manager', 'business_accountant', 'contractor'].map((r) =>
        capacityOf(r, 'short'),
      ),
    ).toEqual(['admin', 'manager', 'accountant', 'contractor']);
    expect(capacityOf('business_manager', 'api')).toBe('business_manager');
    // A role rolecall does not know has no short name.
    expect(capacityOf('time_tracking_admin', 'short')).toBe('time_tracking_admin');
  });

  it('sends the published encoding first (the sample\'s "manager"), once, when it is taken', async () => {
    const h = harness([invited('business_manager')]);
    const receipt = await h.client.invite(240340, 'eli@acme.example', 'business_manager');
    expect(h.bodies()).toEqual([
      {
        capacity: 'manager',
        to_email: 'eli@acme.example',
        invitable_id: 240340,
        invitable_type: 'business',
      },
    ]);
    expect(receipt).toMatchObject({
      requestId: 'req-invite',
      capacity: { sent: 'manager', encoding: 'short' },
    });
    expect(receipt.capacity?.fellBackFrom).toBeUndefined();
  });

  it('falls back to the API name only when FreshBooks refuses the first as invalid, and says so', async () => {
    const h = harness([answer(422, INVALID('Capacity is not a valid role')), invited('x')]);
    const receipt = await h.client.invite(240340, 'eli@acme.example', 'business_manager');
    expect(h.bodies().map((b) => (b as { capacity: string }).capacity)).toEqual([
      'manager',
      'business_manager',
    ]);
    expect(receipt.capacity).toEqual({
      sent: 'business_manager',
      encoding: 'api',
      fellBackFrom: 'short',
    });
  });

  it('starts with the encoding it is told worked last time', async () => {
    const h = harness([invited('business_manager')]);
    const receipt = await h.client.invite(240340, 'eli@acme.example', 'business_manager', {
      encoding: 'api',
    });
    expect(h.bodies().map((b) => (b as { capacity: string }).capacity)).toEqual([
      'business_manager',
    ]);
    expect(receipt.capacity).toEqual({ sent: 'business_manager', encoding: 'api' });
  });

  it.each([
    ['403 errno 1003 (not offered: a manual task)', answer(403, PERMISSION_DENIED)],
    ['404 (no such route)', answer(404, '{}')],
    ['a 5xx (the outcome is unknown)', answer(502, '<html>')],
  ])('never falls back on %s: one request, the error as it was', async (_name, refusal) => {
    const h = harness([refusal]);
    const error = await h.client
      .invite(240340, 'eli@acme.example', 'business_manager')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FreshBooksApiError);
    expect((error as FreshBooksApiError).status).toBe(refusal.status);
    expect(h.sent).toHaveLength(1);
  });

  it('a refusal of the email ("already invited") is not about the capacity: no second request', async () => {
    const h = harness([answer(422, INVALID('To email has already been invited'))]);
    const error = await h.client
      .invite(240340, 'eli@acme.example', 'business_manager')
      .catch((e: unknown) => e);
    expect((error as FreshBooksApiError).message).toMatch(/already been invited/);
    expect(h.sent).toHaveLength(1);
  });

  it('when both encodings are refused, the error names both answers', async () => {
    const h = harness([
      answer(422, INVALID('Capacity is not a valid role')),
      // Not a seat refusal: that one is no invalid capacity, and is thrown as it is.
      answer(422, INVALID('Capacity is not allowed for this business'), 'req-second'),
    ]);
    const error = (await h.client
      .invite(240340, 'eli@acme.example', 'business_manager')
      .catch((e: unknown) => e)) as FreshBooksApiError;
    expect(error).toBeInstanceOf(FreshBooksApiError);
    expect(error.status).toBe(422);
    expect(error.requestId).toBe('req-second');
    expect(error.message).toMatch(
      /Capacity is not a valid role.*; and with capacity "business_manager" instead: .*Capacity is not allowed for this business/,
    );
    expect(isManualFallback(error)).toBe(false);
  });
});

describe('a missing scope is not a missing route', () => {
  it('sends no write with a token known to lack user:teams:write, and says how to fix it', async () => {
    const h = harness([], [READ_ONLY]);
    for (const attempt of [
      () => h.client.invite(240340, 'eli@acme.example', 'business_manager'),
      () => h.client.changeRole(240340, 'u-1', 'business_employee'),
      () => h.client.remove(240340, 'u-1'),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RolecallError);
      expect((error as RolecallError).code).toBe('FRESHBOOKS_SCOPE_MISSING');
      expect((error as Error).message).toMatch(
        /lacks the scope user:teams:write \(granted: user:profile:read user:teams:read user:account:read\).*rolecall auth login/,
      );
      expect(isManualFallback(error)).toBe(false);
    }
    expect(h.sent).toHaveLength(0);
    expect(h.client.grantedScopes()).toEqual(READ_ONLY.split(' '));
  });

  it('a 403 to a token of unknown scopes: learns them with one refresh, then names the scope', async () => {
    // A stored access token in use: no token answer seen yet; the refresh grants read-only.
    const h = harness([answer(403, PERMISSION_DENIED)], [undefined, READ_ONLY]);
    expect(h.client.grantedScopes()).toBeUndefined();
    const error = await h.client.remove(240340, 'u-1').catch((e: unknown) => e);
    expect((error as RolecallError).code).toBe('FRESHBOOKS_SCOPE_MISSING');
    expect(h.renewals).toEqual(['token-0']);
    expect(h.sent).toHaveLength(1);
    // The next write is refused before it is sent, and nothing is refreshed again.
    await expect(h.client.remove(240340, 'u-2')).rejects.toThrow(/user:teams:write/);
    expect(h.sent).toHaveLength(1);
    expect(h.renewals).toHaveLength(1);
  });

  it("a 403 to a token that has the scope stays FreshBooks' refusal (a manual task)", async () => {
    const h = harness(
      [answer(403, PERMISSION_DENIED), answer(403, PERMISSION_DENIED)],
      [undefined, ALL],
    );
    const error = await h.client.remove(240340, 'u-1').catch((e: unknown) => e);
    expect(isManualFallback(error)).toBe(true);
    expect(h.renewals).toHaveLength(1);
    // Learnt once: a second 403 does not refresh again.
    expect(isManualFallback(await h.client.remove(240340, 'u-2').catch((e: unknown) => e))).toBe(
      true,
    );
    expect(h.renewals).toHaveLength(1);
  });

  it('a token answer without scopes leaves them unknown, and a 403 stays a 403', async () => {
    const h = harness([answer(403, PERMISSION_DENIED)], [null, null]);
    const error = await h.client.remove(240340, 'u-1').catch((e: unknown) => e);
    expect(isManualFallback(error)).toBe(true);
  });

  it('takes the scopes from users/me when the token answer did not name them', async () => {
    const me = {
      response: {
        id: 5001,
        email: 'alice@acme.example',
        scopes: ['user:profile:read', 'user:teams:read'],
        business_memberships: [],
      },
    };
    const h = harness([answer(200, JSON.stringify(me))], [null]);
    const identity = await h.client.whoami();
    expect(identity.scopes).toEqual(['user:profile:read', 'user:teams:read']);
    await expect(h.client.invite(240340, 'eli@acme.example', 'business_manager')).rejects.toThrow(
      /granted: user:profile:read user:teams:read/,
    );
    expect(h.sent).toHaveLength(1);
  });
});
