/**
 * The control routes hand out the client secret and rewrite the emulator's whole state, so they
 * must answer only programs on this machine. A web page cannot open a raw socket, but it can
 * make the browser send requests: cross-origin ones carry an `Origin`, and after a DNS
 * rebinding (evil.example re-pointed at 127.0.0.1) same-origin ones carry `Host: evil.example`.
 * A `<form>` can also POST `text/plain` without a CORS preflight. Each is tried here over real
 * loopback HTTP with `node:http` (fetch refuses to set `Host`), and must leave the state as it was.
 */
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startEmulator,
  type EmulatorConfig,
  type EmulatorSeed,
  type RunningEmulator,
} from '../../../src/emulator/index.js';
import { ACME, TEAM, accessToken } from './support.js';

interface RawAnswer {
  status: number;
  text: string;
  json: unknown;
}

/** One request over loopback with exactly the headers given (no `Host` unless `setHost`). */
function raw(
  emu: RunningEmulator,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
  setHost = true,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: emu.port, method, path, headers, setHost, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text) as unknown;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const LOOPBACK = (emu: RunningEmulator) => `127.0.0.1:${emu.port}`;
const JSON_TYPE = { 'content-type': 'application/json' };
const NEWCOMER = { email: 'mallory@evil.example', role: 'admin', state: 'active' };

/** A state an attacker would load: the same, plus a partner seat for themselves. */
function hostileSeed(emu: RunningEmulator): EmulatorSeed {
  const seed = emu.control.dumpState();
  seed.businesses[0]?.members?.push({
    email: 'mallory@evil.example',
    role: 'business_partner',
    state: 'active',
  });
  return seed;
}

let emu: RunningEmulator;
let before: { state: EmulatorSeed; config: EmulatorConfig };
beforeEach(async () => {
  emu = await startEmulator();
  before = { state: emu.control.dumpState(), config: emu.control.config() };
});
afterEach(() => emu.close());

function expectUnchanged(): void {
  expect(emu.control.dumpState()).toEqual(before.state);
  expect(emu.control.config()).toEqual(before.config);
  expect(emu.control.member(ACME, 'mallory@evil.example')).toBeNull();
}

