import { afterEach, describe, expect, it } from 'vitest';
import { RolecallError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/freshbooks/logger.js';
import {
  InvalidGrantError,
  REFRESH_TOKEN_USED_MESSAGE,
  type TokenGrant,
} from '../../../src/freshbooks/oauth.js';
import { TokenManager } from '../../../src/freshbooks/token-manager.js';
import { tokenFingerprint } from '../../../src/freshbooks/choose-refresh-token.js';
import type { SaveOptions, StoredCredentials, TokenStore } from '../../../src/ports.js';
import { clearRegisteredSecrets, redact } from '../../../src/redact.js';

afterEach(() => clearRegisteredSecrets());

const NOW = Date.parse('2026-03-01T12:00:00Z');

const TARGET = { apiUrl: 'http://127.0.0.1:8080', clientId: 'rolecall-sandbox' };

/**
 * A store and a token endpoint that share one event log, so order can be asserted. `valid` is
 * the set of refresh tokens the endpoint accepts (default: the stored one, else the env's);
 * `bound` gives the store a target, as the file store has (it then keeps envTokenSha256).
 */
function setup(
  options: { stored?: StoredCredentials; env?: string; valid?: string[]; bound?: boolean } = {},
) {
  const events: string[] = [];
  const notices: string[] = [];
  const saveOptions: Array<SaveOptions | undefined> = [];
  let stored: StoredCredentials | null = options.stored ?? null;
  const valid = new Set(options.valid ?? [options.stored?.refreshToken ?? options.env ?? 'none']);
  let n = 0;
  const store: TokenStore & { current: () => StoredCredentials | null } = {
    describe: () => 'memory',
    ...(options.bound ? { target: TARGET } : {}),
    load: async () => {
      events.push('load');
      return stored;
    },
    save: async (creds, saveOption) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stored = { ...creds };
      saveOptions.push(saveOption);
      events.push(`save ${creds.refreshToken}`);
    },
    current: () => stored,
  };
  const oauth = {
    refresh: async (token: string): Promise<TokenGrant> => {
      events.push(`refresh ${token}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (!valid.delete(token)) throw new InvalidGrantError(REFRESH_TOKEN_USED_MESSAGE);
      n++;
      valid.add(`refresh-token-${n}-xxxxxxxx`);
      return {
        accessToken: `access-token-${n}-xxxxxxxx`,
        refreshToken: `refresh-token-${n}-xxxxxxxx`,
        expiresIn: 43200,
        scope: null,
      };
    },
  };
  const manager = new TokenManager({
    store,
    oauth: () => oauth,
    envRefreshToken: options.env,
    now: () => NOW,
    logger: silentLogger,
    notice: (line) => notices.push(line),
  });
  return {
    manager,
    store,
    events,
    notices,
    saveOptions,
    rotateBehindOurBack: async () => {
      // Another process refreshes and saves.
      valid.clear();
      n++;
      valid.add(`refresh-token-${n}-xxxxxxxx`);
      stored = {
        refreshToken: `refresh-token-${n}-xxxxxxxx`,
        updatedAt: new Date(NOW).toISOString(),
      };
    },
  };
}

describe('TokenManager', () => {
  it('saves the rotated refresh token before handing out the new access token', async () => {
    const { manager, events, store } = setup({ env: 'env-refresh-token-0000' });
    const token = await manager.accessToken();
    events.push(`use ${token}`);
    expect(events).toEqual([
      'load',
      'refresh env-refresh-token-0000',
      'save refresh-token-1-xxxxxxxx',
      'use access-token-1-xxxxxxxx',
    ]);
    expect(store.current()).toMatchObject({
      refreshToken: 'refresh-token-1-xxxxxxxx',
      accessToken: 'access-token-1-xxxxxxxx',
      accessTokenExpiresAt: new Date(NOW + 43200 * 1000).toISOString(),
    });
  });

  it('prefers the stored refresh token over the environment once it exists', async () => {
    const { manager, events } = setup({
      stored: { refreshToken: 'stored-refresh-token-00', updatedAt: 'x' },
      env: 'env-refresh-token-0000',
    });
    expect(await manager.source()).toMatchObject({ origin: 'store' });
    await manager.accessToken();
    expect(events).toContain('refresh stored-refresh-token-00');
    expect(events.join()).not.toContain('env-refresh-token');
  });

  it('reuses a still-valid stored access token without refreshing', async () => {
    const { manager, events } = setup({
      stored: {
        refreshToken: 'stored-refresh-token-00',
        accessToken: 'cached-access-token-00',
        accessTokenExpiresAt: new Date(NOW + 3600_000).toISOString(),
        updatedAt: 'x',
      },
    });
    expect(await manager.accessToken()).toBe('cached-access-token-00');
    expect(events).toEqual(['load']);
  });

  it('concurrent first callers share the cached token: no needless refresh', async () => {
    const { manager, events } = setup({
      stored: {
        refreshToken: 'stored-refresh-token-00',
        accessToken: 'cached-access-token-00',
        accessTokenExpiresAt: new Date(NOW + 3600_000).toISOString(),
        updatedAt: 'x',
      },
    });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => manager.accessToken()));
    expect(new Set(tokens)).toEqual(new Set(['cached-access-token-00']));
    expect(events.filter((e) => e.startsWith('refresh'))).toEqual([]);
  });

  it('refreshes an access token that expires within five minutes', async () => {
    const { manager, events } = setup({
      stored: {
        refreshToken: 'stored-refresh-token-00',
        accessToken: 'cached-access-token-00',
        accessTokenExpiresAt: new Date(NOW + 60_000).toISOString(),
        updatedAt: 'x',
      },
    });
    expect(await manager.accessToken()).toBe('access-token-1-xxxxxxxx');
    expect(events).toContain('refresh stored-refresh-token-00');
  });

  it('single flight: concurrent callers and concurrent 401s share one refresh', async () => {
    const { manager, events } = setup({ env: 'env-refresh-token-0000' });
    const first = await Promise.all(Array.from({ length: 10 }, () => manager.accessToken()));
    expect(new Set(first)).toEqual(new Set(['access-token-1-xxxxxxxx']));
    const renewed = await Promise.all(
      Array.from({ length: 10 }, () => manager.renew('access-token-1-xxxxxxxx')),
    );
    expect(new Set(renewed)).toEqual(new Set(['access-token-2-xxxxxxxx']));
    // A late 401 for the old token does not refresh again.
    expect(await manager.renew('access-token-1-xxxxxxxx')).toBe('access-token-2-xxxxxxxx');
    expect(events.filter((e) => e.startsWith('refresh'))).toHaveLength(2);
  });

  it('invalid_grant with nothing newer in the store is the clear "run auth login" error', async () => {
    const { manager, events } = setup({ env: 'env-refresh-token-0000' });
    await manager.accessToken();
    // A second manager starts from the same, now rotated-away, environment token with an
    // empty store of its own: exactly the "forgot to persist" situation.
    const stale = new TokenManager({
      store: { describe: () => 'memory', load: async () => null, save: async () => {} },
      oauth: () => ({
        refresh: async (token) => {
          events.push(`refresh ${token}`);
          throw new InvalidGrantError(REFRESH_TOKEN_USED_MESSAGE);
        },
      }),
      envRefreshToken: 'env-refresh-token-0000',
      now: () => NOW,
      logger: silentLogger,
    });
    const failure = await stale.accessToken().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RolecallError);
    expect((failure as RolecallError).code).toBe('INVALID_GRANT');
    expect((failure as RolecallError).exitCode).toBe(1);
    expect((failure as Error).message).toBe(
      'this refresh token was already used or revoked — run `rolecall auth login`',
    );
    // It tried exactly once: no retry loop on a dead token.
    expect(events.filter((e) => e === 'refresh env-refresh-token-0000')).toHaveLength(2);
  });

  it('after invalid_grant, picks up a token another process saved meanwhile', async () => {
    const { manager, events, rotateBehindOurBack } = setup({
      stored: { refreshToken: 'refresh-token-0-xxxxxxxx', updatedAt: 'x' },
    });
    // Load the store first, then let another process rotate the token.
    expect(await manager.source()).toMatchObject({ origin: 'store' });
    await rotateBehindOurBack();
    expect(await manager.accessToken()).toBe('access-token-2-xxxxxxxx');
    expect(events.filter((e) => e.startsWith('refresh'))).toEqual([
      'refresh refresh-token-0-xxxxxxxx',
      'refresh refresh-token-1-xxxxxxxx',
    ]);
  });

  it('a failed save is an explicit, secret-free error and the new token is never used', async () => {
    const manager = new TokenManager({
      store: {
        describe: () => 'file .rolecall/credentials.json',
        load: async () => null,
        save: async () => {
          throw new Error('EROFS: read-only file system');
        },
      },
      oauth: () => ({
        refresh: async () => ({
          accessToken: 'new-access-token-0000',
          refreshToken: 'new-refresh-token-0000',
          expiresIn: 43200,
          scope: null,
        }),
      }),
      envRefreshToken: 'env-refresh-token-0000',
      now: () => NOW,
      logger: silentLogger,
    });
    const error = await manager.accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolecallError);
    expect((error as RolecallError).code).toBe('TOKEN_NOT_SAVED');
    expect((error as Error).message).toContain('EROFS');
    expect((error as Error).message).toContain('rolecall auth login');
    expect(redact((error as Error).message)).toBe((error as Error).message);
  });

  it('without any refresh token, says how to get one', async () => {
    const { manager } = setup();
    await expect(manager.accessToken()).rejects.toThrow(
      /FRESHBOOKS_REFRESH_TOKEN.*rolecall auth login/,
    );
  });

  it('registers every token it sees as a secret', async () => {
    const { manager } = setup({ env: 'env-refresh-token-0000' });
    await manager.accessToken();
    expect(redact('env-refresh-token-0000 refresh-token-1-xxxxxxxx access-token-1-xxxxxxxx')).toBe(
      '[REDACTED] [REDACTED] [REDACTED]',
    );
  });

  describe('with a store bound to a target (the file store)', () => {
    const seen = (env: string) => ({
      refreshToken: 'stored-refresh-token-00',
      accessToken: 'cached-access-token-00',
      accessTokenExpiresAt: new Date(NOW + 3600_000).toISOString(),
      updatedAt: 'x',
      envTokenSha256: tokenFingerprint(env),
    });

    it('the env token it was seeded from: the store wins, quietly, and its access token is reused', async () => {
      const { manager, events, notices } = setup({
        bound: true,
        stored: seen('env-refresh-token-0000'),
        env: 'env-refresh-token-0000',
      });
      expect(await manager.accessToken()).toBe('cached-access-token-00');
      expect(events).toEqual(['load']);
      expect(notices).toEqual([]);
    });

    it('a new env token is used first, replaces the stored one and is recorded as seen', async () => {
      const { manager, events, notices, store } = setup({
        bound: true,
        stored: seen('an-older-env-token-0000'),
        env: 'env-refresh-token-0000',
        valid: ['env-refresh-token-0000', 'stored-refresh-token-00'],
      });
      expect(await manager.source()).toMatchObject({ origin: 'environment' });
      // The cached access token belongs to the stored chain: not used.
      expect(await manager.accessToken()).toBe('access-token-1-xxxxxxxx');
      expect(events.filter((e) => e.startsWith('refresh'))).toEqual([
        'refresh env-refresh-token-0000',
      ]);
      expect(store.current()).toMatchObject({
        refreshToken: 'refresh-token-1-xxxxxxxx',
        envTokenSha256: tokenFingerprint('env-refresh-token-0000'),
      });
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/^using FRESHBOOKS_REFRESH_TOKEN for .*, not the stored token/);
      // The next run with the same environment: the store wins again.
      expect(await manager.source()).toMatchObject({ origin: 'store' });
    });

    it('a rejected new env token gives way to the stored one, and is not tried again', async () => {
      const { manager, events, notices, store } = setup({
        bound: true,
        stored: { refreshToken: 'stored-refresh-token-00', updatedAt: 'x' },
        env: 'stale-env-token-000000',
        valid: ['stored-refresh-token-00'],
      });
      expect(await manager.accessToken()).toBe('access-token-1-xxxxxxxx');
      expect(events.filter((e) => e.startsWith('refresh'))).toEqual([
        'refresh stale-env-token-000000',
        'refresh stored-refresh-token-00',
      ]);
      expect(notices[1]).toMatch(
        /^FreshBooks rejected FRESHBOOKS_REFRESH_TOKEN .*using the token stored for/,
      );
      expect(store.current()?.envTokenSha256).toBe(tokenFingerprint('stale-env-token-000000'));
    });

    it('a rejected stored token gives way to the env token (a sandbox restarted with the same token)', async () => {
      const { manager, events, notices, store } = setup({
        bound: true,
        stored: {
          ...seen('env-refresh-token-0000'),
          accessTokenExpiresAt: new Date(NOW).toISOString(),
        },
        env: 'env-refresh-token-0000',
        valid: ['env-refresh-token-0000'],
      });
      expect(await manager.accessToken()).toBe('access-token-1-xxxxxxxx');
      expect(events.filter((e) => e.startsWith('refresh'))).toEqual([
        'refresh stored-refresh-token-00',
        'refresh env-refresh-token-0000',
      ]);
      expect(notices).toEqual([
        'FreshBooks rejected the token stored for http://127.0.0.1:8080 (client rolecall-sandbox) (already used or revoked, e.g. by a restarted sandbox); using FRESHBOOKS_REFRESH_TOKEN instead, which replaces it',
      ]);
      expect(store.current()?.refreshToken).toBe('refresh-token-1-xxxxxxxx');
    });

    it('every candidate rejected: one error naming both, and how to recover', async () => {
      const { manager, events } = setup({
        bound: true,
        stored: { refreshToken: 'stored-refresh-token-00', updatedAt: 'x' },
        env: 'stale-env-token-000000',
        valid: [],
      });
      const error = await manager.accessToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidGrantError);
      expect((error as Error).message).toBe(
        'FreshBooks rejected FRESHBOOKS_REFRESH_TOKEN and the token stored in memory for http://127.0.0.1:8080 (client rolecall-sandbox): already used or revoked — export a new FRESHBOOKS_REFRESH_TOKEN (a restarted sandbox prints one) or run `rolecall auth login`; `rolecall auth logout` forgets the stored token',
      );
      expect(events.filter((e) => e.startsWith('refresh'))).toHaveLength(2);
    });

    it('a version-1 entry: its access token is never reused, and the save claims it', async () => {
      const { manager, events, notices, saveOptions } = setup({
        bound: true,
        stored: {
          refreshToken: 'stored-refresh-token-00',
          accessToken: 'cached-access-token-00',
          accessTokenExpiresAt: new Date(NOW + 3600_000).toISOString(),
          updatedAt: 'x',
          unclaimed: true,
        },
      });
      expect(await manager.source()).toMatchObject({ origin: 'unclaimed' });
      expect(await manager.accessToken()).toBe('access-token-1-xxxxxxxx');
      expect(events).toContain('refresh stored-refresh-token-00');
      expect(saveOptions).toEqual([{ claimUnclaimed: true }]);
      expect(notices[0]).toContain('written by an older rolecall');
    });

    it('a version-1 entry is tried after an env token, and not claimed when the env token works', async () => {
      const { manager, events, saveOptions } = setup({
        bound: true,
        stored: { refreshToken: 'stored-refresh-token-00', updatedAt: 'x', unclaimed: true },
        env: 'env-refresh-token-0000',
        valid: ['env-refresh-token-0000', 'stored-refresh-token-00'],
      });
      await manager.accessToken();
      expect(events.filter((e) => e.startsWith('refresh'))).toEqual([
        'refresh env-refresh-token-0000',
      ]);
      expect(saveOptions).toEqual([{ claimUnclaimed: false }]);
    });
  });
});
