import { UsageError, EXIT } from '../../errors.js';
import {
  BUSINESS_OPTION,
  businessIdsOption,
  formatOption,
  parseCommandArgs,
  POLICIES_OPTION,
  rateOption,
} from '../args.js';
import { nowFrom } from '../../flows/clock.js';
import { runPlan, type PlanOptions } from '../../flows/plan.js';
import { planOnPullRequest } from '../../flows/plan-on-pull-request.js';
import type { Console } from '../../ports.js';

const HELP = `Usage: rolecall plan [options]

Reads live FreshBooks (or a snapshot), compares it with the policies and prints what would
change: + grant (invite with a role), ~ change (role), - revoke (remove), and the safety
guards. Nothing is written to FreshBooks. Invalid policies are reported and never reach the API.

Options:
  --policies DIR        policy directory or file (default: policies)
  --business ID         plan only this business; repeatable
  --changed-since REF   plan only the businesses whose policy files changed between the
                        merge base of REF and HEAD (a deleted file is reported, never revoked)
  --live FILE           plan against a snapshot from \`rolecall sync --out FILE\` (offline)
  --out FILE            save the plan, for \`rolecall apply FILE\`
  --format FORMAT       text (default; colour on a terminal unless NO_COLOR), markdown, json
  --detailed-exitcode   exit 2 when the plan has changes, 0 when it has none
  --github              in GitHub Actions: plan the businesses the pull request changes,
                        comment the plan on it, write the job summary and step outputs;
                        saves the plan to --out (default .rolecall/plan.json). Under
                        pull_request_target the pull request's head is read from git
                        objects (fetch refs/pull/N/head first), never checked out
  --token-store SPEC    file:PATH (default file:.rolecall/credentials.json) or
                        github-secret:NAME[@environment]
  --rate N              FreshBooks requests per second for this run (default 4)
  --verbose             log every FreshBooks request (redacted) on stderr
  -h, --help            this help

Exit codes: 0 success (with --detailed-exitcode: no changes); 2 changes present (only with
--detailed-exitcode); 1 error, invalid policy, or a plan that cannot be applied because a
safety guard failed without an override.

Environment: FRESHBOOKS_CLIENT_ID, FRESHBOOKS_CLIENT_SECRET, FRESHBOOKS_REFRESH_TOKEN (a token
to start from; the store's rotated one for this API URL and client wins unless this one is new
to it), FRESHBOOKS_API_URL; aliases BATON_FB_CLIENT_ID, BATON_FB_CLIENT_SECRET,
BATON_REFRESH_TOKEN. ROLECALL_NOW (an ISO instant) plans as of then.
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: POLICIES_OPTION,
    business: BUSINESS_OPTION,
    'changed-since': { type: 'string' },
    live: { type: 'string' },
    out: { type: 'string' },
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
  const format = formatOption(values.format, ['text', 'markdown', 'json']);
  const businessIds = businessIdsOption(values.business);
  if (businessIds.length > 0 && values['changed-since'] !== undefined) {
    throw new UsageError('--business and --changed-since choose the scope two ways; use one');
  }
  if (values.out !== undefined && values.out.trim() === '') {
    throw new UsageError('--out needs a file name');
  }
  const options: PlanOptions = {
    policiesDir: values.policies,
    now: nowFrom(io.env),
    businessIds,
    format,
    detailedExitcode: values['detailed-exitcode'],
    verbose: values.verbose,
    ...(values['changed-since'] === undefined ? {} : { changedSince: values['changed-since'] }),
    ...(values.live === undefined ? {} : { liveFile: values.live }),
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(values['token-store'] === undefined ? {} : { tokenStore: values['token-store'] }),
    ...(values.rate === undefined ? {} : { rate: rateOption(values.rate) }),
  };
  const outcome = values.github ? await planOnPullRequest(io, options) : await runPlan(io, options);
  return outcome.exitCode;
}
