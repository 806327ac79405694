import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefaultSeed, loadSeedFile } from '../../../src/emulator/load-seed.js';
import type { EmulatorSeed } from '../../../src/emulator/seed.js';
import { validateSeed } from '../../../src/emulator/validate-seed.js';

// Tests poke at deliberately broken seeds, so the mutators need an untyped view of them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

function base(): EmulatorSeed {
  return {
    identities: [{ id: 1, email: 'a@x.example' }],
    businesses: [
      {
        id: 10,
        name: 'X',
        account_id: 'Ab12',
        members: [{ email: 'a@x.example', role: 'owner', identity_id: 1 }],
      },
    ],
    clients: [
      {
        client_id: 'c',
        client_secret: 's3cret',
        identity_id: 1,
        refresh_tokens: ['0123456789abcdef'],
      },
    ],
  };
}

function problems(mutate: (seed: Loose) => void): string {
  const seed = structuredClone(base()) as unknown as Loose;
  mutate(seed);
  try {
    validateSeed(seed, 'test.json');
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('validateSeed', () => {
  it('accepts the shipped default seed and a minimal one', () => {
    expect(() => loadDefaultSeed()).not.toThrow();
    expect(validateSeed(base())).toEqual(base());
  });

  it.each<[string, (s: Loose) => void, string]>([
    ['not an object', (s) => (s.businesses = 3), 'businesses: must be an array'],
    ['unknown top-level key', (s) => (s.extra = 1), '(root).extra: is not a known field'],
    ['version 2', (s) => (s.version = 2), 'version: must be 1'],
    [
      'bad business id',
      (s) => (s.businesses[0].id = -1),
      'businesses[0].id: must be a positive integer',
    ],
    [
      'duplicate business',
      (s) => s.businesses.push({ ...s.businesses[0], members: [] }),
      'duplicate business id 10',
    ],
    [
      'missing account id',
      (s) => delete s.businesses[0].account_id,
      'businesses[0].account_id: must be a non-empty string',
    ],
    [
      'bad email',
      (s) => (s.businesses[0].members[0].email = 'nope'),
      '"nope" is not an email address',
    ],
    [
      'duplicate email (case)',
      (s) => s.businesses[0].members.push({ email: 'A@X.example', role: 'manager' }),
      'a@x.example appears twice',
    ],
    [
      'bad state',
      (s) => (s.businesses[0].members[0].state = 'gone'),
      'members[0].state: must be one of active, invited, deactivated',
    ],
    [
      'typo in a member field',
      (s) => (s.businesses[0].members[0].firstname = 'A'),
      'members[0].firstname: is not a known field',
    ],
    [
      'two owners',
      (s) => s.businesses[0].members.push({ email: 'b@x.example', role: 'owner' }),
      'has more than one owner',
    ],
    [
      'invited with identity',
      (s) =>
        s.businesses[0].members.push({
          email: 'b@x.example',
          role: 'manager',
          state: 'invited',
          identity_id: 4,
        }),
      'a pending invitation has no identity yet',
    ],
    [
      'deactivated never accepted',
      (s) =>
        s.businesses[0].members.push({
          email: 'b@x.example',
          role: 'manager',
          state: 'deactivated',
          invitation_date_accepted: null,
        }),
      'a deactivated member has an accepted invitation',
    ],
    [
      'bad instant',
      (s) => (s.businesses[0].members[0].created_at = 'yesterday'),
      'created_at: must be an ISO-8601 UTC instant',
    ],
    [
      'client of unknown identity',
      (s) => (s.clients[0].identity_id = 99),
      'clients[0].identity_id: 99 is not an identity of this seed',
    ],
    [
      'short refresh token',
      (s) => (s.clients[0].refresh_tokens = ['short']),
      'must be a string of at least 16 characters',
    ],
    ['no clients', (s) => (s.clients = []), 'clients: needs at least one OAuth client'],
    [
      'a row with an identity’s email naming another identity',
      (s) => (s.businesses[0].members[0].identity_id = 2),
      'businesses[0].members[0].identity_id: 2 is not identity 1, which signs in as a@x.example',
    ],
    [
      'two identities with one email',
      (s) => s.identities.push({ id: 2, email: 'A@X.example' }),
      'identities[1].email: a@x.example is already the email of identity 1',
    ],
    [
      'a negative seat limit',
      (s) => (s.businesses[0].seatLimit = -1),
      'businesses[0].seatLimit: must be a whole number ≥ 0 or null',
    ],
    [
      'a fractional seat limit',
      (s) => (s.businesses[0].seatLimit = 2.5),
      'businesses[0].seatLimit: must be a whole number ≥ 0 or null',
    ],
    [
      'a seat limit as text',
      (s) => (s.businesses[0].seatLimit = '10'),
      'businesses[0].seatLimit: must be a whole number ≥ 0 or null',
    ],
    [
      'the seat limit in snake case (not a FreshBooks field)',
      (s) => (s.businesses[0].seat_limit = 10),
      'businesses[0].seat_limit: is not a known field',
    ],
    [
      'admin_of unknown business',
      (s) => (s.identities[0].admin_of = [11]),
      'identities[0].admin_of[0]: 11 is not a business of this seed',
    ],
  ])('reports %s with its path', (_name, mutate, message) => {
    const text = problems(mutate);
    expect(text).toContain('invalid emulator seed test.json');
    expect(text).toContain(message);
  });

  it('reports every problem at once', () => {
    const text = problems((s) => {
      s.businesses[0].id = 'x';
      s.clients[0].client_secret = '';
      s.identities[0].email = 'bad';
    });
    expect(text.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(3);
  });

  it('accepts a row with an identity’s email and no identity_id (the emulator links them)', () => {
    const seed = base();
    delete seed.businesses[0]!.members![0]!.identity_id;
    seed.businesses[0]!.members!.push({ email: 'A@X.example', role: 'manager', state: 'invited' });
    expect(() => validateSeed(seed)).toThrow(/appears twice/);
    seed.businesses[0]!.members!.pop();
    expect(() => validateSeed(seed)).not.toThrow();
  });

  it('accepts a seat limit of 0 or more, or null, even below the seats in use', () => {
    for (const seatLimit of [0, 1, 10, null]) {
      const seed = base();
      seed.businesses[0]!.seatLimit = seatLimit;
      seed.businesses[0]!.members!.push({ email: 'm@x.example', role: 'manager' });
      expect(() => validateSeed(seed)).not.toThrow();
    }
  });

  it('accepts roles it does not know, verbatim (FreshBooks data can hold them)', () => {
    const seed = base();
    seed.businesses[0]!.members!.push({ email: 'p@x.example', role: 'time_tracking_admin' });
    expect(() => validateSeed(seed)).not.toThrow();
  });

  it('reads files, with clear errors for unreadable and non-JSON files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rolecall-seed-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(() => loadSeedFile(bad)).toThrow(/is not valid JSON/);
    expect(() => loadSeedFile(join(dir, 'missing.json'))).toThrow(/cannot read emulator seed/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(base()));
    expect(loadSeedFile(good).clients[0]?.client_id).toBe('c');
  });
});
