/**
 * The narrow interfaces the core needs from the outside world. The core (sync, plan, apply,
 * drift, review) depends on these; `src/freshbooks/`, `src/github/`, `src/git/` and the
 * stores implement them. Tests implement them with the real emulator or small fakes.
 */
import type { Plan } from './types.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

// ───────────────────────────── FreshBooks ─────────────────────────────

/** A team member as FreshBooks reports it, field names in camelCase, values untouched. */
export interface TeamMemberRecord {
  uuid: string;
  businessId: number;
  email: string;
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  /** `business_role_name`, verbatim. */
  apiRole: string;
  active: boolean;
  identityId: number | null;
  invitationDateAccepted: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface BusinessMembershipRecord {
  businessId: number;
  businessUuid: string | null;
  name: string;
  accountId: string | null;
  /** The token owner's role in that business, verbatim. */
  role: string;
}

export interface IdentityRecord {
  identityId: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  businesses: BusinessMembershipRecord[];
}

export interface AccessReader {
  whoami(): Promise<IdentityRecord>;
  /** Every team member of the business (all pages). */
  listTeamMembers(businessId: number): Promise<TeamMemberRecord[]>;
  /** One member, or `null` when FreshBooks does not know the uuid. */
  getTeamMember(businessId: number, uuid: string): Promise<TeamMemberRecord | null>;
}

export interface WriteReceipt {
  /** FreshBooks request id, when the answer carried one. */
  requestId?: string;
  member?: TeamMemberRecord;
}

/**
 * FreshBooks writes. Implementations throw `FreshBooksApiError` (see errors.ts); an error with
 * `outcomeUnknown: true` means the write may or may not have happened (timeout, reset, 5xx):
 * the caller re-reads before retrying.
 */
export interface AccessWriter {
  invite(businessId: number, email: string, apiRole: string): Promise<WriteReceipt>;
  changeRole(businessId: number, uuid: string, apiRole: string): Promise<WriteReceipt>;
  remove(businessId: number, uuid: string): Promise<WriteReceipt>;
}

// ───────────────────────────── credentials ─────────────────────────────

export interface StoredCredentials {
  refreshToken: string;
  accessToken?: string;
  /** ISO instant. */
  accessTokenExpiresAt?: string;
  updatedAt: string;
}

/**
 * Where the single-use refresh token lives. `save` must be durable when it resolves: the new
 * access token is used only after it.
 */
export interface TokenStore {
  /** Human description with no secret in it, e.g. `file .rolecall/credentials.json`. */
  describe(): string;
  load(): Promise<StoredCredentials | null>;
  save(credentials: StoredCredentials): Promise<void>;
}

// ───────────────────────────── approval ─────────────────────────────

export interface ApprovalDecision {
  approved: boolean;
  /** Why, in one line: "approved at the terminal", "rule admin: 1 of 2 approvals", … */
  reason: string;
  approvers?: string[];
}

/** The last step before the first write: a TTY prompt, `--yes`, or the GitHub gate. */
export interface ApprovalGate {
  decide(plan: Plan): Promise<ApprovalDecision>;
}

/** A stream a flow may print to (stdout, stderr, or a buffer in tests). */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * What a flow may touch of its process. The CLI passes the real process; tests pass buffers, so
 * flows run in-process, fast, with no global state to reset.
 */
export interface Console {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Reads one line from the terminal, for confirmations; absent when stdin is not a TTY. */
  prompt?: (question: string) => Promise<string>;
}
