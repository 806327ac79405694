import { UsageError, EXIT } from '../../errors.js';
import { login, status } from '../../flows/auth.js';
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
    case 'status':
      return (await status(io, options)).exitCode;
    case undefined:
      io.stdout.write(HELP);
      return EXIT.ERROR;
    default:
      throw new UsageError(`unknown auth command "${sub}": use login or status`);
  }
}
