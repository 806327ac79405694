/**
 * `rolecall auth`: the first refresh token (the OAuth code exchange) and a look at who the
 * stored credentials act as. Both print only identities and where the tokens live, never a
 * secret; the code is registered for redaction before anything can echo it.
 */
import { UsageError, EXIT } from '../errors.js';
import { authorizeUrl } from '../freshbooks/authorize-url.js';
import { createPlumbing, openConnection } from '../freshbooks/connect.js';
import { streamLogger } from '../freshbooks/logger.js';
import { saveOrExplain } from '../freshbooks/token-manager.js';
import type { Console } from '../ports.js';
import { registerSecret } from '../redact.js';

export interface AuthOptions {
  tokenStore?: string;
  verbose?: boolean;
}

export interface AuthOutcome {
  exitCode: number;
}

type Common = Parameters<typeof createPlumbing>[0];

function commonOf(io: Console, options: AuthOptions): Common {
  return {
    env: io.env,
    cwd: io.cwd,
    ...(options.tokenStore === undefined ? {} : { tokenStore: options.tokenStore }),
    ...(options.verbose ? { logger: streamLogger(io.stderr) } : {}),
  };
}

/**
 * Without a code: print the authorize URL. With one: exchange it, save the tokens, and read them
 * back through the store as every later command will (proving they work).
 */
export async function login(
  io: Console,
  options: AuthOptions & { code?: string | undefined; redirectUri?: string | undefined },
): Promise<AuthOutcome> {
  const { code } = options;
  const redirectOption = options.redirectUri;
  const common = commonOf(io, options);
  registerSecret(code);
  const redirectUri = redirectOption ?? io.env['FRESHBOOKS_REDIRECT_URI']?.trim();
  if (!redirectUri) {
    throw new UsageError(
      'pass --redirect-uri URI (or set FRESHBOOKS_REDIRECT_URI): the redirect URI registered for your FreshBooks app',
    );
  }
  const clientId = io.env['FRESHBOOKS_CLIENT_ID']?.trim();
  if (code === undefined) {
    if (!clientId) throw new UsageError('FRESHBOOKS_CLIENT_ID is not set');
    io.stdout.write(
      [
        'Open this URL, sign in as a FreshBooks admin of the businesses to manage, and approve:',
        '',
        `  ${authorizeUrl({ env: io.env, clientId, redirectUri })}`,
        '',
        'FreshBooks then redirects to the redirect URI with ?code=…; within 5 minutes run:',
        '',
        '  rolecall auth login --code CODE' +
          (redirectOption === undefined ? '' : ` --redirect-uri ${redirectOption}`),
        '',
      ].join('\n'),
    );
    return { exitCode: EXIT.OK };
  }
  if (code.trim() === '') throw new UsageError('--code is empty');
  const plumbing = await createPlumbing(common);
  try {
    const grant = await plumbing.oauth().exchangeCode(code.trim(), redirectUri);
    const now = plumbing.now();
    await saveOrExplain(plumbing.store, {
      refreshToken: grant.refreshToken,
      accessToken: grant.accessToken,
      accessTokenExpiresAt: new Date(now.getTime() + grant.expiresIn * 1000).toISOString(),
      updatedAt: now.toISOString(),
    });
    // Read back through the store, as every later command will: proves the saved tokens work.
    const identity = await openConnection(plumbing, common).whoami();
    io.stdout.write(
      `logged in as ${identity.email} (identity ${identity.identityId}); tokens saved to ${plumbing.store.describe()}\n`,
    );
    io.stdout.write(renderBusinesses(identity.businesses));
    return { exitCode: EXIT.OK };
  } finally {
    await plumbing.transport.close();
  }
}

/** Which store, which refresh token, which identity and businesses: never a secret. */
export async function status(io: Console, options: AuthOptions): Promise<AuthOutcome> {
  const common = commonOf(io, options);
  const plumbing = await createPlumbing(common);
  const connection = openConnection(plumbing, common);
  try {
    const source = await connection.tokenSource();
    io.stdout.write(`token store: ${plumbing.store.describe()}\n`);
    io.stdout.write(
      `refresh token: ${
        source === 'store'
          ? 'from the token store'
          : source === 'environment'
            ? 'from FRESHBOOKS_REFRESH_TOKEN (the store is empty; the first refresh fills it)'
            : 'none'
      }\n`,
    );
    io.stdout.write(`api: ${plumbing.baseUrl}\n`);
    const identity = await connection.whoami();
    io.stdout.write(`identity: ${identity.email} (id ${identity.identityId})\n`);
    io.stdout.write(renderBusinesses(identity.businesses));
    return { exitCode: EXIT.OK };
  } finally {
    await connection.close();
  }
}

function renderBusinesses(
  businesses: Array<{ businessId: number; name: string; accountId: string | null; role: string }>,
): string {
  if (businesses.length === 0) return 'businesses: none\n';
  const sorted = [...businesses].sort((a, b) => a.businessId - b.businessId);
  const lines = sorted.map(
    (b) =>
      `  ${b.businessId}  ${b.name}${b.accountId ? ` (account ${b.accountId})` : ''}, role ${b.role || 'unknown'}`,
  );
  return `businesses:\n${lines.join('\n')}\n`;
}
