/**
 * Typed errors with a stable `code`, and the exit codes. The CLI prints `message` (never a
 * stack) for any `RolecallError` and exits with `exitCode`; anything else is an internal error.
 */

/**
 * Every command's exit code (Terraform's `-detailed-exitcode` habit): `OK` done or nothing to do,
 * `ERROR` refused or failed (nothing written for what was refused), `CHANGES` a plan or drift
 * report that has changes, `MANUAL` partly done (manual tasks or failures: run again),
 * `INTERRUPTED`/`TERMINATED` stopped by SIGINT/SIGTERM (128 + the signal number, the shell's
 * convention).
 */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  CHANGES: 2,
  MANUAL: 3,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The more serious of two exit codes of one run: MANUAL over ERROR over the rest. */
export function worstExit(a: number, b: number): number {
  const rank = (code: number) => (code === EXIT.MANUAL ? 2 : code === EXIT.ERROR ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

/**
 * The closed set of error codes. Callers match these, never message text; a new failure gets a
 * new member here (the compiler then shows every place that should handle it).
 */
export type ErrorCode =
  | 'APPLY_INTERRUPTED'
  | 'APPLY_LOCKED'
  | 'BAD_API_URL'
  | 'BAD_AUTH_URL'
  | 'BAD_UUID'
  | 'BUSINESS_UNREACHABLE'
  | 'CLEANUP_BRANCH_FOREIGN'
  | 'CLEANUP_BRANCH_MOVED'
  | 'CLEANUP_INVALID'
  | 'CREDENTIALS_CORRUPT'
  | 'CREDENTIALS_LOCKED'
  | 'CREDENTIALS_PERMISSIONS'
  | 'EMULATOR_CONFIG'
  | 'EMULATOR_CONTROL'
  | 'EMULATOR_LISTEN'
  | 'EMULATOR_SEED'
  | 'FAULT_SPEC'
  | 'FRESHBOOKS_API'
  | 'FRESHBOOKS_BAD_RESPONSE'
  | 'FRESHBOOKS_RATE_LIMITED'
  | 'FRESHBOOKS_SCOPE_MISSING'
  | 'FRESHBOOKS_UNREACHABLE'
  | 'GITHUB_API'
  | 'GITHUB_CONTEXT'
  | 'GITHUB_TOKEN_MISSING'
  | 'GIT_BRANCH_CHECKED_OUT'
  | 'GIT_BRANCH_EXISTS'
  | 'GIT_COMMIT_FAILED'
  | 'GIT_COMMIT_MISSING'
  | 'GIT_FAILED'
  | 'GIT_INVALID_BRANCH'
  | 'GIT_INVALID_MESSAGE'
  | 'GIT_INVALID_PATH'
  | 'GIT_INVALID_REMOTE'
  | 'GIT_NOT_A_REPOSITORY'
  | 'GIT_NO_CHANGES'
  | 'GIT_NO_DIRECTORY'
  | 'GIT_NO_IDENTITY'
  | 'GIT_NO_MERGE_BASE'
  | 'GIT_PUSH_FAILED'
  | 'GIT_PUSH_REFUSED'
  | 'GIT_UNKNOWN_BRANCH'
  | 'GIT_UNKNOWN_REVISION'
  | 'IMPORT_EXISTS'
  | 'INIT_NOTHING_TO_IMPORT'
  | 'IMPORT_INVALID'
  | 'IMPORT_NO_BUSINESS'
  | 'INVALID_CLIENT'
  | 'INVALID_DUE_DATE'
  | 'INVALID_GRANT'
  | 'JOURNAL_UNREADABLE'
  | 'LIVE_INCOMPLETE'
  | 'LIVE_STATE_INVALID'
  | 'LIVE_STATE_TAMPERED'
  | 'LIVE_STATE_UNREADABLE'
  | 'NOT_A_REVIEW_ISSUE'
  | 'NO_CREDENTIALS'
  | 'NO_GITHUB_REPOSITORY'
  | 'NO_MERGED_PULL_REQUEST'
  | 'NO_POLICIES'
  | 'NO_REMOTE'
  | 'PLAN_DIGEST'
  | 'PLAN_NOT_A_PLAN'
  | 'PLAN_NOT_JSON'
  | 'PLAN_SCHEMA'
  | 'PLAN_SCOPE'
  | 'PLAN_UNREADABLE'
  | 'PLAN_VERSION'
  | 'POLICY_EDIT'
  | 'POLICY_INVALID'
  | 'POLICY_NOT_COMMITTED'
  | 'REQUEST_BRANCH_FOREIGN'
  | 'REQUEST_NOT_A_FORM'
  | 'REQUEST_PR_FAILED'
  | 'REQUEST_REFUSED'
  | 'REVIEW_NOT_DUE'
  | 'REVIEW_TOO_LARGE'
  | 'SECRETS_TOKEN_MISSING'
  | 'SECRET_WRITE_REFUSED'
  | 'SEVERAL_MERGED_PULL_REQUESTS'
  | 'TOKEN_NOT_REVOKED'
  | 'TOKEN_NOT_SAVED'
  | 'TOKEN_STORE_UNAVAILABLE'
  | 'UNKNOWN_BUSINESS'
  | 'USAGE'
  | 'WRITE_FAILED';

export class RolecallError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, options?: { exitCode?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RolecallError';
    this.code = code;
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** Wrong command-line usage. */
export class UsageError extends RolecallError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** A FreshBooks API call failed. Message and fields never contain a secret. */
export class FreshBooksApiError extends RolecallError {
  readonly status: number | null;
  readonly errno: number | null;
  readonly apiCode: string | null;
  readonly requestId: string | null;
  /** `METHOD /path` with ids but no query secrets. */
  readonly route: string;
  /** The write may have happened (timeout, reset, 5xx): re-read before retrying. */
  readonly outcomeUnknown: boolean;
  constructor(
    message: string,
    fields: {
      status: number | null;
      errno?: number | null;
      apiCode?: string | null;
      requestId?: string | null;
      route: string;
      outcomeUnknown?: boolean;
      cause?: unknown;
    },
  ) {
    super('FRESHBOOKS_API', message, { cause: fields.cause });
    this.name = 'FreshBooksApiError';
    this.status = fields.status;
    this.errno = fields.errno ?? null;
    this.apiCode = fields.apiCode ?? null;
    this.requestId = fields.requestId ?? null;
    this.route = fields.route;
    this.outcomeUnknown = fields.outcomeUnknown ?? false;
  }
}

/** A write FreshBooks does not offer to this app: becomes a manual task, not a failure. */
export function isManualFallback(error: unknown): boolean {
  return (
    error instanceof FreshBooksApiError &&
    (error.status === 404 || error.status === 405 || (error.status === 403 && error.errno === 1003))
  );
}
