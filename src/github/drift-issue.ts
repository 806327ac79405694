/**
 * The drift issue: one issue per business, found by label and hidden marker, never by title.
 *
 *   drift appears        → created (label ensured first)
 *   drift changes        → body updated (no request when the body is identical)
 *   drift clears         → closed with state_reason "completed"
 *   drift returns        → the same issue reopened, never a second one
 *
 * The body carries a hidden record of every item's key and the date it was first seen, so a daily
 * run keeps old drift old. When rolecall closes the issue the record is emptied: drift that comes
 * back later is new drift. Items can also be reminders (`isDrift` false, e.g. "expiring soon"):
 * they are listed and keep their first-seen date, but never open or reopen the issue.
 */
import type { GitHubClient } from './client.js';
import { repoParams, type RepoRef } from './context.js';
import { githubError } from './github-error.js';
import { readHiddenRecord } from './hidden-record.js';
import { ensureLabel, findLabelledItems, type LabelledItem } from './labelled-items.js';
import { BODY_TRUNCATION_NOTE, composeBody } from './sticky-comment.js';

export const DRIFT_LABEL = 'rolecall-drift';
const KIND = 'drift';

export interface FirstSeenEntry {
  key: string;
  /** ISO instant. */
  firstSeen: string;
}

export type WithFirstSeen<T> = T & { firstSeen: string };

/**
 * Each current item with the first-seen date from `previous` when its key was there, else `now`.
 * Order follows `current`; keys missing from `current` are forgotten (that drift is gone).
 */
export function mergeFirstSeen<T extends { key: string }>(
  previous: readonly FirstSeenEntry[],
  current: readonly T[],
  now: Date,
): Array<WithFirstSeen<T>> {
  const known = new Map(previous.map((entry) => [entry.key, entry.firstSeen]));
  const stamp = now.toISOString();
  return current.map((item) => ({ ...item, firstSeen: known.get(item.key) ?? stamp }));
}

export interface DriftIssueRecord {
  v: 1;
  businessId: number;
  items: FirstSeenEntry[];
}

export interface UpsertDriftIssueInput<T extends { key: string }> {
  repo: RepoRef;
  businessId: number;
  businessName?: string;
  items: readonly T[];
  now: Date;
  isDrift?: (item: T) => boolean;
  /** Markdown for the visible body (the drift renderer). Must not depend on `now`. */
  render?: (
    items: Array<WithFirstSeen<T>>,
    business: { id: number; name: string | null },
  ) => string;
  label?: string;
  title?: string;
  /** When given, only issues this login opened are rolecall's. */
  author?: string;
  /**
   * Another issue kept with the same lifecycle (`rolecall doctor`'s): its marker kind and scope
   * (default `drift` and the business id), its label's description, and what the errors say
   * rolecall was doing.
   */
  tracking?: { kind: string; scope: string; labelDescription: string; what: string };
}

export type DriftIssueAction = 'created' | 'updated' | 'unchanged' | 'closed' | 'reopened' | 'none';

export interface DriftIssueResult<T> {
  action: DriftIssueAction;
  number: number | null;
  url: string | null;
  items: Array<WithFirstSeen<T>>;
}

