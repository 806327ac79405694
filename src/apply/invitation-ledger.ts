import type { CapacityEncoding } from '../ports.js';
import type { Change } from '../types.js';
import type { InvitationRecord, JournalRecord, OutcomeRecord } from './records.js';

/**
 * How long an invitation is taken to stay valid: within it, a pending invitation FreshBooks
 * does not list is never sent again without `--resend-invitations`. FreshBooks publishes no
 * expiry; the contract's only pending sample (`team-members-list.response.json`) was still
 * pending and listed 36 days after it was created, so 30 days stays inside a life FreshBooks
 * is known to give an invitation. After it, the invitation is sent again, and the report says so.
 */
export const INVITATION_VALID_DAYS = 30;
const DAY_MS = 86_400_000;

/** An invitation FreshBooks received, or may have received. */
export interface SentInvitation {
  businessId: number;
  email: string;
  /** The policy role it invited as. */
  role: string;
  /** ISO instant. */
  at: string;
  runId: string;
  /** FreshBooks answered 2xx; false: the answer was lost (or the run died after the intent). */
  answered: boolean;
}

/** Whether to send an invitation now, and what to say about it. */
export type InviteDecision =
  { send: true; note?: string } | { send: false; detail: string; earlier: SentInvitation };

/**
 * The applier's memory of invitations, over the journals of every plan (and, in CI, what the
 * pull request's apply comment remembers). Three questions:
 *
 * - was an invitation already sent to this person, and when (invitation records; a grant's
 *   intent with nothing after it counts as "may have been sent": the run died with it);
 * - which `capacity` encoding FreshBooks took last (the next invitation starts with it);
 * - does this FreshBooks list pending invitations at all (evidence: a pending member in a
 *   listing, or an invitation of rolecall's read back as pending). Without that evidence an
 *   unlisted invitation may well be pending, and a second one would be a second e-mail.
 */
export class InvitationLedger {
  private readonly sent = new Map<string, SentInvitation>();
  private encoding: CapacityEncoding | null = null;
  private evidence: string | null = null;

  static fromJournals(
    records: readonly JournalRecord[],
    earlier: readonly SentInvitation[] = [],
  ): InvitationLedger {
    const ledger = new InvitationLedger();
    for (const invitation of earlier) ledger.remember(invitation);
    const ordered = [...records].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    /** The last intent or outcome of each grant, to find intents a dead run left behind. */
    const last = new Map<string, JournalRecord>();
    for (const record of ordered) {
      if (typeof record !== 'object' || record === null) continue;
      if (record.type === 'invitation' && wellFormed(record)) {
        ledger.remember(fromRecord(record));
        if (record.answered) ledger.encoding = record.encoding;
      } else if (record.type === 'intent' && record.action === 'grant') {
        last.set(record.op, record);
      } else if (record.type === 'outcome' && record.action === 'grant') {
        last.set(record.op, record);
        ledger.noteEvidenceFrom(record);
      }
    }
    for (const record of last.values()) {
      if (record.type !== 'intent') continue;
      const known = ledger.lastSent(record.businessId, record.email);
      if (known && known.at >= record.at) continue;
      ledger.remember({
        businessId: record.businessId,
        email: record.email,
        role: '',
        at: record.at,
        runId: record.runId,
        answered: false,
      });
    }
    return ledger;
  }

  /** The latest invitation to this person in this business, if any. */
  lastSent(businessId: number, email: string): SentInvitation | undefined {
    return this.sent.get(key(businessId, email));
  }

  remember(invitation: SentInvitation): void {
    const known = this.sent.get(key(invitation.businessId, invitation.email));
    if (!known || known.at <= invitation.at)
      this.sent.set(key(invitation.businessId, invitation.email), invitation);
  }

  /** Every invitation remembered (for the CI apply comment), oldest first. */
  all(): SentInvitation[] {
    return [...this.sent.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /** The encoding to send first: the last one FreshBooks took, else the published sample's. */
  preferredEncoding(): CapacityEncoding {
    return this.encoding ?? 'short';
  }

  learnEncoding(encoding: CapacityEncoding): void {
    this.encoding = encoding;
  }

  /** FreshBooks showed a pending invitation: it does list them. The first reason is kept. */
  noteListed(reason: string): void {
    this.evidence ??= reason;
  }

  listsPendingInvitations(): string | null {
    return this.evidence;
  }

  /**
   * Before an invitation is sent: always when none was sent before; again when asked to
   * (`resend`), when the earlier one is past its validity window, or when FreshBooks is known
   * to list pending invitations (so the earlier one, not listed, never took effect); otherwise
   * not — the earlier one may be pending and merely unlisted.
   */
  decide(change: Pick<Change, 'businessId' | 'email'>, now: Date, resend: boolean): InviteDecision {
    const earlier = this.lastSent(change.businessId, change.email);
    if (!earlier) return { send: true };
    const when = `${minute(earlier.at)}, run ${earlier.runId}`;
    const what = earlier.answered
      ? `the invitation sent ${when}`
      : `the invitation that may have been sent ${when} (its answer was lost)`;
    if (resend) return { send: true, note: `re-sent (--resend-invitations); ${what}` };
    const validUntil = Date.parse(earlier.at) + INVITATION_VALID_DAYS * DAY_MS;
    if (!(now.getTime() < validUntil)) {
      return {
        send: true,
        note: `re-sent: ${what} is older than ${INVITATION_VALID_DAYS} days and was never accepted`,
      };
    }
    const evidence = this.listsPendingInvitations();
    if (evidence !== null) {
      return {
        send: true,
        note: `sent again: FreshBooks lists pending invitations (${evidence}) but not ${what}, so it did not take effect`,
      };
    }
    return {
      send: false,
      earlier,
      detail: `not sent again: FreshBooks lists no team member ${change.email}, but ${what} may be pending — FreshBooks may not list pending invitations. It is taken as valid until ${minute(new Date(validUntil).toISOString())}; \`--resend-invitations\` sends it now`,
    };
  }

  private noteEvidenceFrom(record: OutcomeRecord): void {
    if (record.outcome === 'applied' && record.shows?.state === 'invited') {
      this.noteListed(`${record.email} was read back as pending ${minute(record.at)}`);
    }
  }
}

function key(businessId: number, email: string): string {
  return `${businessId}/${email}`;
}

function fromRecord(record: InvitationRecord): SentInvitation {
  return {
    businessId: record.businessId,
    email: record.email,
    role: record.role,
    at: record.at,
    runId: record.runId,
    answered: record.answered,
  };
}

/** A journal is a file on disk: a hand-edited record is skipped, never fatal. */
function wellFormed(record: InvitationRecord): boolean {
  return (
    typeof record.businessId === 'number' &&
    typeof record.email === 'string' &&
    typeof record.at === 'string' &&
    typeof record.runId === 'string' &&
    typeof record.answered === 'boolean' &&
    (record.encoding === 'short' || record.encoding === 'api')
  );
}

/** `2026-12-07 09:12 UTC` */
function minute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
