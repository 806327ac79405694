import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolecallError } from '../../../src/errors.js';
import { liveBusinessOf, liveMemberOf } from '../../../src/sync/live-member.js';
import { readLiveStateFile, serializeLiveState } from '../../../src/sync/live-state-file.js';
import type { LiveState } from '../../../src/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rolecall-live-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sampleState(): LiveState {
  const base = {
    businessId: 240340,
    firstName: null,
    middleName: null,
    lastName: null,
    identityId: null,
    invitationDateAccepted: null,
    createdAt: null,
    updatedAt: null,
  };
  return {
    version: 1,
    syncedAt: '2026-05-01T09:00:00.000Z',
    identity: { identityId: 5001, email: 'alice@acme.example' },
    businesses: [
      liveBusinessOf({
        businessId: 240340,
        name: 'Acme Books Inc.',
        accountId: 'Xk9Pq2',
        members: [
          liveMemberOf({
            ...base,
            uuid: 'u1',
            email: 'pat@acme.example',
            apiRole: 'time_tracking_admin',
            active: true,
          }),
          liveMemberOf({
            ...base,
            uuid: 'u2',
            email: 'hana@acme.example',
            apiRole: 'business_employee',
            active: false,
          }),
        ],
      }),
    ],
    stats: { requests: 2, retries: 0, elapsedMs: 12 },
  };
}

async function write(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('LiveState files', () => {
  it('round-trips byte for byte, with stable key order and a trailing newline', async () => {
    const state = sampleState();
    const text = serializeLiveState(state);
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'version',
      'syncedAt',
      'identity',
      'businesses',
      'stats',
    ]);
    const read = await readLiveStateFile(await write('ok.json', text));
    expect(read).toEqual(state);
    expect(serializeLiveState(read)).toBe(text);
  });

  it('a missing file says how to make one', async () => {
    await expect(readLiveStateFile(join(dir, 'nope.json'))).rejects.toThrow(
      /no such file.*rolecall sync --out/,
    );
  });

  it('bad JSON is a clear error', async () => {
    await expect(readLiveStateFile(await write('bad.json', '{"version":'))).rejects.toThrow(
      /not valid JSON/,
    );
  });

  it.each([
    ['version 2', (s: Record<string, unknown>) => (s['version'] = 2), '/version'],
    [
      'an upper-case email',
      (s: Record<string, unknown>) =>
        ((s['identity'] as { email: string }).email = 'Alice@acme.example'),
      '/identity/email',
    ],
    [
      'an unknown state',
      (s: Record<string, unknown>) => {
        const businesses = s['businesses'] as Array<{ members: Array<Record<string, unknown>> }>;
        (businesses[0]?.members[0] as Record<string, unknown>)['state'] = 'suspended';
      },
      '/businesses/0/members/0/state',
    ],
    ['an extra field', (s: Record<string, unknown>) => (s['token'] = 'x'), '(root)'],
  ])('%s fails the schema, naming where', async (_name, mutate, where) => {
    const raw = JSON.parse(serializeLiveState(sampleState())) as Record<string, unknown>;
    mutate(raw);
    const error = await readLiveStateFile(await write('schema.json', JSON.stringify(raw))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RolecallError);
    expect((error as Error).message).toContain('live-state.schema.json');
    expect((error as Error).message).toContain(where);
  });

  it('a hand-edited member (role changed, fingerprint kept) is refused', async () => {
    const raw = JSON.parse(serializeLiveState(sampleState())) as LiveState;
    const member = raw.businesses[0]?.members[0];
    if (!member) throw new Error('fixture');
    member.apiRole = 'business_partner';
    member.role = 'admin';
    const error = await readLiveStateFile(await write('edited.json', JSON.stringify(raw))).catch(
      (e: unknown) => e,
    );
    expect((error as RolecallError).code).toBe('LIVE_STATE_TAMPERED');
    expect((error as Error).message).toContain(
      '/businesses/0/members/0 (hana@acme.example): fingerprint does not match',
    );
  });

  it('a removed member is caught by the business fingerprint', async () => {
    const raw = JSON.parse(serializeLiveState(sampleState())) as LiveState;
    raw.businesses[0]?.members.pop();
    await expect(
      readLiveStateFile(await write('removed.json', JSON.stringify(raw))),
    ).rejects.toThrow(/\/businesses\/0: fingerprint does not match/);
  });
});
