import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJournal } from '../../apply/journal.js';
import type { JournalRecord } from '../../apply/records.js';
import {
  classifyDrift,
  renderDriftIssueBody,
  renderDriftJson,
  renderDriftMarkdown,
  renderDriftText,
  reportHasDrift,
  type BusinessDrift,
  type DriftItem,
  type DriftReport,
} from '../../drift/index.js';
import { RolecallError, UsageError } from '../../errors.js';
import { upsertDriftIssue } from '../../github/drift-issue.js';
import { appendJobSummary } from '../../github/job-summary.js';
import { openGitHubSession, type GitHubSession } from '../../github/session.js';
import { redact } from '../../redact.js';
import type { PolicyCommit } from '../../types.js';
import { businessIdOption, parseCommandArgs, rateOption } from '../args.js';
import { nowFrom } from '../../flows/clock.js';
import type { Console } from '../../ports.js';
import { colorEnabled } from '../../console.js';
import {
  DEFAULT_POLICIES_DIR,
  liveSourceOf,
  loadPolicies,
  policyCommitsOf,
  readLive,
  selectBusinesses,
} from '../../flows/context.js';

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

const FORMATS = ['text', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

export async function run(args: string[], io: Console): Promise<number> {
  const { values } = parseCommandArgs(args, {
    policies: { type: 'string', default: DEFAULT_POLICIES_DIR },
    business: { type: 'string', multiple: true },
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
    return 0;
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format must be text, markdown or json, got "${values.format}"`);
  }
  const ids = (values.business ?? []).map(businessIdOption);
  const rate = rateOption(values.rate);
  const now = nowFrom(io.env);

  const desired = selectBusinesses(await loadPolicies(io, { dir: values.policies, now }), ids);
  const businessIds = desired.businesses.map((b) => b.businessId);
  if (businessIds.length === 0) throw new UsageError('the policies name no business');
  const policyCommits = await commitsOrNothing(io, desired);
  // GitHub first: a missing or wrong token fails the run before FreshBooks is read.
  const gh = values.github
    ? await openGitHubSession(io.env, {
        warn: (message) => io.stderr.write(`${redact(message)}\n`),
      })
    : null;

  const live = await readLive(
    io,
    liveSourceOf({
      liveFile: values.live,
      tokenStore: values['token-store'],
      rate,
      verbose: values.verbose,
    }),
    businessIds,
    now,
  );
  const journal = await readJournals(join(io.cwd, '.rolecall', 'journal'));
  let report = classifyDrift({ desired, live, now, journal, policyCommits });

  let failed = false;
  if (gh !== null) {
    const outcome = await updateDriftIssues(io, gh, report, now);
    report = outcome.report;
    failed = outcome.failed;
  }

  io.stdout.write(
    format === 'json'
      ? renderDriftJson(report)
      : format === 'markdown'
        ? renderDriftMarkdown(report)
        : renderDriftText(report, { color: colorEnabled(io) }),
  );
  if (failed) return 1;
  return values['detailed-exitcode'] && reportHasDrift(report) ? 2 : 0;
}

/**
 * One issue per business. A failure on one business does not stop the others (they are
 * independent); the command then exits 1. Returns the report with each item's first-seen date.
 */
async function updateDriftIssues(
  io: Console,
  gh: GitHubSession,
  report: DriftReport,
  now: Date,
): Promise<{ report: DriftReport; failed: boolean }> {
  let failed = false;
  const businesses: BusinessDrift[] = [];
  for (const business of report.businesses) {
    try {
      const result = await upsertDriftIssue<DriftItem>(gh.octokit, {
        repo: gh.repo,
        businessId: business.businessId,
        businessName: business.name,
        items: business.items,
        now,
        isDrift: (item) => item.drift,
        render: (items) => renderDriftIssueBody(business, items),
        author: gh.identity.login,
      });
      businesses.push({ ...business, items: result.items });
      const where =
        result.number === null ? '' : ` #${result.number}${result.url ? ` ${result.url}` : ''}`;
      io.stderr.write(
        `drift issue of business ${business.businessId}: ${ISSUE_WORDS[result.action]}${where}\n`,
      );
    } catch (error) {
      failed = true;
      businesses.push(business);
      const message = error instanceof Error ? error.message : String(error);
      io.stderr.write(
        `rolecall: drift issue of business ${business.businessId}: ${redact(message)}\n`,
      );
    }
  }
  const merged: DriftReport = { ...report, businesses };
  await appendJobSummary(gh.context.stepSummaryPath, renderDriftMarkdown(merged));
  return { report: merged, failed };
}

const ISSUE_WORDS = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged (no request)',
  closed: 'closed (drift cleared)',
  reopened: 'reopened (drift returned)',
  none: 'no drift, no open issue',
} as const;

/**
 * Every record of every apply journal (`*.jsonl`), for the manual tasks and the evidence of
 * what rolecall put in place. No directory means no journal (CI runners have none).
 */
async function readJournals(dir: string): Promise<JournalRecord[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.jsonl')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RolecallError(
      'JOURNAL_UNREADABLE',
      `cannot read ${dir}: ${(error as Error).message}`,
    );
  }
  const records: JournalRecord[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (error) {
      throw new RolecallError(
        'JOURNAL_UNREADABLE',
        `cannot read the journal ${join(dir, name)}: ${(error as Error).message}`,
      );
    }
    records.push(...parseJournal(text).records);
  }
  return records;
}

/**
 * Which commit the policies were read at, for the report. Drift only reads: without git (a
 * snapshot directory, git missing) it still runs, with no commit recorded.
 */
async function commitsOrNothing(
  io: Console,
  desired: Parameters<typeof policyCommitsOf>[1],
): Promise<Record<string, PolicyCommit>> {
  let commits: Record<string, PolicyCommit>;
  try {
    commits = await policyCommitsOf(io, desired);
  } catch {
    return {};
  }
  for (const [file, commit] of Object.entries(commits)) {
    if (commit.dirty) {
      io.stderr.write(
        `warning: ${file} has uncommitted changes: drift is measured against the working tree, not HEAD\n`,
      );
    }
  }
  return commits;
}
