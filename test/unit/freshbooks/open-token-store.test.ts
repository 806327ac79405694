import { describe, expect, it } from 'vitest';
import { RolecallError, UsageError } from '../../../src/errors.js';
import { openTokenStore } from '../../../src/freshbooks/open-token-store.js';

const cwd = '/tmp/project';

describe('openTokenStore', () => {
  it.each([
    [undefined, {}, 'file .rolecall/credentials.json'],
    ['file:secrets/fb.json', {}, 'file secrets/fb.json'],
    ['file:/etc/rolecall/c.json', {}, 'file /etc/rolecall/c.json'],
    [undefined, { ROLECALL_TOKEN_STORE: 'file:other.json' }, 'file other.json'],
    ['file:cli.json', { ROLECALL_TOKEN_STORE: 'file:env.json' }, 'file cli.json'],
  ])('%j (env %j) → %s', async (spec, env, description) => {
    const store = await openTokenStore(spec, { env, cwd });
    expect(store.describe()).toBe(description);
  });

  it.each([
    ['file:'],
    ['vault:x'],
    ['credentials.json'],
    ['github-secret:'],
    ['github-secret:bad-name'],
  ])('rejects %j as usage', async (spec) => {
    await expect(openTokenStore(spec, { env: {}, cwd })).rejects.toBeInstanceOf(UsageError);
  });

  it('loads the GitHub secret store on demand, or says clearly that it is missing', async () => {
    const result = await openTokenStore('github-secret:FRESHBOOKS_REFRESH_TOKEN@production', {
      env: {},
      cwd,
    }).then(
      (store) => ({ store }),
      (error: unknown) => ({ error }),
    );
    if ('error' in result) {
      expect(result.error).toBeInstanceOf(RolecallError);
      expect(String(result.error)).toMatch(/github-secret|GITHUB|token/i);
    } else {
      expect(result.store.describe()).toContain('FRESHBOOKS_REFRESH_TOKEN');
    }
  });
});
