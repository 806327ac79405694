import { UsageError, EXIT } from '../../errors.js';
import { nowFrom } from '../../flows/clock.js';
import { importPolicy } from '../../flows/import.js';
import type { Console } from '../../ports.js';
import { businessIdOption, parseCommandArgs, rateOption } from '../args.js';

const HELP = `Usage: rolecall import --business ID [--out FILE] [options]

Writes a policy file from a business's live FreshBooks team: every current member (active, or
with a pending invitation) with their role, mode authoritative, the owner protected, and a
"review:" comment on each entry. Deactivated members, members with a role rolecall does not
know, and addresses a policy cannot hold are listed in comments at the end, not as entries.
Planning the imported file finds no changes; the review happens in the pull request adding it.

Options:
  --business ID        the business to import (required)
  --out FILE           write the policy to FILE (e.g. policies/acme-holdings.yaml) instead of
                       printing it; an existing file is kept unless --force
  --force              overwrite --out if it exists
  --live FILE          import from a snapshot (\`rolecall sync --out FILE\`) instead of FreshBooks
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --rate N             FreshBooks requests per second for this run (default 4)
  --verbose            log every FreshBooks request (redacted) on stderr
  -h, --help           this help
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    business: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    live: { type: 'string' },
    'token-store': { type: 'string' },
    rate: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (values.business === undefined) {
    throw new UsageError('import needs the business: rolecall import --business ID');
  }
  const businessId = businessIdOption(values.business);
  const rate = rateOption(values.rate);
  const outcome = await importPolicy(io, {
    businessId,
    now: nowFrom(io.env),
    force: values.force,
    verbose: values.verbose,
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(values.live === undefined ? {} : { liveFile: values.live }),
    ...(values['token-store'] === undefined ? {} : { tokenStore: values['token-store'] }),
    ...(rate === undefined ? {} : { rate }),
  });
  return outcome.exitCode;
}
