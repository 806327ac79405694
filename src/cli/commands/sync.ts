import { EXIT } from '../../errors.js';
import { nowFrom } from '../../flows/clock.js';
import { syncSnapshot } from '../../flows/sync.js';
import type { Console } from '../../ports.js';
import {
  BUSINESS_OPTION,
  businessIdsOption,
  parseCommandArgs,
  POLICIES_OPTION,
  rateOption,
} from '../args.js';

const HELP = `Usage: rolecall sync [options]

Reads live FreshBooks (the businesses the policies name, or --business) into a LiveState
snapshot: members, roles, states and fingerprints.

Options:
  --policies DIR       policy directory (default: policies)
  --business ID        a business id to read; repeatable; replaces the policies' list
  --out FILE           write the LiveState JSON to FILE (for plan/drift --live FILE)
  --json               print the LiveState JSON on stdout instead of the summary
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --rate N             requests per second for this run (default 4)
  --verbose            log every FreshBooks request (redacted) on stderr
  -h, --help           this help

Environment: FRESHBOOKS_CLIENT_ID, FRESHBOOKS_CLIENT_SECRET, FRESHBOOKS_REFRESH_TOKEN (a token
to start from; the store's rotated one for this API URL and client wins unless this one is new
to it), FRESHBOOKS_API_URL (default https://api.freshbooks.com); aliases BATON_FB_CLIENT_ID,
BATON_FB_CLIENT_SECRET, BATON_REFRESH_TOKEN.
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: POLICIES_OPTION,
    business: BUSINESS_OPTION,
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    'token-store': { type: 'string' },
    rate: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const rate = rateOption(values.rate);
  const outcome = await syncSnapshot(io, {
    policiesDir: values.policies,
    now: nowFrom(io.env),
    businessIds: businessIdsOption(values.business),
    json: values.json,
    verbose: values.verbose,
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(values['token-store'] === undefined ? {} : { tokenStore: values['token-store'] }),
    ...(rate === undefined ? {} : { rate }),
  });
  return outcome.exitCode;
}
