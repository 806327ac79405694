/**
 * The business scheduler with the real FreshBooks client under it (a scripted transport, a
 * sleep the test releases): a write waiting out a 429's `Retry-After` was certainly not applied,
 * so it does not hold the business's listing; it takes its place again behind that listing
 * before it is sent. A write whose outcome is unknown (a 5xx, a reset) holds the listing until
 * it has failed — it may be landing while the listing would page the team. A listing's reads of
 * single members need no writes held back; its pages do, except while a page waits out a
 * Retry-After: writes go, and the listing starts over from page 1 if any did.
 */
import { describe, expect, it } from 'vitest';
import { BusinessScheduler, MAX_LET_GO } from '../../../src/apply/business-scheduler.js';
import { FreshBooksApiError } from '../../../src/errors.js';
import { ApiClient } from '../../../src/freshbooks/api-client.js';
import { FreshBooksClient } from '../../../src/freshbooks/freshbooks-client.js';
import {
  NetworkError,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
} from '../../../src/freshbooks/http-transport.js';
import { silentLogger } from '../../../src/freshbooks/logger.js';
import { createRateBudget } from '../../../src/freshbooks/rate-budget.js';
import { newCounters } from '../../../src/freshbooks/retry-policy.js';

function deferred<T>() {
  let resolve = (_: T): void => {};
  let reject = (_: unknown): void => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function gate() {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets every pending callback run (the client's await chain is a few promises deep). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

interface Pending {
  req: HttpRequest;
  answer: ReturnType<typeof deferred<HttpResponse>>;
}

function harness() {
  const requests: Pending[] = [];
  const sleeps: Array<ReturnType<typeof gate>> = [];
  const transport: HttpTransport = {
    send: (req) => {
      const answer = deferred<HttpResponse>();
      requests.push({ req, answer });
      return answer.promise;
    },
    close: async () => {},
  };
  const api = new ApiClient({
    baseUrl: 'https://api.example',
    transport,
    budget: createRateBudget({ rate: Infinity }),
    tokens: { accessToken: async () => 'token', renew: async () => 'token' },
    retry: {
      maxRetries: 3,
      backoff: { baseMs: 100, capMs: 1000, random: () => 0 },
      maxRetryAfterMs: 60_000,
      // Every retry wait is released by the test.
      sleep: () => {
        const wake = gate();
        sleeps.push(wake);
        return wake.promise;
      },
      wallNow: () => 0,
    },
    counters: newCounters(),
    logger: silentLogger,
  });
  const client = new FreshBooksClient(api);
  const scheduler = new BusinessScheduler();
  const writes = () => requests.filter((p) => p.req.method !== 'GET');
  return { client, scheduler, requests, sleeps, writes };
}

const answer = (status: number, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  text: status < 300 ? JSON.stringify({ response: {} }) : '',
});

const member = (uuid: string) => ({
  uuid,
  email: `${uuid}@example.com`,
  business_id: 1,
  business_role_name: 'business_employee',
  active: true,
});

/** One page of a team of `total` members, 100 a page. */
const page = (n: number, total: number): HttpResponse => {
  const members = Array.from(
    { length: Math.max(0, Math.min(100, total - (n - 1) * 100)) },
    (_, i) => member(`m-${(n - 1) * 100 + i}`),
  );
  return {
    status: 200,
    headers: {},
    text: JSON.stringify({
      response: members,
      meta: { page: n, pages: Math.ceil(total / 100), per_page: 100, total },
    }),
  };
};

describe('BusinessScheduler with the FreshBooks client: writes that are certainly not in flight', () => {
  it('lets a listing run while a write waits out a 429, and sends the write again only after it', async () => {
    const h = harness();
    const events: string[] = [];
    const write = h.scheduler.write(1, () => h.client.changeRole(1, 'u-1', 'business_manager'));
    await settle();
    expect(h.writes()).toHaveLength(1);
    h.writes()[0]?.answer.resolve(answer(429, { 'retry-after': '1' }));
    await settle();
    expect(h.sleeps).toHaveLength(1);

    // The write sleeps on its Retry-After: the listing of its business goes now.
    const listingDone = gate();
    const listing = h.scheduler.list(1, async () => {
      events.push('listing');
      await listingDone.promise;
      events.push('listing done');
      return 'team';
    });
    await settle();
    expect(events).toEqual(['listing']);

    // The Retry-After is over while the listing still reads: the write waits for it.
    h.sleeps[0]?.open();
    await settle();
    expect(h.writes()).toHaveLength(1);
    listingDone.open();
    await expect(listing).resolves.toBe('team');
    await settle();
    expect(h.writes()).toHaveLength(2);
    expect(h.writes()[1]?.req.method).toBe('PUT');
    h.writes()[1]?.answer.resolve(answer(200));
    await expect(write).resolves.toMatchObject({});
  });

  it('holds a listing while a write whose outcome is unknown is in flight, until it has failed', async () => {
    for (const failure of [answer(503), new NetworkError('reset', 'connection reset')]) {
      const h = harness();
      const events: string[] = [];
      const write = h.scheduler
        .write(1, () =>
          h.client.remove(1, 'u-1').catch((error: unknown) => {
            events.push('write failed');
            throw error;
          }),
        )
        .catch((error: unknown) => error);
      await settle();
      const listing = h.scheduler.list(1, () => {
        events.push('listing');
        return Promise.resolve('team');
      });
      await settle();
      expect(events).toEqual([]);
      const pending = h.writes()[0];
      if (failure instanceof NetworkError) pending?.answer.reject(failure);
      else pending?.answer.resolve(failure);
      await expect(listing).resolves.toBe('team');
      expect(events).toEqual(['write failed', 'listing']);
      // Not retried by the client: the applier re-reads the member before trying again.
      expect(h.sleeps).toHaveLength(0);
      expect(await write).toMatchObject({ outcomeUnknown: true });
      expect(await write).toBeInstanceOf(FreshBooksApiError);
    }
  });

  it('holds a listing while a write is being sent, before any answer', async () => {
    const h = harness();
    const events: string[] = [];
    const write = h.scheduler.write(1, () => h.client.remove(1, 'u-1'));
    await settle();
    const listing = h.scheduler.list(1, () => {
      events.push('listing');
      return Promise.resolve('team');
    });
    await settle();
    expect(events).toEqual([]);
    h.writes()[0]?.answer.resolve(answer(429, { 'retry-after': '1' }));
    await settle();
    // The 429 proves the write was not applied: the listing need not wait for its retry.
    expect(events).toEqual(['listing']);
    await listing;
    h.sleeps[0]?.open();
    await settle();
    h.writes()[1]?.answer.resolve(answer(200));
    await write;
    expect(h.writes()).toHaveLength(2);
  });

  it('keeps the count right when a write leaves and retakes its place several times', async () => {
    const h = harness();
    const write = h.scheduler.write(1, () => h.client.remove(1, 'u-1'));
    for (let attempt = 0; attempt < 2; attempt++) {
      await settle();
      h.writes()[attempt]?.answer.resolve(answer(429, { 'retry-after': '1' }));
      await settle();
      h.sleeps[attempt]?.open();
    }
    await settle();
    h.writes()[2]?.answer.resolve(answer(200));
    await write;
    // Nothing in flight any more: a listing runs at once, and a write after it too.
    const events: string[] = [];
    await h.scheduler.list(1, () => {
      events.push('listing');
      return Promise.resolve();
    });
    expect(events).toEqual(['listing']);
    const after = h.scheduler.write(1, () => h.client.remove(1, 'u-2'));
    await settle();
    h.writes()[3]?.answer.resolve(answer(200));
    await after;
  });
});

describe('BusinessScheduler with the FreshBooks client: what a listing holds back', () => {
  it('lets writes go while its reads are single members', async () => {
    const h = harness();
    const listing = h.scheduler.list(1, () => h.client.getTeamMember(1, 'm-1'));
    const write = h.scheduler.write(1, () => h.client.remove(1, 'u-2'));
    await settle();
    // The member's GET and the write are both out.
    expect(h.requests.map((p) => p.req.method)).toEqual(['GET', 'DELETE']);
    h.requests[1]?.answer.resolve(answer(204));
    await write;
    h.requests[0]?.answer.resolve({
      status: 200,
      headers: {},
      text: JSON.stringify({ response: member('m-1') }),
    });
    await expect(listing).resolves.toMatchObject({ uuid: 'm-1' });
  });

  it('holds writes back through every page of a listing', async () => {
    const h = harness();
    const listing = h.scheduler.list(1, () => h.client.listTeamMembers(1));
    const write = h.scheduler.write(1, () => h.client.remove(1, 'u-2'));
    await settle();
    expect(h.requests).toHaveLength(1);
    h.requests[0]?.answer.resolve(page(1, 250));
    await settle();
    expect(h.requests).toHaveLength(3);
    h.requests[1]?.answer.resolve(page(2, 250));
    await settle();
    expect(h.writes()).toHaveLength(0);
    h.requests[2]?.answer.resolve(page(3, 250));
    await expect(listing).resolves.toHaveLength(250);
    await settle();
    expect(h.writes()).toHaveLength(1);
    h.writes()[0]?.answer.resolve(answer(204));
    await write;
  });

  it('lets writes go while a page waits out a 429, then reads the team again from page 1, writes held back', async () => {
    const h = harness();
    const listing = h.scheduler.list(1, () => h.client.listTeamMembers(1));
    const write = h.scheduler.write(1, () => h.client.remove(1, 'u-2'));
    await settle();
    h.requests[0]?.answer.resolve(page(1, 150));
    await settle();
    expect(h.writes()).toHaveLength(0);
    h.requests[1]?.answer.resolve(answer(429, { 'retry-after': '1' }));
    await settle();
    // The page sleeps on its Retry-After: the write goes meanwhile.
    expect(h.sleeps).toHaveLength(1);
    expect(h.writes()).toHaveLength(1);
    const late = h.scheduler.write(1, () => h.client.remove(1, 'u-3'));
    await settle();
    expect(h.writes()).toHaveLength(2);
    h.sleeps[0]?.open();
    await settle();
    // Page 2 again, read while writes were let go: not part of any listing.
    expect(h.requests.map((p) => p.req.method)).toEqual(['GET', 'GET', 'DELETE', 'DELETE', 'GET']);
    h.requests[4]?.answer.resolve(page(2, 150));
    await settle();
    // Starting over waits for the writes in flight.
    expect(h.requests).toHaveLength(5);
    h.writes()[0]?.answer.resolve(answer(204));
    await write;
    await settle();
    expect(h.requests).toHaveLength(5);
    h.writes()[1]?.answer.resolve(answer(204));
    await late;
    await settle();
    expect(h.requests.slice(5).map((p) => p.req.url)).toEqual([expect.stringContaining('page=1')]);
    // A write now waits for the new listing.
    const third = h.scheduler.write(1, () => h.client.remove(1, 'u-4'));
    h.requests[5]?.answer.resolve(page(1, 150));
    await settle();
    expect(h.writes()).toHaveLength(2);
    h.requests[6]?.answer.resolve(page(2, 150));
    await expect(listing).resolves.toHaveLength(150);
    await settle();
    expect(h.writes()).toHaveLength(3);
    h.writes()[2]?.answer.resolve(answer(204));
    await third;
  });

  it('keeps the pages it read when no write went while a page waited', async () => {
    const h = harness();
    const listing = h.scheduler.list(1, () => h.client.listTeamMembers(1));
    await settle();
    h.requests[0]?.answer.resolve(page(1, 150));
    await settle();
    h.requests[1]?.answer.resolve(answer(429, { 'retry-after': '1' }));
    await settle();
    h.sleeps[0]?.open();
    await settle();
    h.requests[2]?.answer.resolve(page(2, 150));
    await expect(listing).resolves.toHaveLength(150);
    expect(h.requests).toHaveLength(3);
  });

  it(`holds writes through a page's wait after letting them go ${MAX_LET_GO} times, so a listing always ends`, async () => {
    const h = harness();
    const listing = h.scheduler.list(1, () => h.client.listTeamMembers(1));
    let written = 0;
    const writes: Array<Promise<unknown>> = [];
    for (let round = 0; round <= MAX_LET_GO; round++) {
      await settle();
      const pending = h.requests.filter((p) => p.req.method === 'GET');
      pending.at(-1)?.answer.resolve(page(1, 150));
      await settle();
      h.requests
        .filter((p) => p.req.method === 'GET')
        .at(-1)
        ?.answer.resolve(answer(429, { 'retry-after': '1' }));
      await settle();
      // A write asks to go while the page waits.
      writes.push(h.scheduler.write(1, () => h.client.remove(1, `u-${round}`)));
      await settle();
      if (round < MAX_LET_GO) {
        expect(h.writes()).toHaveLength(++written);
        h.writes().at(-1)?.answer.resolve(answer(204));
      } else {
        // The last time, the write waits for the listing.
        expect(h.writes()).toHaveLength(written);
      }
      h.sleeps.at(-1)?.open();
      await settle();
      h.requests
        .filter((p) => p.req.method === 'GET')
        .at(-1)
        ?.answer.resolve(page(2, 150));
    }
    await expect(listing).resolves.toHaveLength(150);
    await settle();
    expect(h.writes()).toHaveLength(written + 1);
    h.writes().at(-1)?.answer.resolve(answer(204));
    await Promise.all(writes);
  });

  it('holds writes back while a page waits out a 5xx backoff (no Retry-After: a short wait)', async () => {
    const h = harness();
    const listing = h.scheduler.list(1, () => h.client.listTeamMembers(1));
    const write = h.scheduler.write(1, () => h.client.remove(1, 'u-2'));
    await settle();
    h.requests[0]?.answer.resolve(page(1, 150));
    await settle();
    h.requests[1]?.answer.resolve(answer(503));
    await settle();
    expect(h.sleeps).toHaveLength(1);
    expect(h.writes()).toHaveLength(0);
    h.sleeps[0]?.open();
    await settle();
    expect(h.writes()).toHaveLength(0);
    h.requests[2]?.answer.resolve(page(2, 150));
    await expect(listing).resolves.toHaveLength(150);
    await settle();
    expect(h.writes()).toHaveLength(1);
    h.writes()[0]?.answer.resolve(answer(204));
    await write;
  });

  it('shares one hold between pages read side by side after a member read', async () => {
    const h = harness();
    const listing = h.scheduler.list(1, async () => {
      await h.client.getTeamMember(1, 'm-1');
      return Promise.all([h.client.listTeamMembers(1), h.client.listTeamMembers(1)]);
    });
    await settle();
    h.requests[0]?.answer.resolve({
      status: 200,
      headers: {},
      text: JSON.stringify({ response: member('m-1') }),
    });
    await settle();
    expect(h.requests).toHaveLength(3);
    h.requests[1]?.answer.resolve(page(1, 50));
    h.requests[2]?.answer.resolve(page(1, 50));
    const [a, b] = await listing;
    expect([a.length, b.length]).toEqual([50, 50]);
  });

  it('holds writes back again, and waits for those in flight, when it pages after a member read', async () => {
    const h = harness();
    const listing = h.scheduler.list(1, async () => {
      await h.client.getTeamMember(1, 'm-1');
      return h.client.listTeamMembers(1);
    });
    await settle();
    h.requests[0]?.answer.resolve({
      status: 200,
      headers: {},
      text: JSON.stringify({ response: member('m-1') }),
    });
    // Let go after the member read: a write goes out, and the listing waits for it.
    const write = h.scheduler.write(1, () => h.client.remove(1, 'u-2'));
    await settle();
    expect(h.requests.map((p) => p.req.method)).toEqual(['GET', 'DELETE']);
    const late = h.scheduler.write(1, () => h.client.remove(1, 'u-3'));
    await settle();
    expect(h.requests).toHaveLength(2);
    h.requests[1]?.answer.resolve(answer(204));
    await write;
    await settle();
    // Page 1 only now; the later write waits for the listing.
    expect(h.requests.map((p) => p.req.method)).toEqual(['GET', 'DELETE', 'GET']);
    h.requests[2]?.answer.resolve(page(1, 50));
    await expect(listing).resolves.toHaveLength(50);
    await settle();
    expect(h.writes()).toHaveLength(2);
    h.writes()[1]?.answer.resolve(answer(204));
    await late;
  });
});
