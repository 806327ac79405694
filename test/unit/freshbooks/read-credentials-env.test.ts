import { afterEach, describe, expect, it } from 'vitest';
import { readCredentialsEnv } from '../../../src/freshbooks/read-credentials-env.js';
import { clearRegisteredSecrets, redact } from '../../../src/redact.js';

afterEach(() => clearRegisteredSecrets());

const value = (env: Record<string, string | undefined>) => {
  const read = readCredentialsEnv(env);
  return {
    clientId: read.clientId && `${read.clientId.variable}=${read.clientId.value}`,
    clientSecret: read.clientSecret && `${read.clientSecret.variable}=${read.clientSecret.value}`,
    refreshToken: read.refreshToken && `${read.refreshToken.variable}=${read.refreshToken.value}`,
    notice: read.notice,
  };
};

describe('readCredentialsEnv', () => {
  it('reads the FRESHBOOKS_ names', () => {
    expect(
      value({
        FRESHBOOKS_CLIENT_ID: 'id-1',
        FRESHBOOKS_CLIENT_SECRET: 'secret-1',
        FRESHBOOKS_REFRESH_TOKEN: ' refresh-1\n',
      }),
    ).toEqual({
      clientId: 'FRESHBOOKS_CLIENT_ID=id-1',
      clientSecret: 'FRESHBOOKS_CLIENT_SECRET=secret-1',
      refreshToken: 'FRESHBOOKS_REFRESH_TOKEN=refresh-1',
      notice: null,
    });
  });

  it('falls back to the baton names, one by one', () => {
    expect(
      value({
        BATON_FB_CLIENT_ID: 'id-b',
        FRESHBOOKS_CLIENT_SECRET: 'secret-1',
        BATON_FB_CLIENT_SECRET: 'secret-1',
        BATON_REFRESH_TOKEN: 'refresh-b',
        FRESHBOOKS_REFRESH_TOKEN: '  ',
      }),
    ).toEqual({
      clientId: 'BATON_FB_CLIENT_ID=id-b',
      clientSecret: 'FRESHBOOKS_CLIENT_SECRET=secret-1',
      refreshToken: 'BATON_REFRESH_TOKEN=refresh-b',
      // Equal values, or a blank FRESHBOOKS_ one: nothing to say.
      notice: null,
    });
  });

  it('the FRESHBOOKS_ name wins over a different baton one, and one line says so', () => {
    expect(
      value({ FRESHBOOKS_REFRESH_TOKEN: 'refresh-f', BATON_REFRESH_TOKEN: 'refresh-b' }),
    ).toMatchObject({
      refreshToken: 'FRESHBOOKS_REFRESH_TOKEN=refresh-f',
      notice:
        'BATON_REFRESH_TOKEN differs from FRESHBOOKS_REFRESH_TOKEN, which is used (unset one of the names to silence this)',
    });
    expect(
      value({
        FRESHBOOKS_CLIENT_ID: 'a',
        BATON_FB_CLIENT_ID: 'b',
        FRESHBOOKS_CLIENT_SECRET: 'secret-a',
        BATON_FB_CLIENT_SECRET: 'secret-b',
        FRESHBOOKS_REFRESH_TOKEN: 'refresh-f',
        BATON_REFRESH_TOKEN: 'refresh-b',
      }).notice,
    ).toBe(
      'BATON_FB_CLIENT_ID, BATON_FB_CLIENT_SECRET and BATON_REFRESH_TOKEN differ from FRESHBOOKS_CLIENT_ID, FRESHBOOKS_CLIENT_SECRET and FRESHBOOKS_REFRESH_TOKEN, which are used (unset one of the names to silence this)',
    );
  });

  it('registers both names’ secrets, the unused one too, but not the client id', () => {
    readCredentialsEnv({
      FRESHBOOKS_CLIENT_ID: 'client-id-public',
      FRESHBOOKS_CLIENT_SECRET: 'secret-used-00000',
      BATON_FB_CLIENT_SECRET: 'secret-unused-000',
      FRESHBOOKS_REFRESH_TOKEN: 'refresh-used-0000',
      BATON_REFRESH_TOKEN: 'refresh-unused-00',
    });
    expect(
      redact(
        'client-id-public secret-used-00000 secret-unused-000 refresh-used-0000 refresh-unused-00',
      ),
    ).toBe('client-id-public [REDACTED] [REDACTED] [REDACTED] [REDACTED]');
  });
});
