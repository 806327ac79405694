import { EXIT } from '../../errors.js';
import { nowFrom } from '../../flows/clock.js';
import { drift, DRIFT_FORMATS } from '../../flows/drift.js';
import type { Console } from '../../ports.js';
import {
  BUSINESS_OPTION,
  businessIdsOption,
  formatOption,
  parseCommandArgs,
  POLICIES_OPTION,
  rateOption,
} from '../args.js';

const HELP = `Usage: rolecall drift [options]

Compares live FreshBooks with the policies as committed (a refresh-only plan: nothing is
written) and classifies every difference:
  unmanaged            in FreshBooks, not granted by the policy (by hand; also unknown roles)
  expired-active       the grant's \`expires\` has passed, the access is still there
  role-mismatch        FreshBooks has another role than the policy
  missing              in the policy, absent or deactivated in FreshBooks
  pending-invitation   invited more than rules.pendingInvitationDays (default 14) days ago
  manual-task          a change \`rolecall apply\` left to a human (.rolecall/journal/), not done
Grants that end within rules.expiringSoonDays (default 7) are listed as reminders: not drift.

Options:
  --policies DIR       policy directory (default: policies)
  --business ID        only this business; repeatable (default: every business the policies name)
  --live FILE          compare with a LiveState snapshot (\`rolecall sync --out FILE\`) instead
                       of reading FreshBooks
  --format FORMAT      text (default), markdown or json
  --detailed-exitcode  exit 2 when there is drift (reminders alone are not drift)
  --github             keep one drift issue per business: created when drift appears, updated
                       when it changes, closed when it clears, reopened when it returns
                       (GITHUB_REPOSITORY, GITHUB_TOKEN; the job needs \`issues: write\`)
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --rate N             FreshBooks requests per second for this run (default 4)
  --verbose            log every FreshBooks request (redacted) on stderr
  -h, --help           this help

Exit codes: 0 no drift (or any drift without --detailed-exitcode); 1 error; 2 drift, with
--detailed-exitcode. ROLECALL_NOW (an ISO instant) judges expiry and invitations at another time.
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: POLICIES_OPTION,
    business: BUSINESS_OPTION,
    live: { type: 'string' },
    format: { type: 'string', default: 'text' },
    'detailed-exitcode': { type: 'boolean', default: false },
    github: { type: 'boolean', default: false },
    'token-store': { type: 'string' },
    rate: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const format = formatOption(values.format, DRIFT_FORMATS);
  const outcome = await drift(io, {
    policiesDir: values.policies,
    businessIds: businessIdsOption(values.business),
    rate: rateOption(values.rate),
    now: nowFrom(io.env),
    liveFile: values.live,
    format,
    detailedExitcode: values['detailed-exitcode'],
    github: values.github,
    tokenStore: values['token-store'],
    verbose: values.verbose,
  });
  return outcome.exitCode;
}
