import { handleInterrupts } from '../interrupt.js';
import { EXIT } from '../../errors.js';
import { nowFrom } from '../../flows/clock.js';
import { expire } from '../../flows/expire.js';
import type { Console } from '../../ports.js';
import {
  BUSINESS_OPTION,
  businessIdsOption,
  formatOption,
  parseCommandArgs,
  POLICIES_OPTION,
  rateOption,
} from '../args.js';

const HELP = `Usage: rolecall expire [options]

Revokes the grants whose \`expires\` has passed, and nothing else: the plan is restricted to
revoking expired grants, then applied (journaled, audited, guards re-checked). Afterwards the
expired entries that hold no access any more are removed from the YAML through one clean-up
pull request (--github), kept up to date on every run and never duplicated.

Approval: a business whose policy sets \`rules.autoApproveExpiry: true\` is revoked without a
pull-request approval (the audit log records "autoApproveExpiry: the plan only removes expired
access"). Any other business needs a "yes" at the terminal prompt or --yes; under --github it
is refused (the expired access stays, and the drift issue lists it, until someone runs
\`rolecall expire\` at a terminal or the policy opts in).

Options:
  --policies DIR       the policy directory (default: policies)
  --business ID        only this business (repeatable); the clean-up pull request is then left alone
  --github             inside GitHub Actions: open or update the clean-up pull request, write the
                       job summary; refuse businesses without rules.autoApproveExpiry
  --yes                approve at the terminal without the prompt (not under --github)
  --token-store SPEC   file:PATH (default file:.rolecall/credentials.json) or
                       github-secret:NAME[@environment]
  --rate N             FreshBooks requests per second (default 4)
  --format FORMAT      the apply report: text (default) or markdown
  --base BRANCH        the branch the clean-up pull request targets (default: the job's branch,
                       else the remote's default branch, else the current branch)
  --remote NAME        the remote to push the clean-up branch to (default: the upstream remote,
                       else origin)
  --verbose            log every FreshBooks request (redacted) on stderr
  -h, --help           this help

Exit codes: 0 done (or nothing expired); 1 refused or failed (nothing written for the refused
business); 3 partly done (some revokes failed or became manual tasks: run again); 130 (143)
stopped by Ctrl-C (SIGTERM): the revokes in flight finished, none started; run again.
The clock: ROLECALL_NOW (an ISO instant) replaces now.
`;

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: POLICIES_OPTION,
    business: BUSINESS_OPTION,
    github: { type: 'boolean', default: false },
    yes: { type: 'boolean', default: false },
    'token-store': { type: 'string' },
    rate: { type: 'string' },
    format: { type: 'string', default: 'text' },
    base: { type: 'string' },
    remote: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  const format = formatOption(values.format, ['text', 'markdown']);
  const interrupts = handleInterrupts(io);
  try {
    const outcome = await expire(io, {
      policiesDir: values.policies,
      rate: rateOption(values.rate),
      businessIds: businessIdsOption(values.business),
      now: nowFrom(io.env),
      github: values.github,
      yes: values.yes,
      tokenStore: values['token-store'],
      verbose: values.verbose,
      format,
      base: values.base,
      remote: values.remote,
      interrupt: interrupts.signal,
    });
    return outcome.exitCode;
  } finally {
    interrupts.dispose();
  }
}
