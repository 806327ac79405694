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
  /** The OAuth scopes `users/me` says the token carries, when it says (no sample shows any). */
  scopes?: string[];
}

export interface AccessReader {
  whoami(): Promise<IdentityRecord>;
  /** Every team member of the business (all pages). */
  listTeamMembers(businessId: number): Promise<TeamMemberRecord[]>;
  /** One member, or `null` when FreshBooks does not know the uuid. */
  getTeamMember(businessId: number, uuid: string): Promise<TeamMemberRecord | null>;
  /**
   * The last page of the team's listing: where a new invitation shows up when FreshBooks lists
   * members in the order they were added (the emulator does; FreshBooks does not say). One or
   * two requests, not a consistent listing: a member it shows exists, but one it does not show
   * may still be on another page. Optional: a reader without it is asked for the whole team.
   */
  lastTeamPage?: ((businessId: number) => Promise<TeamMemberRecord[]>) | undefined;
}

export interface WriteReceipt {
  /** FreshBooks request id, when the answer carried one. */
  requestId?: string;
  /** What the answer's body claims; a claim, not a confirmation (read the member back). */
  member?: TeamMemberRecord;
  /** An invitation: the `capacity` FreshBooks took, and whether the other one was refused first. */
  capacity?: { sent: string; encoding: CapacityEncoding; fellBackFrom?: CapacityEncoding };
}

/**
 * How an invitation names its role (`capacity`): `short`, the UI name of FreshBooks' only
 * published sample (`"manager"`), or `api`, the role's API name (`"business_manager"`).
 */
export type CapacityEncoding = 'short' | 'api';

export interface InviteOptions {
  /** The encoding to try first (default `short`); the other is tried only if this one is refused. */
  encoding?: CapacityEncoding;
}

/**
 * FreshBooks writes. Implementations throw `FreshBooksApiError` (see errors.ts); an error with
 * `outcomeUnknown: true` means the write may or may not have happened (timeout, reset, 5xx):
 * the caller re-reads before retrying.
 */
export interface AccessWriter {
  invite(
    businessId: number,
    email: string,
    apiRole: string,
    options?: InviteOptions,
  ): Promise<WriteReceipt>;
  changeRole(businessId: number, uuid: string, apiRole: string): Promise<WriteReceipt>;
  remove(businessId: number, uuid: string): Promise<WriteReceipt>;
}

// ───────────────────────────── credentials ─────────────────────────────

/**
 * The FreshBooks a refresh token belongs to. A token works only at the API and for the OAuth
 * client that issued it: a store must never hand one target's token to another.
 */
export interface TokenTarget {
  /** The API base URL, normalised: scheme, host, port and path, no trailing slash. */
  apiUrl: string;
  clientId: string;
}

export interface StoredCredentials {
  refreshToken: string;
  accessToken?: string;
  /** ISO instant. */
  accessTokenExpiresAt?: string;
  updatedAt: string;
  /**
   * SHA-256 (hex) of the last environment refresh token this entry has seen: the one its chain
   * was seeded from, or one it superseded. An environment token with another hash (and not the
   * stored token itself) is new. Kept only by stores bound to a target.
   */
  envTokenSha256?: string;
  /**
   * Set by `load` for credentials whose target is unknown (a version-1 file, written before the
   * store recorded targets): they may belong to another API or client.
   */
  unclaimed?: true;
}

export interface SaveOptions {
  /** The saved credentials were rotated from the unclaimed ones, which the save then drops. */
  claimUnclaimed?: boolean;
}

/** What a store holds, without a secret. */
export interface TokenStoreInventory {
  targets: TokenTarget[];
  /** A version-1 entry whose target is unknown is still there. */
  unclaimed: boolean;
}

/**
 * Where the single-use refresh token lives. `save` must be durable when it resolves: the new
 * access token is used only after it.
 */
export interface TokenStore {
  /** Human description with no secret in it, e.g. `file .rolecall/credentials.json`. */
  describe(): string;
  load(): Promise<StoredCredentials | null>;
  save(credentials: StoredCredentials, options?: SaveOptions): Promise<void>;
  /**
   * Set by stores that keep one entry per target (the file store): the target they read and
   * write. Such stores also keep `envTokenSha256`.
   */
  readonly target?: TokenTarget;
  /** Drops this target's entry, other targets' stay; false when there was none. */
  forget?(): Promise<boolean>;
  inventory?(): Promise<TokenStoreInventory>;
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
  /**
   * `progress`: a rerun of a plan that earlier runs partly applied — how many of its `total`
   * operations are `done` already, so the question counts only what is left.
   */
  decide(plan: Plan, progress?: { done: number; total: number }): Promise<ApprovalDecision>;
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
