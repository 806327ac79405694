import { afterEach, describe, expect, it } from 'vitest';
import { RolecallError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/freshbooks/logger.js';
import {
  InvalidGrantError,
  REFRESH_TOKEN_USED_MESSAGE,
  type TokenGrant,
} from '../../../src/freshbooks/oauth.js';
import { TokenManager } from '../../../src/freshbooks/token-manager.js';
import type { StoredCredentials, TokenStore } from '../../../src/ports.js';
import { clearRegisteredSecrets, redact } from '../../../src/redact.js';

afterEach(() => clearRegisteredSecrets());

const NOW = Date.parse('2026-03-01T12:00:00Z');

/** A store and a token endpoint that share one event log, so order can be asserted. */
function setup(options: { stored?: StoredCredentials; env?: string } = {}) {
  const events: string[] = [];
  let stored: StoredCredentials | null = options.stored ?? null;
  let valid = options.stored?.refreshToken ?? options.env ?? 'none';
  let n = 0;
  const store: TokenStore & { current: () => StoredCredentials | null } = {
    describe: () => 'memory',
    load: async () => {
      events.push('load');
      return stored;
    },
    save: async (creds) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stored = { ...creds };
      events.push(`save ${creds.refreshToken}`);
    },
    current: () => stored,
  };
  const oauth = {
    refresh: async (token: string): Promise<TokenGrant> => {
      events.push(`refresh ${token}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (token !== valid) throw new InvalidGrantError(REFRESH_TOKEN_USED_MESSAGE);
      n++;
      valid = `refresh-token-${n}-xxxxxxxx`;
      return {
        accessToken: `access-token-${n}-xxxxxxxx`,
        refreshToken: valid,
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
  });
  return {
    manager,
    store,
    events,
    rotateBehindOurBack: async () => {
      // Another process refreshes and saves.
      n++;
      valid = `refresh-token-${n}-xxxxxxxx`;
      stored = { refreshToken: valid, updatedAt: new Date(NOW).toISOString() };
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
    expect(await manager.source()).toBe('store');
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
    expect(await manager.source()).toBe('store');
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
});