describe('control routes refuse a foreign Host (DNS rebinding)', () => {
  it.each([
    'evil.example',
    'evil.example:PORT',
    '127.0.0.1.evil.example',
    'localhost.evil.example',
  ])('Host: %s cannot read the state (and with it the client secret)', async (host) => {
    const answer = await raw(emu, 'GET', '/_emulator/state', {
      host: host.replace('PORT', String(emu.port)),
    });
    expect(answer.status).toBe(403);
    expect(answer.json).toMatchObject({
      error: 'forbidden',
      error_description: expect.stringMatching(/Host/),
    });
    expect(answer.text).not.toContain(emu.credentials.clientSecret);
    expect(answer.text).not.toContain(emu.credentials.refreshToken);
  });

  it('Host: evil.example cannot load a state, add a member, change the config or queue a fault', async () => {
    const host = { host: `evil.example:${emu.port}`, ...JSON_TYPE };
    const attempts = [
      raw(emu, 'PUT', '/_emulator/state', host, JSON.stringify(hostileSeed(emu))),
      raw(emu, 'POST', `/_emulator/businesses/${ACME}/members`, host, JSON.stringify(NEWCOMER)),
      raw(emu, 'PUT', '/_emulator/config', host, JSON.stringify({ latencyMs: 999 })),
      raw(emu, 'POST', '/_emulator/faults', host, JSON.stringify({ fault: '500' })),
      raw(emu, 'POST', '/_emulator/oauth/codes', host, JSON.stringify({ client_id: 'x' })),
    ];
    for (const answer of await Promise.all(attempts)) expect(answer.status).toBe(403);
    expectUnchanged();
    // No fault was queued: the next FreshBooks request is answered normally.
    const token = await accessToken(emu);
    const listed = await fetch(`${emu.url}${TEAM(ACME)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listed.status).toBe(200);
  });

  it('a request without any Host header is refused too', async () => {
    // HTTP/1.1 requires Host, so node itself may answer 400 first; either way, no state change.
    const answer = await raw(
      emu,
      'PUT',
      '/_emulator/config',
      JSON_TYPE,
      JSON.stringify({ latencyMs: 999 }),
      false,
    );
    expect([400, 403]).toContain(answer.status);
    expectUnchanged();
  });
});

describe('control routes refuse a foreign Origin (a web page)', () => {
  it.each(['http://evil.example', `https://evil.example`, 'null', 'http://127.0.0.1.evil.example'])(
    'Origin: %s cannot add a member or read the state',
    async (origin) => {
      const headers = { host: LOOPBACK(emu), origin, ...JSON_TYPE };
      const add = await raw(
        emu,
        'POST',
        `/_emulator/businesses/${ACME}/members`,
        headers,
        JSON.stringify(NEWCOMER),
      );
      expect(add.status).toBe(403);
      expect(add.json).toMatchObject({
        error: 'forbidden',
        error_description: expect.stringMatching(/Origin/),
      });
      const read = await raw(emu, 'GET', '/_emulator/state', { host: LOOPBACK(emu), origin });
      expect(read.status).toBe(403);
      expect(read.text).not.toContain(emu.credentials.clientSecret);
      expectUnchanged();
    },
  );
});

describe('control writes must be application/json (no preflight-free form posts)', () => {
  it.each([
    ['text/plain', JSON.stringify(NEWCOMER)],
    ['text/plain;charset=UTF-8', JSON.stringify(NEWCOMER)],
    ['application/x-www-form-urlencoded', 'email=mallory%40evil.example&role=admin'],
    ['multipart/form-data; boundary=x', '--x--'],
    ['application/jsonp', JSON.stringify(NEWCOMER)],
    [undefined, JSON.stringify(NEWCOMER)],
  ])('Content-Type %s is refused with 415', async (type, body) => {
    const headers: Record<string, string> = { host: LOOPBACK(emu) };
    if (type !== undefined) headers['content-type'] = type;
    const answer = await raw(emu, 'POST', `/_emulator/businesses/${ACME}/members`, headers, body);
    expect(answer.status).toBe(415);
    expect(answer.json).toMatchObject({
      error: 'unsupported_media_type',
      error_description: expect.stringMatching(/application\/json/),
    });
    expectUnchanged();
  });

  it('a text/plain state load or config change is refused, even when the text is valid JSON', async () => {
    const plain = { host: LOOPBACK(emu), 'content-type': 'text/plain' };
    const load = await raw(emu, 'PUT', '/_emulator/state', plain, JSON.stringify(hostileSeed(emu)));
    const config = await raw(emu, 'PUT', '/_emulator/config', plain, '{"latencyMs":999}');
    expect([load.status, config.status]).toEqual([415, 415]);
    expectUnchanged();
  });

  it('an empty text/plain write (a form with no fields) is refused as well', async () => {
    const uuid = emu.control.member(ACME, 'hana@acme.example')?.uuid ?? '';
    const answer = await raw(
      emu,
      'POST',
      `/_emulator/businesses/${ACME}/members/${uuid}/accept`,
      { host: LOOPBACK(emu), 'content-type': 'text/plain' },
      '',
    );
    expect(answer.status).toBe(415);
    expectUnchanged();
  });
});

describe('positive control: local programs still drive the emulator', () => {
  it.each([
    ['127.0.0.1:PORT', undefined],
    ['localhost:PORT', undefined],
    ['[::1]:PORT', undefined],
    ['LOCALHOST', undefined],
    ['127.0.0.1:PORT', 'http://localhost:PORT'],
    ['localhost:PORT', 'http://127.0.0.1:5173'],
  ])('Host %s, Origin %s, application/json → the write happens', async (host, origin) => {
    const headers: Record<string, string> = {
      host: host.replace('PORT', String(emu.port)),
      'content-type': 'application/json; charset=utf-8',
    };
    if (origin !== undefined) headers['origin'] = origin.replace('PORT', String(emu.port));
    const answer = await raw(
      emu,
      'POST',
      `/_emulator/businesses/${ACME}/members`,
      headers,
      JSON.stringify({ email: 'newbie@acme.example', role: 'employee' }),
    );
    expect(answer.status).toBe(201);
    expect(emu.control.member(ACME, 'newbie@acme.example')).not.toBeNull();
  });

  it('a write without a body needs no Content-Type (curl -X DELETE, accept)', async () => {
    const uuid = emu.control.member(ACME, 'hana@acme.example')?.uuid ?? '';
    const host = { host: LOOPBACK(emu) };
    const accepted = await raw(
      emu,
      'POST',
      `/_emulator/businesses/${ACME}/members/${uuid}/accept`,
      host,
    );
    expect(accepted.status).toBe(200);
    expect(emu.control.member(ACME, 'hana@acme.example')?.active).toBe(true);
    expect((await raw(emu, 'DELETE', '/_emulator/requests', host)).status).toBe(204);
  });

  it('fetch (what the tests and scripts use) reads and loads the state', async () => {
    const state = await fetch(`${emu.url}/_emulator/state`);
    expect(state.status).toBe(200);
    const seed = (await state.json()) as EmulatorSeed;
    expect(seed.clients[0]?.client_secret).toBe(emu.credentials.clientSecret);
    const loaded = await fetch(`${emu.url}/_emulator/state`, {
      method: 'PUT',
      headers: JSON_TYPE,
      body: JSON.stringify(hostileSeed(emu)),
    });
    expect(loaded.status).toBe(200);
    expect(emu.control.member(ACME, 'mallory@evil.example')).not.toBeNull();
  });
});
