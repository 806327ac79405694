/**
 * `rolecall auth`: the first refresh token (the OAuth code exchange), a look at who the stored
 * credentials act as, and logging out of one target. Each prints only identities, API URLs,
 * client ids and where the tokens live, never a secret; the code is registered for redaction
 * before anything can echo it.
 */
import { UsageError, EXIT, RolecallError } from '../errors.js';
import { authorizeUrl } from '../freshbooks/authorize-url.js';
import { tokenFingerprint } from '../freshbooks/choose-refresh-token.js';
import { createPlumbing, openConnection, type Plumbing } from '../freshbooks/connect.js';
import { noticeLogger, streamLogger } from '../freshbooks/logger.js';
import { readCredentialsEnv } from '../freshbooks/read-credentials-env.js';
import { saveOrExplain } from '../freshbooks/token-manager.js';
import { describeTarget, sameTarget } from '../freshbooks/token-target.js';
import type { Console } from '../ports.js';
import { redact, registerSecret } from '../redact.js';
import { policyRoleOf } from '../roles.js';

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
    // Without --verbose, still one line per retry of an unanswered request.
    logger: options.verbose ? streamLogger(io.stderr) : noticeLogger(io.stderr),
    notice: (line) => io.stderr.write(`rolecall: ${redact(line)}\n`),
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
  const clientId = readCredentialsEnv(io.env).clientId?.value;
  if (code === undefined) {
    if (!clientId) throw new UsageError('FRESHBOOKS_CLIENT_ID (or BATON_FB_CLIENT_ID) is not set');
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
    // Read the store before spending the single-use code: a file that cannot be read (mode,
    // format) is reported now, not after the code is gone.
    await plumbing.store.load();
    const grant = await plumbing.oauth().exchangeCode(code.trim(), redirectUri);
    const now = plumbing.now();
    const env = plumbing.envRefreshToken?.value;
    await saveOrExplain(plumbing.store, {
      refreshToken: grant.refreshToken,
      accessToken: grant.accessToken,
      accessTokenExpiresAt: new Date(now.getTime() + grant.expiresIn * 1000).toISOString(),
      updatedAt: now.toISOString(),
      // A token still exported is older than this login: it must not count as new.
      ...(env === undefined ? {} : { envTokenSha256: tokenFingerprint(env) }),
    });
    // Read back through the store, as every later command will: proves the saved tokens work.
    const identity = await openConnection(plumbing).whoami();
    io.stdout.write(
      `logged in as ${identity.email} (identity ${identity.identityId}); tokens saved to ${plumbing.store.describe()}\n`,
    );
    io.stdout.write(renderBusinesses(identity.businesses));
    return { exitCode: EXIT.OK };
  } finally {
    await plumbing.transport.close();
  }
}

/**
 * Forgets this target's credentials (other targets' stay) and revokes the refresh token at
 * FreshBooks. Revoking is best effort: when it fails the token is forgotten all the same, and
 * the exit code is MANUAL — revoke rolecall's access in FreshBooks by hand.
 */
export async function logout(io: Console, options: AuthOptions): Promise<AuthOutcome> {
  const plumbing = await createPlumbing(commonOf(io, options));
  try {
    const { store, target } = plumbing;
    if (!target) {
      throw new RolecallError(
        'NO_CREDENTIALS',
        'FRESHBOOKS_CLIENT_ID (or BATON_FB_CLIENT_ID) is not set: logout forgets the tokens of one API URL and client id',
      );
    }
    const where = describeTarget(target);
    const stored = await store.load();
    if (!stored || stored.unclaimed) {
      io.stdout.write(`no credentials stored for ${where} in ${store.describe()}; nothing to do\n`);
      if (stored?.unclaimed) io.stdout.write(unclaimedNote(store.describe()));
      io.stdout.write(envStillSet(plumbing));
      return { exitCode: EXIT.OK };
    }
    let revokeFailure: string | null = null;
    try {
      await plumbing.revoke(stored.refreshToken);
    } catch (error) {
      if (!(error instanceof RolecallError)) throw error;
      revokeFailure = error.message;
    }
    if (store.forget) {
      await store.forget();
      io.stdout.write(`forgot the credentials for ${where} in ${store.describe()}\n`);
    } else {
      io.stdout.write(
        `${store.describe()} cannot be emptied by rolecall: delete it, or store a new token with \`rolecall auth login\`\n`,
      );
    }
    if (revokeFailure) {
      io.stderr.write(
        `rolecall: could not revoke the refresh token at ${target.apiUrl} (${redact(revokeFailure)}); if it may have leaked, revoke rolecall's access in FreshBooks\n`,
      );
    } else {
      io.stdout.write(`revoked the refresh token at ${target.apiUrl}\n`);
    }
    const others = store.inventory ? await store.inventory() : null;
    const left = others?.targets.filter((t) => !sameTarget(t, target)) ?? [];
    if (left.length > 0) {
      io.stdout.write(`still stored: ${left.map((t) => describeTarget(t)).join(', ')}\n`);
    }
    if (others?.unclaimed) io.stdout.write(unclaimedNote(store.describe()));
    // A store that cannot forget (a GitHub secret) is itself read from the environment.
    if (store.forget) io.stdout.write(envStillSet(plumbing));
    return { exitCode: revokeFailure ? EXIT.MANUAL : EXIT.OK };
  } finally {
    await plumbing.transport.close();
  }
}

function unclaimedNote(store: string): string {
  return `${store} also holds a token saved by an older rolecall, with no API URL or client id recorded; it is kept for the target it belongs to (delete the file to drop it)\n`;
}

function envStillSet(plumbing: Plumbing): string {
  const env = plumbing.envRefreshToken;
  return env
    ? `${env.variable} is still set: the next command uses it; unset it to stay logged out\n`
    : '';
}

/** Which store, target and refresh token, which identity and businesses: never a secret. */
export async function status(io: Console, options: AuthOptions): Promise<AuthOutcome> {
  const common = commonOf(io, options);
  const plumbing = await createPlumbing(common);
  const connection = openConnection(plumbing, common);
  try {
    const { store, target } = plumbing;
    const source = await connection.tokenSource();
    io.stdout.write(`token store: ${store.describe()}\n`);
    io.stdout.write(
      `target: ${target ? describeTarget(target) : `${plumbing.baseUrl} (no client id set)`}\n`,
    );
    io.stdout.write(`refresh token: ${source.summary}\n`);
    if (store.inventory) {
      const inventory = await store.inventory();
      const others = inventory.targets
        .filter((t) => !target || !sameTarget(t, target))
        .map((t) => `  ${describeTarget(t)}\n`);
      if (inventory.unclaimed) {
        others.push('  an entry from an older rolecall, with no API URL or client id recorded\n');
      }
      io.stdout.write(
        others.length === 0
          ? 'other targets in the store: none\n'
          : `other targets in the store:\n${others.join('')}`,
      );
    }
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
      `  ${b.businessId}  ${b.name}${b.accountId ? ` (account ${b.accountId})` : ''}, role ${policyRoleOf(b.role) ?? (b.role || 'unknown')}`,
  );
  return `businesses:\n${lines.join('\n')}\n`;
}
