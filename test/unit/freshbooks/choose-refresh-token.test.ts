import { describe, expect, it } from 'vitest';
import {
  chooseRefreshToken,
  describeChoice,
  describeFallback,
  tokenFingerprint,
  type ChoiceInput,
} from '../../../src/freshbooks/choose-refresh-token.js';
import type { StoredCredentials } from '../../../src/ports.js';

const ENV = 'env-refresh-token-0000';
const STORED = 'stored-refresh-token-00';
const own = (extra: Partial<StoredCredentials> = {}): StoredCredentials => ({
  refreshToken: STORED,
  updatedAt: 'u',
  ...extra,
});
const unclaimed: StoredCredentials = { refreshToken: STORED, updatedAt: 'u', unclaimed: true };

/** `S` the stored token, `E` the environment's, `U` an unclaimed (version-1) one. */
const order = (input: ChoiceInput) =>
  chooseRefreshToken(input)
    .candidates.map((c) => (c.origin === 'environment' ? 'E' : c.origin === 'store' ? 'S' : 'U'))
    .join('');

describe('chooseRefreshToken', () => {
  it.each<[string, ChoiceInput, string, string, boolean]>([
    [
      'nothing at all',
      { stored: null, env: undefined, tracksEnvironment: true },
      '',
      'none',
      false,
    ],
    [
      'an empty store: the environment',
      { stored: null, env: ENV, tracksEnvironment: true },
      'E',
      'env-store-empty',
      false,
    ],
    [
      'the store alone',
      { stored: own(), env: undefined, tracksEnvironment: true },
      'S',
      'store-only',
      true,
    ],
    [
      'the environment holds the stored token itself',
      { stored: own(), env: STORED, tracksEnvironment: true },
      'S',
      'store-is-env',
      true,
    ],
    [
      'the environment holds the token the entry was seeded from: the store wins, the env is the fallback',
      { stored: own({ envTokenSha256: tokenFingerprint(ENV) }), env: ENV, tracksEnvironment: true },
      'SE',
      'store-over-seen-env',
      true,
    ],
    [
      'a token the store has never seen: the environment wins, the store is the fallback',
      {
        stored: own({ envTokenSha256: tokenFingerprint('an-older-env-token-000') }),
        env: ENV,
        tracksEnvironment: true,
      },
      'ES',
      'env-new',
      false,
    ],
    [
      'an entry seeded by `auth login` without an environment token: a new env token is new',
      { stored: own(), env: ENV, tracksEnvironment: true },
      'ES',
      'env-new',
      false,
    ],
    [
      'a store that keeps no hash (a GitHub secret): the store wins, as before',
      { stored: own(), env: ENV, tracksEnvironment: false },
      'SE',
      'store-untracked',
      true,
    ],
    [
      'a version-1 entry alone',
      { stored: unclaimed, env: undefined, tracksEnvironment: true },
      'U',
      'unclaimed-only',
      false,
    ],
    [
      'a version-1 entry equal to the environment',
      { stored: unclaimed, env: STORED, tracksEnvironment: true },
      'U',
      'unclaimed-is-env',
      false,
    ],
    [
      'a version-1 entry and another env token: the env first',
      { stored: unclaimed, env: ENV, tracksEnvironment: true },
      'EU',
      'env-before-unclaimed',
      false,
    ],
  ])('%s', (_, input, expected, reason, reuse) => {
    const choice = chooseRefreshToken(input);
    expect(order(input)).toBe(expected);
    expect(choice.reason).toBe(reason);
    expect(choice.reuseAccessToken).toBe(reuse);
  });

  it('fingerprints are SHA-256 hex, and differ per token', () => {
    expect(tokenFingerprint('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(tokenFingerprint(ENV)).not.toBe(tokenFingerprint(STORED));
  });
});

describe('describeChoice and describeFallback', () => {
  const words = {
    variable: 'BATON_REFRESH_TOKEN',
    target: 'http://127.0.0.1:8080 (client rolecall-sandbox)',
    store: 'file .rolecall/credentials.json',
  };

  it('says nothing when the choice is the obvious one', () => {
    for (const input of [
      { stored: null, env: ENV, tracksEnvironment: true },
      { stored: own(), env: undefined, tracksEnvironment: true },
      { stored: own({ envTokenSha256: tokenFingerprint(ENV) }), env: ENV, tracksEnvironment: true },
      { stored: unclaimed, env: ENV, tracksEnvironment: true },
    ]) {
      expect(describeChoice(chooseRefreshToken(input), words).notice).toBeNull();
    }
  });

  it('a new environment token: which is used, why, and how to switch, in one line', () => {
    const { notice, summary } = describeChoice(
      chooseRefreshToken({ stored: own(), env: ENV, tracksEnvironment: true }),
      words,
    );
    expect(notice).toBe(
      'using BATON_REFRESH_TOKEN for http://127.0.0.1:8080 (client rolecall-sandbox), not the stored token: the store has not seen it (a restarted sandbox, a new login), so it replaces the stored one; unset BATON_REFRESH_TOKEN to keep the stored token, or run `rolecall auth logout` to forget it',
    );
    expect(summary).toMatch(/^from BATON_REFRESH_TOKEN \(a token the store has not seen/);
  });

  it('a version-1 file: says it is tried and bound', () => {
    const { notice } = describeChoice(
      chooseRefreshToken({ stored: unclaimed, env: undefined, tracksEnvironment: true }),
      words,
    );
    expect(notice).toContain('file .rolecall/credentials.json was written by an older rolecall');
    expect(notice).toContain('rolecall auth login');
  });

  it.each([
    [
      'store',
      'environment',
      'FreshBooks rejected the token stored for http://127.0.0.1:8080 (client rolecall-sandbox) (already used or revoked, e.g. by a restarted sandbox); using BATON_REFRESH_TOKEN instead, which replaces it',
    ],
    [
      'environment',
      'store',
      'FreshBooks rejected BATON_REFRESH_TOKEN (already used or revoked); using the token stored for http://127.0.0.1:8080 (client rolecall-sandbox) instead (BATON_REFRESH_TOKEN will not be tried again; `rolecall auth logout` forgets the stored one)',
    ],
    [
      'environment',
      'unclaimed',
      'FreshBooks rejected BATON_REFRESH_TOKEN (already used or revoked); trying the token store’s entry from an older rolecall (no target recorded), bound to http://127.0.0.1:8080 (client rolecall-sandbox) once FreshBooks accepts it',
    ],
  ] as const)('fallback %s → %s', (from, to, line) => {
    expect(describeFallback({ origin: from, token: 'x' }, { origin: to, token: 'y' }, words)).toBe(
      line,
    );
  });

  it('never puts a token in a line', () => {
    const inputs: ChoiceInput[] = [
      { stored: own(), env: ENV, tracksEnvironment: true },
      { stored: unclaimed, env: undefined, tracksEnvironment: true },
      { stored: unclaimed, env: ENV, tracksEnvironment: true },
      { stored: null, env: ENV, tracksEnvironment: true },
    ];
    for (const input of inputs) {
      const { notice, summary } = describeChoice(chooseRefreshToken(input), words);
      for (const text of [notice ?? '', summary]) {
        expect(text).not.toContain(ENV);
        expect(text).not.toContain(STORED);
      }
    }
  });
});
