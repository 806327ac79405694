/**
 * The doctor issue: one issue, kept open while anything is unsafe — the drift issue's
 * lifecycle (github/drift-issue.ts): created when something fails, updated when the failures
 * change, closed when they are fixed, the same issue reopened when one comes back. Each failed
 * check keeps the date it was first seen. Unverified checks (`?`) are listed but, like drift
 * reminders, never open the issue.
 */
import { renderDoctorMarkdown, type CheckResult, type CheckStatus } from '../../doctor/index.js';
import { upsertDriftIssue, type DriftIssueAction } from '../../github/drift-issue.js';
import { appendJobSummary } from '../../github/job-summary.js';
import type { GitHubSession } from '../../github/session.js';
import type { Console } from '../../ports.js';
import { redact } from '../../redact.js';

export const DOCTOR_LABEL = 'rolecall-doctor';
export const DOCTOR_ISSUE_TITLE = 'rolecall doctor: unsafe settings in this access repository';

interface DoctorItem {
  key: string;
  status: CheckStatus;
}

const WORDS: Record<DriftIssueAction, string> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged (no request)',
  closed: 'closed (nothing unsafe)',
  reopened: 'reopened (unsafe again)',
  none: 'nothing unsafe, no open issue',
};

/** Keeps the issue in step with the results; false when GitHub refused (the run then exits 1). */
export async function updateDoctorIssue(
  io: Console,
  gh: GitHubSession,
  results: readonly CheckResult[],
  now: Date,
): Promise<boolean> {
  const items: DoctorItem[] = results
    .filter((r) => r.status !== 'pass')
    .map((r) => ({ key: r.id, status: r.status }));
  let firstSeen = new Map<string, string>();
  try {
    const result = await upsertDriftIssue<DoctorItem>(gh.octokit, {
      repo: gh.repo,
      // Not a business: the marker and the wording come from `tracking`.
      businessId: 0,
      items,
      now,
      isDrift: (item) => item.status === 'fail',
      render: (seen) =>
        renderDoctorMarkdown(results, {
          repository: gh.context.repository,
          firstSeen: new Map(
            seen.filter((item) => item.status === 'fail').map((item) => [item.key, item.firstSeen]),
          ),
        }),
      label: DOCTOR_LABEL,
      title: DOCTOR_ISSUE_TITLE,
      author: gh.identity.login,
      tracking: {
        kind: 'doctor',
        scope: 'repository',
        labelDescription: 'rolecall doctor found an unsafe setting (managed by rolecall)',
        what: 'update the doctor issue',
      },
    });
    firstSeen = new Map(
      result.items.filter((i) => i.status === 'fail').map((i) => [i.key, i.firstSeen]),
    );
    const where =
      result.number === null ? '' : ` #${result.number}${result.url ? ` ${result.url}` : ''}`;
    io.stderr.write(`doctor issue: ${WORDS[result.action]}${where}\n`);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`rolecall: doctor issue: ${redact(message)}\n`);
    return false;
  } finally {
    await appendJobSummary(
      gh.context.stepSummaryPath,
      renderDoctorMarkdown(results, { repository: gh.context.repository, firstSeen }),
    );
  }
}
