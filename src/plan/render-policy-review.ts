/**
 * The two parts of a pull request's plan that are not FreshBooks changes, for people:
 *
 * - **policy changes** — facts that change who gets access or how it is approved (rules,
 *   approvals, expiries, reasons, files), compared with the last approved policies; they need
 *   approval even when FreshBooks does not change today;
 * - **scheduled revocations** — access the merged policy will take away later, by expiry,
 *   without another pull request.
 *
 * Pure; markdown escapes everything that comes from a policy (code spans, no mentions, no links).
 */
import { canonicalJson } from '../canonical.js';
import type { DesiredState } from '../types.js';
import { code, escapeText, inertText } from './markdown-text.js';
import type { BusinessPolicyChange, PolicyFactChange } from './policy-changes.js';

export interface ScheduledRevocation {
  businessId: number;
  email: string;
  role: string;
  /** ISO instant: the first moment the grant is no longer allowed. */
  expires: string;
}

export interface PolicyReview {
  /** The commit the changes are compared with (the last approved state), when known. */
  base: string | null;
  changes: BusinessPolicyChange[];
  scheduled: ScheduledRevocation[];
  /** The pull request changed files under the policy directory. */
  touchedPolicies: boolean;
  /** Why the last approved policies cannot be established (apply will refuse), if so. */
  problem?: string | null;
}

/** Future expiries of `businessIds` (all when omitted), soonest first. */
export function scheduledRevocations(
  desired: DesiredState,
  now: Date,
  businessIds?: ReadonlySet<number>,
): ScheduledRevocation[] {
  const list: ScheduledRevocation[] = [];
  for (const business of desired.businesses) {
    if (businessIds && !businessIds.has(business.businessId)) continue;
    for (const member of business.members) {
      if (member.expires === undefined || Date.parse(member.expires) <= now.getTime()) continue;
      list.push({
        businessId: business.businessId,
        email: member.email,
        role: member.role,
        expires: member.expires,
      });
    }
  }
  return list.sort((a, b) => a.expires.localeCompare(b.expires) || a.email.localeCompare(b.email));
}

/** `2026-12-07 14:00 UTC`. */
export function formatRevocationTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const MAX_LINES = 30;

export function renderPolicyReviewMarkdown(review: PolicyReview): string {
  const out: string[] = [];
  if (review.problem) {
    out.push(
      '> [!WARNING]',
      `> The last approved policies cannot be established, so after the merge rolecall will refuse to apply this: ${escapeText(review.problem)}`,
      '',
    );
  }
  if (review.changes.length > 0) {
    const against = review.base
      ? ` Compared with the last approved policies (${code(review.base.slice(0, 7))}).`
      : '';
    out.push(
      '#### Policy changes that need approval',
      '',
      `These change who gets access or how access is approved, even where FreshBooks does not change today, so the approval rules apply to them.${against}`,
      '',
    );
    let lines = 0;
    for (const business of review.changes) {
      const file = business.fileAfter ?? business.fileBefore;
      out.push(
        `**${inertText(business.name ?? `business ${business.businessId}`)}** (${business.businessId})${file ? ` — ${code(file)}` : ''}`,
        '',
      );
      for (const change of business.changes) {
        if (lines >= MAX_LINES) break;
        out.push(`- ${factMarkdown(change)}`);
        lines++;
      }
      out.push('');
    }
    const total = review.changes.reduce((n, b) => n + b.changes.length, 0);
    if (total > lines) out.push(`…and ${total - lines} more policy changes.`, '');
  } else if (review.touchedPolicies) {
    out.push(
      '#### Policy changes',
      '',
      'Only comments or layout changed in the policies: no fact that grants access or governs approval changed, so this part needs no approval.',
      '',
    );
  }
  if (review.scheduled.length > 0) {
    out.push(
      '#### Scheduled revocations',
      '',
      'Once merged, the policy takes this access away later, by expiry (`rolecall expire`), without another pull request:',
      '',
    );
    for (const item of review.scheduled.slice(0, MAX_LINES)) {
      out.push(
        `- ${code(item.email)} — ${inertText(item.role)} — will be revoked ${formatRevocationTime(item.expires)} by expiry`,
      );
    }
    if (review.scheduled.length > MAX_LINES)
      out.push(`- …and ${review.scheduled.length - MAX_LINES} more`);
    out.push('');
  }
  return out.join('\n');
}

export function renderPolicyReviewText(review: PolicyReview): string {
  const out: string[] = [];
  if (review.changes.length > 0) {
    out.push(
      `Policy changes that need approval${review.base ? ` (against ${review.base.slice(0, 7)}, the last approved policies)` : ''}:`,
    );
    for (const business of review.changes) {
      out.push(`  ${business.name ?? `business ${business.businessId}`} (${business.businessId}):`);
      for (const change of business.changes) out.push(`    ${factText(change)}`);
    }
    out.push('');
  }
  if (review.scheduled.length > 0) {
    out.push('Scheduled revocations (by expiry, once merged):');
    for (const item of review.scheduled) {
      out.push(
        `  ${item.email} — ${item.role} — will be revoked ${formatRevocationTime(item.expires)} by expiry`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

function factText(change: PolicyFactChange): string {
  if (change.path === 'business') return 'after' in change ? 'policy added' : 'policy removed';
  return `${change.path}: ${side(change, 'before')} → ${side(change, 'after')}`;
}

function factMarkdown(change: PolicyFactChange): string {
  if (change.path === 'business') return 'after' in change ? 'policy added' : 'policy removed';
  return `${code(change.path)}: ${code(side(change, 'before'))} → ${code(side(change, 'after'))}`;
}

function side(change: PolicyFactChange, which: 'before' | 'after'): string {
  if (!(which in change)) return '(none)';
  const text = canonicalJson(change[which]);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
