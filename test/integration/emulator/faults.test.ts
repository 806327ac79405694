import { afterEach, describe, expect, it } from 'vitest';
import {
  loadDefaultSeed,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { ACME, TEAM, accessToken, call, refresh, testClock, uuidOf } from './support.js';

const ME = '/auth/api/v1/users/me';
const INVITE = '/auth/api/v1/users/invitation';

const running: RunningEmulator[] = [];
async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startEmulator(options);
  running.push(emu);
  return emu;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
});

/** Status of a request, or "reset" when the connection died without an answer. */
async function statusOf(
  emu: RunningEmulator,
  path: string,
  token: string,
): Promise<number | 'reset'> {
  try {
    return (await call(emu, 'GET', path, { token })).status;
  } catch {
    return 'reset';
  }
}

describe('rate limit (token bucket per OAuth client)', () => {
  it('answers 429 with Retry-After in seconds and the rate_limited body, then refills', async () => {
    const clock = testClock();
    const emu = await start({ rate: 2, now: clock.now });
    const token = await accessToken(emu); // the token call takes one from the bucket
    expect(await statusOf(emu, ME, token)).toBe(200);
    const limited = await call(emu, 'GET', ME, { token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toMatchObject({ error: 'rate_limited' });
    expect(typeof (limited.body as { error_description: unknown }).error_description).toBe(
      'string',
    );
    clock.advance(499);
    expect(await statusOf(emu, ME, token)).toBe(429);
    clock.advance(1);
    expect(await statusOf(emu, ME, token)).toBe(200);
    const counts = emu.control.requests().byRoute['GET /auth/api/v1/users/me'];
    expect(counts).toEqual({ '200': 2, '429': 2 });
  });

  it('computes Retry-After from the refill rate, and buckets clients separately', async () => {
    const clock = testClock();
    const seed = loadDefaultSeed();
    seed.clients.push({
      client_id: 'second',
      client_secret: 'second-secret-0123456789',
      identity_id: 5000,
    });
    const emu = await start({ seed, rate: 0.25, burst: 2, now: clock.now });
    const token = await accessToken(emu);
    expect(await statusOf(emu, ME, token)).toBe(200);
    const limited = await call(emu, 'GET', ME, { token });
    expect(limited.headers.get('retry-after')).toBe('4');
    const code = emu.control.mintCode({ client_id: 'second' });
    const other = await call(emu, 'POST', '/auth/oauth/token', {
      form: {
        grant_type: 'authorization_code',
        client_id: 'second',
        client_secret: 'second-secret-0123456789',
        code,
        redirect_uri: 'https://localhost/rolecall/callback',
      },
    });
    expect(other.status).toBe(200);
    expect(await statusOf(emu, ME, (other.body as { access_token: string }).access_token)).toBe(
      200,
    );
  });

  it('can be changed at run time', async () => {
    const clock = testClock();
    const emu = await start({ now: clock.now });
    const token = await accessToken(emu);
    emu.control.configure({ rate: 1 });
    expect(await statusOf(emu, ME, token)).toBe(200);
    expect(await statusOf(emu, ME, token)).toBe(429);
    emu.control.configure({ rate: null });
    expect(await statusOf(emu, ME, token)).toBe(200);
  });
});

describe('seeded random faults', () => {
  const faults = '429=0.1,500=0.1,502=0.05,503=0.05,reset=0.1,slow=0.05,expire=0.02';

  async function sequence(faultSeed: number): Promise<Array<number | 'reset'>> {
    const emu = await start({ faults, faultSeed, slowMs: 1 });
    const token = await accessToken(emu);
    const statuses: Array<number | 'reset'> = [];
    for (let i = 0; i < 60; i += 1)
      statuses.push(await statusOf(emu, `${TEAM(ACME)}?page=1&per_page=5`, token));
    return statuses;
  }

  it('gives the same sequence of statuses for the same seed, and a different one for another seed', async () => {
    const a = await sequence(7);
    const b = await sequence(7);
    const c = await sequence(8);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    for (const kind of [429, 500, 502, 503, 'reset', 200] as const) expect(a).toContain(kind);
  });

  it('never touches the control routes, nor the token endpoint unless asked', async () => {
    const emu = await start({ faults: '500=1' });
    const token = await accessToken(emu);
    expect(await statusOf(emu, ME, token)).toBe(500);
    expect((await call(emu, 'GET', '/_emulator/state')).status).toBe(200);
    expect((await call(emu, 'GET', '/_emulator/requests')).status).toBe(200);
    emu.control.configure({ faultTokenEndpoint: true });
    await expect(refresh(emu, latestRefreshToken(emu))).rejects.toThrow(/refresh failed: 500/);
    // The refused attempt did not spend the refresh token: the fault came before the grant.
    emu.control.configure({ faults: {} });
    expect((await refresh(emu, latestRefreshToken(emu))).access_token).toBeTruthy();
  });

  it('answers 502/503 with a gateway HTML page, not JSON', async () => {
    const emu = await start();
    const token = await accessToken(emu);
    emu.control.queueFault('502');
    const answer = await call(emu, 'GET', ME, { token });
    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toMatch(/text\/html/);
    expect(answer.text).toContain('502 Bad Gateway');
  });

  it('expire kills the caller’s access token early', async () => {
    const emu = await start();
    const tokens = await refresh(emu);
    emu.control.queueFault('expire');
    const expired = await call(emu, 'GET', ME, { token: tokens.access_token });
    expect([expired.status, (expired.body as { error: string }).error]).toEqual([
      401,
      'unauthenticated',
    ]);
    expect(await statusOf(emu, ME, tokens.access_token)).toBe(401);
    const renewed = await refresh(emu, tokens.refresh_token);
    expect(await statusOf(emu, ME, renewed.access_token)).toBe(200);
  });
});

/** The client's current refresh token, read from the state dump. */
function latestRefreshToken(emu: RunningEmulator): string {
  const token = emu.control.dumpState().clients[0]?.refresh_tokens?.[0];
  if (!token) throw new Error('no live refresh token');
  return token;
}

describe('faults before and after a write takes effect', () => {
  async function inviteWith(emu: RunningEmulator, token: string, email: string) {
    try {
      return await call(emu, 'POST', INVITE, {
        token,
        json: {
          capacity: 'employee',
          to_email: email,
          invitable_id: ACME,
          invitable_type: 'business',
        },
      });
    } catch {
      return 'reset' as const;
    }
  }

  it('reset: no answer, no effect; reset-after: no answer, but the member exists', async () => {
    const emu = await start();
    const token = await accessToken(emu);
    emu.control.queueFault('reset', 'POST /auth/api/v1/users/invitation');
    expect(await inviteWith(emu, token, 'eli@acme.example')).toBe('reset');
    expect(emu.control.member(ACME, 'eli@acme.example')).toBeNull();
    emu.control.queueFault('reset-after', 'POST /auth/api/v1/users/invitation');
    expect(await inviteWith(emu, token, 'eli@acme.example')).toBe('reset');
    expect(emu.control.member(ACME, 'eli@acme.example')).not.toBeNull();
    const log = emu.control.requests().log.slice(-2);
    expect(log.map((e) => [e.fault, e.status, e.applied])).toEqual([
      ['reset', 0, false],
      ['reset-after', 0, true],
    ]);
    // The retry a careful client makes after re-reading is refused, not duplicated.
    const retry = await inviteWith(emu, token, 'eli@acme.example');
    expect(retry !== 'reset' && retry.status).toBe(422);
  });

  it('500 before: unchanged; 500-after: applied, and the log says so', async () => {
    const emu = await start();
    const token = await accessToken(emu);
    const grace = uuidOf(emu, ACME, 'grace@acme.example');
    const zoe = uuidOf(emu, ACME, 'zoe@acme.example');
    emu.control.queueFault('500', 'PUT /auth/api/v1/businesses/:id/team_members/:uuid');
    emu.control.queueFault('500-after', 'DELETE /auth/api/v1/businesses/:id/team_members/:uuid');
    const put = await call(emu, 'PUT', `${TEAM(ACME)}/${grace}`, {
      token,
      json: { team_member: { business_role_name: 'business_employee' } },
    });
    const del = await call(emu, 'DELETE', `${TEAM(ACME)}/${zoe}`, { token });
    expect([put.status, del.status]).toEqual([500, 500]);
    expect(put.body).toEqual({
      error: 'internal_server_error',
      error_description: 'internal server error',
    });
    expect(emu.control.member(ACME, grace)?.business_role_name).toBe('business_manager');
    expect(emu.control.member(ACME, zoe)?.active).toBe(false);
    const log = emu.control.requests().log.slice(-2);
    expect(log.map((e) => [e.method, e.fault, e.applied])).toEqual([
      ['PUT', '500', false],
      ['DELETE', '500-after', true],
    ]);
    expect(log[0]?.body).toEqual({ team_member: { business_role_name: 'business_employee' } });
  });

  it('slow: the write takes effect at once, the answer comes after slowMs (a client timeout sees nothing)', async () => {
    const emu = await start({ slowMs: 400 });
    const token = await accessToken(emu);
    const grace = uuidOf(emu, ACME, 'grace@acme.example');
    emu.control.queueFault('slow');
    const timedOut = fetch(`${emu.url}${TEAM(ACME)}/${grace}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ team_member: { business_role_name: 'business_employee' } }),
      signal: AbortSignal.timeout(300), // < slowMs, and time enough for the PUT to arrive
    });
    await expect(timedOut).rejects.toThrow();
    expect(emu.control.member(ACME, grace)?.business_role_name).toBe('business_employee');
    const started = Date.now();
    emu.control.queueFault('slow');
    expect(await statusOf(emu, ME, token)).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('random after-faults are reproducible too', async () => {
    const run = async () => {
      const emu = await start({ faults: '500-after=0.3,reset-after=0.2', faultSeed: 3 });
      const token = await accessToken(emu);
      const out: Array<number | 'reset'> = [];
      for (let i = 0; i < 12; i += 1) {
        const answer = await inviteWith(emu, token, `new${i}@acme.example`);
        out.push(answer === 'reset' ? 'reset' : answer.status);
      }
      // Every one of them took effect, whatever the answer said.
      for (let i = 0; i < 12; i += 1)
        expect(emu.control.member(ACME, `new${i}@acme.example`)).not.toBeNull();
      return out;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain('reset');
  });
});

describe('latency', () => {
  it('delays answers by latencyMs', async () => {
    const emu = await start({ latencyMs: 150 });
    const token = await accessToken(emu);
    const started = Date.now();
    await statusOf(emu, ME, token);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('closes promptly even while a request is being delayed', async () => {
    const emu = await startEmulator({ slowMs: 60_000 });
    const token = await accessToken(emu);
    emu.control.queueFault('slow');
    const pending = statusOf(emu, ME, token);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await emu.close();
    // It did not sit out the 60 s delay (half of it is a bound no loaded machine comes near).
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await pending).toBe('reset');
  });
});
