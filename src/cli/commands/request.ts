import { UsageError, EXIT } from '../../errors.js';
import { nowFrom } from '../../flows/clock.js';
import { request } from '../../flows/request.js';
import { requestFromIssue } from '../../flows/request/from-issue.js';
import type { Console } from '../../ports.js';
import { integerOption, parseCommandArgs, POLICIES_OPTION, rateOption } from '../args.js';

const HELP = `Usage: rolecall request --business ID --email EMAIL --role ROLE
                        (--for DURATION | --until DATE) --reason TEXT [options]
       rolecall request --from-issue N [--dry-run] [--token-store SPEC] [options]

Asks for time-bound access the way every access change is made: as a pull request. rolecall
edits the business's policy file (comments and layout kept; for someone who already has a
time-bound grant, it edits that entry: an extension is a new \`expires\`), checks the result
exactly as \`rolecall validate\` does (known role, allowed domain, rules.maxDuration measured
from now, a reason, ...), then commits it on a new branch rolecall/request/<who>-<role>-<time>
without touching your checkout, pushes it and opens the pull request. Anything validation
refuses is refused before git is touched. Merging the pull request grants the access; when it
ends, \`rolecall expire\` revokes it.

The edit is made to the policy as it is on the base branch (origin/<base> as last fetched),
not to your working tree: uncommitted edits never ride along.

--from-issue N reads the answers of GitHub issue N, made from the request form
(.github/ISSUE_TEMPLATE/request-access.yml, label access-request), as data, and checks them
with the same rules. The issue keeps one status comment: the problems to fix (label
access-request-invalid, nothing opened), or the pull request — always the same one, on branch
rolecall/request/issue-N, whose commit names the issue and the requester — with its plan
(FreshBooks is read with --token-store, as \`rolecall plan --github\` does) and the approval it
needs. The requester cannot approve it. Editing the issue updates the pull request; closing it
closes the pull request. After the merge, apply and expire update the same comment. This is
what the request workflow runs (request.yml).

Options:
  --business ID       the FreshBooks business id (the policy's \`business:\`)
  --email EMAIL       who gets the access
  --role ROLE         admin, manager, accountant, employee, contractor or unassigned
  --for DURATION      how long, from now: 30m, 8h, 14d, 2w
  --until DATE        until a date (through the end of that day, UTC) or a date-time with
                      an offset (2026-12-01T18:00:00+01:00)
  --reason TEXT       why (shown to the reviewer, kept in the policy)
  --ticket T          a ticket reference
  --dry-run           print the policy diff and change nothing
  --policies DIR      the policy directory (default: policies)
  --base BRANCH       the branch the pull request targets (default: the Actions job's branch,
                      else the remote's default branch, else the current branch)
  --remote NAME       the remote to push to (default: the upstream remote, else origin)
  --from-issue N      make the request from issue N's form (instead of the flags above)
  --token-store SPEC  with --from-issue: where the FreshBooks refresh token for the plan is
                      (file:PATH, github-secret:NAME[@environment])
  --rate N            with --from-issue: FreshBooks requests per second (default 4)
  -h, --help          this help

GitHub: the repository comes from the remote's URL (or GITHUB_REPOSITORY=owner/repo), the
token from GITHUB_TOKEN (or GH_TOKEN), the API from GITHUB_API_URL (GitHub Enterprise).
The clock: ROLECALL_NOW (an ISO instant) replaces now, for --for and for the commit date.
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: POLICIES_OPTION,
    business: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    for: { type: 'string' },
    until: { type: 'string' },
    reason: { type: 'string' },
    ticket: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    base: { type: 'string' },
    remote: { type: 'string' },
    'from-issue': { type: 'string' },
    'token-store': { type: 'string' },
    rate: { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (values['from-issue'] !== undefined) {
    const flags = ['business', 'email', 'role', 'for', 'until', 'reason', 'ticket'] as const;
    const given = flags.filter((name) => values[name] !== undefined);
    if (given.length > 0) {
      throw new UsageError(
        `--from-issue takes the request from the issue; drop ${given.map((n) => `--${n}`).join(', ')}`,
      );
    }
    const issue = integerOption('from-issue', values['from-issue']) as number;
    if (issue < 1) throw new UsageError('--from-issue needs an issue number');
    const outcome = await requestFromIssue(io, {
      policiesDir: values.policies,
      issue,
      dryRun: values['dry-run'],
      base: values.base,
      remote: values.remote,
      tokenStore: values['token-store'],
      rate: rateOption(values.rate),
      now: nowFrom(io.env),
    });
    return outcome.exitCode;
  }
  if (values['token-store'] !== undefined || values.rate !== undefined) {
    throw new UsageError('--token-store and --rate go with --from-issue');
  }
  for (const name of ['business', 'email', 'role', 'reason'] as const) {
    if (values[name] === undefined || values[name].trim() === '') {
      throw new UsageError(`request needs --${name} (see rolecall request --help)`);
    }
  }
  const outcome = await request(io, {
    policiesDir: values.policies,
    businessId: integerOption('business', values.business) as number,
    email: values.email as string,
    role: values.role as string,
    for: values.for,
    until: values.until,
    reason: values.reason as string,
    ticket: values.ticket,
    dryRun: values['dry-run'],
    base: values.base,
    remote: values.remote,
    now: nowFrom(io.env),
  });
  return outcome.exitCode;
}
