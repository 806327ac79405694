/**
 * Typed errors with a stable `code`. The CLI prints `message` (never a stack) for any
 * `RolecallError` and exits with `exitCode`; anything else is an internal error.
 */
export class RolecallError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, options?: { exitCode?: number; cause?: unknown }) {
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
