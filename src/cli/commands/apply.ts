import { DEFAULT_CONCURRENCY } from '../../apply/apply-plan.js';
import { UsageError, EXIT } from '../../errors.js';
import { apply } from '../../flows/apply.js';
import type { Console } from '../../ports.js';
import {
  formatOption,
  integerOption,
  parseCommandArgs,
  POLICIES_OPTION,
  rateOption,
} from '../args.js';
import { handleInterrupts } from '../interrupt.js';

const HELP = `Usage: rolecall apply PLAN_FILE [options]
       rolecall apply --github [options]

Executes a plan file written by \`rolecall plan --out PLAN_FILE\`. Before the first write it
checks the plan (version, schema, digest), re-reads the businesses it touches from FreshBooks,
refuses a stale plan (a member it changes is no longer as planned) and re-checks the safety
guards; then it asks for confirmation. Changes run in a safe order (grants and upgrades,
then downgrades, then revokes), journaled in .rolecall/journal/ so that running the same
plan again resumes after any interruption, and audited in .rolecall/audit/.

With --github (apply.yml, on a push to the default branch) there is no plan file: rolecall
finds the pull request merged as the pushed commit (GITHUB_SHA), reads the plan last posted on
it, re-plans the same businesses at the merge commit, and applies only when the new plan's
effect is the posted one ("plan changed since approval" otherwise, with the differences) and
the pull request's reviews meet the policy's \`approvals:\` rules (those before the merge too).
The outcome, or exactly which rule is unmet, is commented on the pull request.

Options:
  --github             the merge-time GitHub flow above (needs GITHUB_REPOSITORY, GITHUB_SHA,
                       GITHUB_TOKEN; ROLECALL_TEAMS_TOKEN for team rules)
  --yes                apply without the confirmation prompt (CI; not with --github)
  --strict             also refuse when anyone else in the business changed since the plan
  --policies DIR       the policies the plan was made from (default: policies)
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --concurrency N      writes in flight at once within a phase (default ${DEFAULT_CONCURRENCY}); they
                       share one FreshBooks rate budget
  --rate N             requests per second for this run (default 4)
  --format FORMAT      the report: text (default) or markdown
  --resend-invitations send an invitation again even if one sent in the last 30 days may
                       still be pending (FreshBooks does not list it); each is reported
  -h, --help           this help

Ctrl-C (or SIGTERM) stops gracefully: no new change starts, those in flight finish and are
journaled, and the report says how many are done; run the same command again to resume. A
second Ctrl-C stops at once.

Every write is read back: a change counts as applied only once FreshBooks shows it
("N confirmed"); one FreshBooks accepted but does not show is reported unconfirmed.

Exit codes: 0 every change applied (or already in place, or the plan was applied before);
1 refused or failed before any write (nothing changed); 3 partly done (some changes failed,
became manual tasks or were not confirmed) — fix what the report lists and run the same
command again; 130 (143) interrupted by Ctrl-C (SIGTERM).
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      yes: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      policies: POLICIES_OPTION,
      'token-store': { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      format: { type: 'string', default: 'text' },
      github: { type: 'boolean', default: false },
      'resend-invitations': { type: 'boolean', default: false },
    },
    { allowPositionals: true },
  );
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const [planFile, ...extra] = positionals;
  let source: { onMerge: true } | { planFile: string; yes: boolean };
  if (values.github) {
    if (planFile !== undefined) {
      throw new UsageError(
        'apply --github takes no plan file: it re-plans at the merge commit and applies only the plan approved on the pull request',
      );
    }
    if (values.yes) {
      throw new UsageError(
        "apply --github does not take --yes: the pull request's reviews are the approval",
      );
    }
    source = { onMerge: true };
  } else if (planFile === undefined) {
    throw new UsageError('apply needs the plan file: rolecall apply PLAN_FILE');
  } else source = { planFile, yes: values.yes };
  if (extra.length > 0)
    throw new UsageError(`apply takes one plan file, got also: ${extra.join(' ')}`);
  const concurrency = integerOption('concurrency', values.concurrency);
  if (concurrency !== undefined && (concurrency < 1 || concurrency > 32)) {
    throw new UsageError('--concurrency must be from 1 to 32');
  }
  const rate = rateOption(values.rate);
  const format = formatOption(values.format, ['text', 'markdown']);

  const interrupts = handleInterrupts(io);
  try {
    const outcome = await apply(io, {
      ...source,
      policiesDir: values.policies,
      strict: values.strict,
      format,
      interrupt: interrupts.signal,
      ...(values['token-store'] === undefined ? {} : { tokenStore: values['token-store'] }),
      ...(rate === undefined ? {} : { rate }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(values['resend-invitations'] ? { resendInvitations: true } : {}),
    });
    return outcome.exitCode;
  } finally {
    interrupts.dispose();
  }
}
