import { UsageError, EXIT } from '../../errors.js';
import { nowFrom } from '../../flows/clock.js';
import { DEFAULT_POLICIES_DIR } from '../../flows/context.js';
import { review, type ReviewFormat } from '../../flows/review.js';
import { DEFAULT_DUE_IN } from '../../flows/review-campaign.js';
import { closeReview } from '../../flows/review-close.js';
import type { Console } from '../../ports.js';
import {
  BUSINESS_OPTION,
  businessIdsOption,
  formatOption,
  parseCommandArgs,
  POLICIES_OPTION,
  rateOption,
} from '../args.js';

const HELP = `Usage: rolecall review [options]
       rolecall review --github [--due YYYY-MM-DD | --due-in 14d] [options]
       rolecall review close --issue N [--base BRANCH] [--remote NAME] [--early] [--dry-run]

The access review pack: one row per person with access (or granted access by the policy), per
business — email, name, live role and state, policy role, reason, ticket, expires, who granted
the current role (the commit that last set the entry's email or role, its author and date, and
the pull request), days since granted, and flags (privileged, unmanaged, no-reason, expired,
expiring-soon, never-accepted, …).

Options:
  --policies DIR       policy directory (default: ${DEFAULT_POLICIES_DIR})
  --business ID        only this business; repeatable
  --live FILE          read live members from a snapshot (\`rolecall sync --out FILE\`)
  --format FORMAT      csv (default), json or markdown; with --out, .json/.md/.csv
                       extensions choose the format when --format is not given
  --out FILE           write the pack to FILE (atomically) instead of stdout
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --rate N             FreshBooks requests per second for this run (default 4)
  --verbose            log every FreshBooks request (redacted) on stderr
  -h, --help           this help

Review campaign (GitHub):
  --github             open one review issue per business: a checkbox per policy entry,
                       checked = keep. A business whose review is still open is skipped.
                       Needs GITHUB_REPOSITORY and GITHUB_TOKEN (issues: write).
  --due YYYY-MM-DD     the review's due date
  --due-in DURATION    due in this many days or weeks (default ${DEFAULT_DUE_IN})

  review close --issue N
                       open the pull request that removes every person left unchecked in
                       review issue N (branch rolecall/review-N, pushed to --remote, default
                       the upstream remote or origin; based on --base, default the Actions
                       job's branch, else the remote's default branch, else the current
                       branch). Nothing unchecked: comment on the issue, close it, no pull
                       request. Refused while the issue is open before its due date unless
                       --early. --dry-run prints what it would do.

Provenance comes from \`git blame\` of the policy files in the working tree: run it in a full
clone (actions/checkout with fetch-depth: 0). The clock is ROLECALL_NOW when set.
`;

export async function run(args: string[], io: Console): Promise<number> {
  if (args[0] === 'close') return runClose(args.slice(1), io);
  const { values } = parseCommandArgs(args, {
    policies: POLICIES_OPTION,
    business: BUSINESS_OPTION,
    live: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    'token-store': { type: 'string' },
    rate: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    github: { type: 'boolean', default: false },
    due: { type: 'string' },
    'due-in': { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const now = nowFrom(io.env);
  const format = formatOf(values.format, values.out);
  if (!values.github && (values.due !== undefined || values['due-in'] !== undefined)) {
    throw new UsageError('--due and --due-in go with --github');
  }
  const outcome = await review(io, {
    dir: values.policies,
    businessIds: businessIdsOption(values.business),
    liveFile: values.live,
    tokenStore: values['token-store'],
    rate: rateOption(values.rate),
    verbose: values.verbose,
    now,
    format,
    out: values.out,
    campaign: values.github ? { due: values.due, dueIn: values['due-in'] } : undefined,
  });
  return outcome.exitCode;
}

async function runClose(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    issue: { type: 'string' },
    policies: POLICIES_OPTION,
    base: { type: 'string' },
    remote: { type: 'string' },
    early: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const outcome = await closeReview(io, {
    issue: issueNumberOf(values.issue),
    dir: values.policies,
    base: values.base,
    remote: values.remote,
    early: values.early,
    dryRun: values['dry-run'],
    now: nowFrom(io.env),
  });
  return outcome.exitCode;
}

function formatOf(format: string | undefined, out: string | undefined): ReviewFormat {
  if (format === undefined) {
    if (out !== undefined && /\.json$/i.test(out)) return 'json';
    if (out !== undefined && /\.(md|markdown)$/i.test(out)) return 'markdown';
    return 'csv';
  }
  return formatOption(format, ['csv', 'json', 'markdown']);
}

/** `--issue` as a positive whole number. */
function issueNumberOf(value: string | undefined): number {
  if (value === undefined) throw new UsageError('review close needs --issue N');
  if (!/^[1-9]\d{0,9}$/.test(value)) {
    throw new UsageError(`--issue must be an issue number, got "${value}"`);
  }
  return Number(value);
}
