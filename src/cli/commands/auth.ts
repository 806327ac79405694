import { UsageError, EXIT } from '../../errors.js';
import { login, logout, status } from '../../flows/auth.js';
import { parseCommandArgs } from '../args.js';
import type { Console } from '../../ports.js';

const HELP = `Usage: rolecall auth <login|logout|status> [options]

  rolecall auth login [--redirect-uri URI]
      print the FreshBooks authorize URL; open it, approve, and copy the code from the
      redirect (?code=…)
  rolecall auth login --code CODE [--redirect-uri URI]
      exchange the code for tokens and save them in the token store, for this API URL and
      client id
  rolecall auth logout
      forget this API URL and client id's tokens (other targets' stay in the store) and revoke
      the refresh token at FreshBooks; if revoking fails the tokens are forgotten anyway and
      the exit code is 3: revoke rolecall's access in FreshBooks by hand
  rolecall auth status
      show the target (API URL and client id), which refresh token is used and why, the other
      targets the store holds, who the credentials act as and the businesses they reach
      (never a secret)

Which refresh token is used: the store keeps one entry per API URL and client id. This
target's stored token wins over FRESHBOOKS_REFRESH_TOKEN (it is the rotated successor of the
exported one), unless the exported token is one the store has never seen (a restarted sandbox,
a new login): then the exported token is used and replaces the stored one. A token FreshBooks
rejects gives way to the other. A line on stderr says so whenever the choice is not the obvious
one. A token stored for another API URL or client id is never used.

Options:
  --redirect-uri URI   the redirect URI registered for the FreshBooks app
                       (default: FRESHBOOKS_REDIRECT_URI)
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --verbose            log every FreshBooks request (redacted) on stderr

Environment: FRESHBOOKS_CLIENT_ID, FRESHBOOKS_CLIENT_SECRET, FRESHBOOKS_REFRESH_TOKEN (or the
baton connector's BATON_FB_CLIENT_ID, BATON_FB_CLIENT_SECRET, BATON_REFRESH_TOKEN; the
FRESHBOOKS_ names win when both are set), FRESHBOOKS_API_URL (default
https://api.freshbooks.com), FRESHBOOKS_AUTH_URL (authorize page, default
https://auth.freshbooks.com/oauth/authorize).
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
    return EXIT.OK;
  }
  const [sub, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const options = {
    ...(values['token-store'] === undefined ? {} : { tokenStore: values['token-store'] }),
    ...(values.verbose ? { verbose: true } : {}),
  };
  switch (sub) {
    case 'login':
      return (
        await login(io, { ...options, code: values.code, redirectUri: values['redirect-uri'] })
      ).exitCode;
    case 'logout':
      return (await logout(io, options)).exitCode;
    case 'status':
      return (await status(io, options)).exitCode;
    case undefined:
      io.stdout.write(HELP);
      return EXIT.ERROR;
    default:
      throw new UsageError(`unknown auth command "${sub}": use login, logout or status`);
  }
}
