import { UsageError } from '../../errors.js';
import { authorizeUrl } from '../../freshbooks/authorize-url.js';
import { createPlumbing, openConnection } from '../../freshbooks/connect.js';
import { streamLogger } from '../../freshbooks/logger.js';
import { saveOrExplain } from '../../freshbooks/token-manager.js';
import { registerSecret } from '../../redact.js';
import { parseCommandArgs } from '../args.js';
import type { Console } from '../../ports.js';

const HELP = `Usage: rolecall auth <login|status> [options]

  rolecall auth login [--redirect-uri URI]
      print the FreshBooks authorize URL; open it, approve, and copy the code from the
      redirect (?code=…)
  rolecall auth login --code CODE [--redirect-uri URI]
      exchange the code for tokens and save them in the token store
  rolecall auth status
      show who the stored credentials act as, the businesses they reach and which store is
      used (never a secret)

Options:
  --redirect-uri URI   the redirect URI registered for the FreshBooks app
                       (default: FRESHBOOKS_REDIRECT_URI)
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --verbose            log every FreshBooks request (redacted) on stderr

Environment: FRESHBOOKS_CLIENT_ID, FRESHBOOKS_CLIENT_SECRET, FRESHBOOKS_API_URL,
FRESHBOOKS_AUTH_URL (authorize page, default https://auth.freshbooks.com/oauth/authorize).
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      code: { type: 'string' },
      'redirect-uri': { type: 'string' },
      'token-store': { type: 'string' },
      verbose: { type: 'boolean' },
    },
    { allowPositionals: true },
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const [sub, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const common = {
    env: io.env,
    cwd: io.cwd,
    ...(values['token-store'] === undefined ? {} : { tokenStore: values['token-store'] }),
    ...(values.verbose ? { logger: streamLogger(io.stderr) } : {}),
  };
  switch (sub) {
    case 'login':
      return login(io, common, values.code, values['redirect-uri']);
    case 'status':
      return status(io, common);
    case undefined:
      io.stdout.write(HELP);
      return 1;
    default:
      throw new UsageError(`unknown auth command "${sub}": use login or status`);
  }
}

type Common = Parameters<typeof createPlumbing>[0];

async function login(
  io: Console,
  common: Common,
  code: string | undefined,
  redirectOption: string | undefined,
): Promise<number> {
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
    return 0;
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
    return 0;
  } finally {
    await plumbing.transport.close();
  }
}

async function status(io: Console, common: Common): Promise<number> {
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
    return 0;
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
