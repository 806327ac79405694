/**
 * The status comment of a request issue: one comment, rewritten at each step of the request's
 * life (form checked, pull request opened and planned, applied, revoked). Pure and
 * deterministic in its input, so that a run with nothing new renders the same text and writes
 * nothing. Everything that came from the issue (answers, problems quoting them) is inert text:
 * no markup, no mention, no link (plan/markdown-text.ts).
 */
import { code, inertText } from '../plan/markdown-text.js';
import { formatInstant } from '../policy/parse-time.js';
import type { RequestDetails, RequestState, RequestStatusRecord } from './request-link.js';

export interface StatusExtras {
  /** `refused`: each problem, as one line. */
  problems?: readonly string[];
  /**
   * `open`: the plan's lines (`+ grant … contractor`), a note when it could not be made, and
   * the request's paid-seat line (request-seats.ts `seatsText`).
   */
  plan?: { lines: readonly string[]; note: string | null; seats?: string | null } | null;
  /** `open`: what approval the pull request needs, one line each. */
  approvals?: readonly string[];
  /** `blocked`, `failed`: what happened, in rolecall's words. */
  message?: string;
  /** The merge commit (`granted`, `partial`, `not-applied`). */
  mergeCommit?: string | null;
}

const HEADLINES: Record<RequestState, string> = {
  refused: '❌ Not requested: the form needs fixing',
  unchanged: 'ℹ️ Nothing to request',
  blocked: '⚠️ The pull request could not be opened',
  failed: '⚠️ The request could not be processed',
  open: '⏳ Waiting for approval',
  withdrawn: '↩️ Withdrawn',
  'not-applied': '❌ Merged, but not applied',
  partial: '⚠️ Partly applied',
  granted: '✅ Granted',
  revoked: '🔒 Ended: revoked by expiry',
};

function businessOf(request: RequestDetails): string {
  return request.businessName
    ? `${inertText(request.businessName)} (${request.businessId})`
    : `business ${request.businessId}`;
}

export function untilOf(request: Pick<RequestDetails, 'endsAt' | 'expires'>): string {
  return formatInstant(new Date(request.endsAt));
}

function table(record: RequestStatusRecord): string[] {
  const { request } = record;
  const rows: Array<[string, string]> = [];
  if (request) {
    rows.push(
      ['Who', code(request.email)],
      ['Role', code(request.role)],
      ['Business', businessOf(request)],
      [
        'Until',
        `${untilOf(request)} (asked as ${code(request.asked)} at ${formatInstant(new Date(request.requestedAt))}; the policy says ${code(`expires: ${request.expires}`)})`,
      ],
      ['Why', inertText(request.reason)],
      ['Ticket', request.ticket ? inertText(request.ticket) : '—'],
    );
  }
  const someoneElse =
    record.forThemselves === false
      ? ' — **for someone else**: rolecall cannot link this address to them'
      : '';
  rows.push(['Requested by', `@${record.requester}${someoneElse}`]);
  if (record.editors.length > 0) {
    rows.push(['Edited by', record.editors.map((l) => `@${l}`).join(', ')]);
  }
  if (record.pullRequest !== null) rows.push(['Pull request', `#${record.pullRequest}`]);
  if (record.approvers.length > 0) {
    rows.push(['Approved by', record.approvers.map((l) => `@${l}`).join(', ')]);
  }
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| **${k}** | ${v} |`)];
}

function bullets(lines: readonly string[]): string[] {
  return lines.map((line) => `- ${inertText(line)}`);
}

function body(record: RequestStatusRecord, extras: StatusExtras): string[] {
  const { request } = record;
  const pr = record.pullRequest === null ? 'the pull request' : `#${record.pullRequest}`;
  const merge = extras.mergeCommit ? ` (merge ${code(extras.mergeCommit.slice(0, 12))})` : '';
  switch (record.state) {
    case 'refused':
      return [
        'rolecall read this issue as a request form and found:',
        '',
        ...bullets(extras.problems ?? []),
        '',
        '**To fix it, edit this issue** (⋯ → Edit) and save: rolecall checks it again on every edit. Nothing was requested, committed or opened.',
      ];
    case 'unchanged':
      return [
        `The policy already says exactly this${request ? ` for ${code(request.email)}` : ''}: no pull request is needed. Edit the issue to ask for something else, or close it.`,
      ];
    case 'blocked':
    case 'failed':
      return [
        inertText(extras.message ?? 'unknown error'),
        '',
        'Fix it, then edit this issue (or re-run the workflow) to try again.',
      ];
    case 'open': {
      const lines = [
        `${pr} proposes this change to the policy. Merging it grants the access; ${
          request
            ? `it ends at ${untilOf(request)}, when rolecall revokes it`
            : 'it ends at its expiry'
        }.`,
        '',
      ];
      const plan = extras.plan;
      if (plan && plan.lines.length > 0) {
        lines.push(
          '**Plan** (what merging would change in FreshBooks now):',
          '',
          ...plan.lines.map((l) => `- ${code(l)}`),
          '',
        );
      } else if (plan && plan.note === null) {
        lines.push('**Plan:** no change in FreshBooks (the access is already there).', '');
      }
      if (plan?.note) lines.push(`**Plan:** ${inertText(plan.note)}`, '');
      if (plan?.seats) lines.push(`💺 **Seats:** ${inertText(plan.seats)}`, '');
      if (extras.approvals && extras.approvals.length > 0) {
        lines.push(
          '**Approval needed** on the pull request:',
          '',
          ...bullets(extras.approvals),
          '',
        );
      }
      lines.push(
        `The requester${record.editors.length > 0 ? ' and whoever edited the request' : ''} cannot approve it, nor can the person who gets the access.`,
      );
      return lines;
    }
    case 'withdrawn':
      return [
        record.pullRequest === null
          ? 'The issue was closed: the request is withdrawn (no pull request had been opened).'
          : `The issue was closed before the merge, which withdraws the request: ${pr} was closed without merging.`,
      ];
    case 'not-applied':
      return [
        `${pr} was merged${merge}, but the apply workflow refused it, so nothing changed in FreshBooks: its apply comment on ${pr} says why. Once that is fixed, re-running the apply workflow grants it.`,
      ];
    case 'partial':
      return [
        `${pr} was merged${merge} and applied only in part: its apply comment on ${pr} lists what is left (manual tasks, or failures a re-run retries).`,
      ];
    case 'granted':
      return [
        `**Granted until ${request ? untilOf(request) : 'its expiry'}.** ${pr} was approved, merged${merge} and applied.${
          request
            ? ' When the time is up, the hourly expire workflow revokes it and this issue closes.'
            : ''
        }`,
      ];
    case 'revoked':
      return [
        `**Revoked by expiry** at ${formatInstant(new Date(record.at))}${
          request ? ` (the access ended ${untilOf(request)})` : ''
        }. This issue is closed; open a new request to ask again.`,
      ];
  }
}

/** The visible markdown of the status comment (the hidden record is added by the writer). */
export function renderRequestStatus(
  record: RequestStatusRecord,
  extras: StatusExtras = {},
): string {
  const lines = [
    `### ${HEADLINES[record.state]}`,
    '',
    ...body(record, extras),
    '',
    ...table(record),
    '',
    // No run link or clock here: a run with nothing new must render the same text.
    '<sub>rolecall keeps this comment up to date. Edit the issue to change the request; close it to withdraw.</sub>',
    '',
  ];
  return lines.join('\n');
}
