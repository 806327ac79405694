import type { PolicyRole } from '../roles.js';
import type { Diagnostic, Severity, SourceRef } from '../types.js';
import type { Locator, PathSegment } from './locate.js';
import type { RawPolicy } from './raw-policy.js';

/** A policy file that parsed and passed the schema: the input of the semantic rules. */
export interface PolicyDocument {
  file: string;
  raw: RawPolicy;
  locator: Locator;
  /** Every grant (member entries and teams), in document order. */
  grants: Grant[];
  /** The `rules.maxDuration` checks `checkExpiry` leaves for `checkDurations`. */
  durations: DurationCheck[];
}

/** What `checkBusinesses` reads of a document (rebuilt from what a worker thread sent back). */
export interface BusinessDocument {
  file: string;
  business: number;
  locator: Locator;
}

/** What `checkDuplicates` reads of a document. */
export interface PeopleDocument extends BusinessDocument {
  grants: Grant[];
}

/**
 * A grant whose role has a `rules.maxDuration`: `expires` may lie at most `limitMs` after the
 * grant was made. When it was made comes from `grantTimes` (git blame), which only the loader's
 * own thread can ask, so this check runs after the per-file rules (`checkDurations`).
 */
export interface DurationCheck {
  /** Who, for the message: the member's email or `team "name"`. */
  who: string;
  role: PolicyRole;
  expiresAt: Date;
  limitMs: number;
  /** The position of the `expires` value. */
  where: SourceRef;
}

/** One person named by a grant. `email`/`domain` are set once the address checked out. */
export interface Person {
  rawEmail: string;
  path: PathSegment[];
  email?: string;
  domain?: string;
}

/** A `members[]` entry (one person) or a `teams[]` entry (its people share role and expiry). */
export interface Grant {
  kind: 'member' | 'team';
  path: PathSegment[];
  team?: string;
  role: PolicyRole;
  reason?: string;
  ticket?: string;
  /** The policy text, and the instant once parsed (`undefined` when unparseable). */
  expires?: string;
  expiresAt?: Date;
  people: Person[];
}

export interface CheckOptions {
  now: Date;
  /** When the line holding `expires` was last set (the commit that added or extended it). */
  grantTimes?: (file: string, line: number) => Date | undefined;
}

/** Collects diagnostics; rules only ever append. */
export class Report {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];

  add(severity: Severity, code: string, message: string, source: SourceRef | undefined): void {
    const diagnostic: Diagnostic = source
      ? { severity, code, message, source }
      : { severity, code, message };
    (severity === 'error' ? this.errors : this.warnings).push(diagnostic);
  }

  error(code: string, message: string, source?: SourceRef): void {
    this.add('error', code, message, source);
  }

  warning(code: string, message: string, source?: SourceRef): void {
    this.add('warning', code, message, source);
  }
}

/** Builds the grants of a schema-valid policy, in document order (`teams` and `members` as written). */
export function collectGrants(raw: RawPolicy): Grant[] {
  const grants: Grant[] = [];
  for (const key of Object.keys(raw)) {
    if (key === 'members') {
      (raw.members ?? []).forEach((m, i) => {
        const grant: Grant = {
          kind: 'member',
          path: ['members', i],
          role: m.role,
          people: [{ rawEmail: m.email, path: ['members', i, 'email'] }],
        };
        if (m.reason !== undefined) grant.reason = m.reason;
        if (m.ticket !== undefined) grant.ticket = m.ticket;
        if (m.expires !== undefined) grant.expires = m.expires;
        grants.push(grant);
      });
    } else if (key === 'teams') {
      (raw.teams ?? []).forEach((t, i) => {
        const grant: Grant = {
          kind: 'team',
          path: ['teams', i],
          team: t.name,
          role: t.role,
          people: t.members.map((email, j) => ({
            rawEmail: email,
            path: ['teams', i, 'members', j],
          })),
        };
        if (t.reason !== undefined) grant.reason = t.reason;
        if (t.ticket !== undefined) grant.ticket = t.ticket;
        if (t.expires !== undefined) grant.expires = t.expires;
        grants.push(grant);
      });
    }
  }
  return grants;
}

/** "members[3]" or "team \"bookkeeping\"", for messages. */
export function grantLabel(grant: Grant): string {
  return grant.kind === 'team' ? `team "${grant.team ?? ''}"` : `members[${String(grant.path[1])}]`;
}
