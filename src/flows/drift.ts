/**
 * `rolecall drift`: live FreshBooks compared with the policies as committed (a refresh-only
 * plan: nothing is written), every difference classified (drift/), printed; with `--github`,
 * one drift issue per business kept in step with it.
 */
import { join } from 'node:path';
import { readAllJournals } from '../apply/journal.js';
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
} from '../drift/index.js';
import { UsageError, EXIT } from '../errors.js';
import { upsertDriftIssue } from '../github/drift-issue.js';
import { appendJobSummary } from '../github/job-summary.js';
import type { GitHubSession } from '../github/session.js';
import { redact } from '../redact.js';
import type { PolicyCommit } from '../types.js';
import type { Console } from '../ports.js';
import { colorEnabled } from '../console.js';
import {
  liveSourceOf,
  loadPolicies,
  openGitHub,
  policyCommitsOf,
  readLive,
  selectBusinesses,
} from './context.js';

export const DRIFT_FORMATS = ['text', 'markdown', 'json'] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];

export interface DriftOptions {
  policiesDir: string;
  businessIds: readonly number[];
  liveFile?: string | undefined;
  format: DriftFormat;
  /** Exit 2 when there is drift (reminders alone are not drift). */
  detailedExitcode: boolean;
  github: boolean;
  tokenStore?: string | undefined;
  rate?: number | undefined;
  verbose: boolean;
  now: Date;
}

/** 0 no drift (or drift without `detailedExitcode`); 1 a drift issue failed; 2 drift. */
export interface DriftOutcome {
  exitCode: 0 | 1 | 2;
  report: DriftReport;
}

export async function drift(io: Console, options: DriftOptions): Promise<DriftOutcome> {
  const { now } = options;
  const desired = selectBusinesses(
    await loadPolicies(io, { dir: options.policiesDir, now }),
    options.businessIds,
  );
  const businessIds = desired.businesses.map((b) => b.businessId);
  if (businessIds.length === 0) throw new UsageError('the policies name no business');
  const policyCommits = await commitsOrNothing(io, desired);
  // GitHub first: a missing or wrong token fails the run before FreshBooks is read.
  const gh = options.github ? await openGitHub(io) : null;

  const live = await readLive(
    io,
    liveSourceOf({
      liveFile: options.liveFile,
      tokenStore: options.tokenStore,
      rate: options.rate,
      verbose: options.verbose,
    }),
    businessIds,
    now,
  );
  // Every apply journal: the manual tasks, and the evidence of what rolecall put in place.
  const journal = await readAllJournals(join(io.cwd, '.rolecall'));
  let report = classifyDrift({ desired, live, now, journal, policyCommits });

  let failed = false;
  if (gh !== null) {
    const outcome = await updateDriftIssues(io, gh, report, now);
    report = outcome.report;
    failed = outcome.failed;
  }

  io.stdout.write(
    options.format === 'json'
      ? renderDriftJson(report)
      : options.format === 'markdown'
        ? renderDriftMarkdown(report)
        : renderDriftText(report, { color: colorEnabled(io) }),
  );
  if (failed) return { exitCode: EXIT.ERROR, report };
  return {
    exitCode: options.detailedExitcode && reportHasDrift(report) ? EXIT.CHANGES : EXIT.OK,
    report,
  };
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
