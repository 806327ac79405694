import { UsageError, EXIT } from '../../errors.js';
import { nowFrom } from '../../flows/clock.js';
import { init } from '../../flows/init.js';
import type { Console } from '../../ports.js';
import { parseCommandArgs } from '../args.js';

const HELP = `Usage: rolecall init [DIR] [options]

Scaffolds an access repository in DIR (default: the current directory):
  policies/                 one policy per FreshBooks business you administer, imported from
                            the live team when FreshBooks credentials are set (as for
                            \`rolecall import\`), else policies/example.yaml
  .github/workflows/        plan, apply, drift, expire and review, using the rolecall action
                            pinned to this rolecall's commit
  .github/CODEOWNERS        everything owned, the catch-all first
  .gitignore                .rolecall/ (local credentials and journals) added
  README.md                 the secrets and GitHub settings to set, for this repository
An existing file is kept (and listed) unless --force; an existing .gitignore only gains the
.rolecall/ line. Prints the next steps.

Options:
  --owner OWNER        a CODEOWNERS owner (@org/team, @user); repeat for several
                       (default: a placeholder to replace)
  --action REF         the action the workflows use, OWNER/REPO@REF (default: this build's
                       commit of rolecall-dev/rolecall)
  --example            write the example policy even when credentials are set
  --force              overwrite existing files
  --token-store SPEC   where the FreshBooks credentials are, for the import (default
                       file:.rolecall/credentials.json in the current directory)
  --verbose            log every FreshBooks request (redacted) on stderr
  -h, --help           this help

Environment: FRESHBOOKS_CLIENT_ID, FRESHBOOKS_CLIENT_SECRET, FRESHBOOKS_REFRESH_TOKEN (a token
to start from; the store's rotated one for this API URL and client wins unless this one is new
to it), FRESHBOOKS_API_URL. Aliases: BATON_FB_CLIENT_ID, BATON_FB_CLIENT_SECRET,
BATON_REFRESH_TOKEN.
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      owner: { type: 'string', multiple: true },
      action: { type: 'string' },
      example: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'token-store': { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
    { allowPositionals: true },
  );
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const outcome = await init(io, {
    dir: positionals[0] ?? '.',
    force: values.force,
    owners: values.owner ?? [],
    action: values.action,
    example: values.example,
    now: nowFrom(io.env),
    ...(values['token-store'] === undefined ? {} : { tokenStore: values['token-store'] }),
    verbose: values.verbose,
  });
  return outcome.exitCode;
}