export async function upsertDriftIssue<T extends { key: string }>(
  octokit: GitHubClient,
  input: UpsertDriftIssueInput<T>,
): Promise<DriftIssueResult<T>> {
  const label = input.label ?? DRIFT_LABEL;
  const kind = input.tracking?.kind ?? KIND;
  const scope = input.tracking?.scope ?? String(input.businessId);
  const found = await findLabelledItems(octokit, input.repo, {
    label,
    kind,
    scope,
    state: 'all',
    type: 'issue',
    ...(input.author ? { author: input.author } : {}),
  });
  // The open one if there is one (the oldest, should a duplicate exist), else the latest closed.
  const issue = found.find((i) => i.state === 'open') ?? found.at(-1) ?? null;
  const previous = issue ? recordedFirstSeen(issue.body, kind, scope) : [];
  const items = mergeFirstSeen(previous, input.items, input.now);
  const isDrift = input.isDrift ?? (() => true);
  const hasDrift = input.items.some(isDrift);

  const business = { id: input.businessId, name: input.businessName ?? null };
  const record: DriftIssueRecord = {
    v: 1,
    businessId: input.businessId,
    items: items.map((i) => ({ key: i.key, firstSeen: i.firstSeen })),
  };
  const visible = (input.render ?? defaultRender)(items, business);
  const { body } = composeBody(
    { kind, scope },
    { visible, record },
    { note: BODY_TRUNCATION_NOTE },
  );
  const title =
    input.title ??
    `rolecall: FreshBooks drift in ${input.businessName ?? `business ${input.businessId}`}`;
  const result = (
    action: DriftIssueAction,
    target: { number: number; html_url: string } | LabelledItem | null,
  ) => ({
    action,
    number: target?.number ?? null,
    url: target ? ('html_url' in target ? target.html_url : target.htmlUrl) : null,
    items,
  });

  try {
    if (hasDrift) {
      if (!issue) {
        await ensureLabel(octokit, input.repo, {
          name: label,
          color: 'd93f0b',
          description:
            input.tracking?.labelDescription ??
            'FreshBooks access differs from the policy (managed by rolecall)',
        });
        const { data } = await octokit.rest.issues.create({
          ...repoParams(input.repo),
          title,
          body,
          labels: [label],
        });
        return result('created', data);
      }
      if (issue.state === 'closed') {
        const { data } = await octokit.rest.issues.update({
          ...repoParams(input.repo),
          issue_number: issue.number,
          state: 'open',
          state_reason: 'reopened',
          title,
          body,
        });
        return result('reopened', data);
      }
      if (issue.body === body && issue.title === title) return result('unchanged', issue);
      const { data } = await octokit.rest.issues.update({
        ...repoParams(input.repo),
        issue_number: issue.number,
        title,
        body,
      });
      return result('updated', data);
    }
    if (issue && issue.state === 'open') {
      // Cleared. Every remaining item is a reminder, so the record no longer holds any drift
      // first-seen date: drift that returns later is new drift.
      const { data } = await octokit.rest.issues.update({
        ...repoParams(input.repo),
        issue_number: issue.number,
        state: 'closed',
        state_reason: 'completed',
        title,
        body,
      });
      return result('closed', data);
    }
    return result('none', issue);
  } catch (error) {
    throw githubError(
      input.tracking?.what ?? `update the drift issue of business ${input.businessId}`,
      error,
      'The job needs `permissions: issues: write`',
    );
  }
}

/** The first-seen entries recorded in a drift issue body (empty when none or unreadable). */
export function firstSeenOf(body: string, scope?: string): FirstSeenEntry[] {
  const found = /<!-- rolecall:drift:([A-Za-z0-9._-]+) /.exec(body);
  return recordedFirstSeen(body, KIND, scope ?? found?.[1] ?? '');
}

function recordedFirstSeen(body: string, kind: string, scope: string): FirstSeenEntry[] {
  const record = readHiddenRecord(body, kind, scope) as Partial<DriftIssueRecord> | undefined;
  if (!record || record.v !== 1 || !Array.isArray(record.items)) return [];
  return record.items.filter(
    (i): i is FirstSeenEntry => !!i && typeof i.key === 'string' && typeof i.firstSeen === 'string',
  );
}

function defaultRender<T extends { key: string }>(
  items: Array<WithFirstSeen<T>>,
  business: { id: number; name: string | null },
): string {
  const name = business.name
    ? `${business.name} (business ${business.id})`
    : `business ${business.id}`;
  if (items.length === 0)
    return `## FreshBooks drift: ${name}\n\nNo drift: FreshBooks matches the policy.\n`;
  const rows = items.map((item) => {
    const summary = (item as { summary?: unknown }).summary;
    const text = typeof summary === 'string' ? summary : item.key;
    return `| ${text.replace(/\|/g, '\\|').replace(/\n/g, ' ')} | ${item.firstSeen.slice(0, 10)} |`;
  });
  return [
    `## FreshBooks drift: ${name}`,
    '',
    'FreshBooks differs from the policy in the repository. Fix FreshBooks (re-apply) or change the policy in a pull request.',
    '',
    '| Item | First seen |',
    '|---|---|',
    ...rows,
    '',
  ].join('\n');
}
