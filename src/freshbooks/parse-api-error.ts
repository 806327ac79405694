import { FreshBooksApiError } from '../errors.js';
import { redact } from '../redact.js';

/** What an error body says, whichever of FreshBooks' error shapes it uses. */
export interface ErrorBodyInfo {
  /** OAuth-style `error` code (`invalid_grant`, `unauthenticated`, …). */
  apiCode: string | null;
  /** Accounting-style `errno` (1003 Permission Denied, 1012 not found, …). */
  errno: number | null;
  /** The human text FreshBooks gave, if any. */
  detail: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asErrno(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

/**
 * Reads the three published error shapes:
 * - OAuth / identity: `{"error": "invalid_grant", "error_description": "…"}`
 * - accounting: `{"response": {"errors": [{"errno": 1003, "message": "…", …}]}}`
 * - gRPC-gateway style: `{"code": 5, "message": "…", "details": [{"reason": "1012", "metadata": {"message": "…"}}]}`
 * Anything else (HTML from a proxy, an empty body) yields nulls, never an exception.
 */
export function parseErrorBody(text: string): ErrorBodyInfo {
  const none: ErrorBodyInfo = { apiCode: null, errno: null, detail: null };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return none;
  }
  if (!isRecord(body)) return none;
  if (typeof body['error'] === 'string') {
    const description = body['error_description'];
    return {
      apiCode: body['error'],
      errno: null,
      detail: typeof description === 'string' ? description : null,
    };
  }
  const response = body['response'];
  if (isRecord(response) && Array.isArray(response['errors'])) {
    const first: unknown = response['errors'][0];
    if (isRecord(first)) {
      const message = first['message'];
      return {
        apiCode: null,
        errno: asErrno(first['errno']),
        detail: typeof message === 'string' ? message : null,
      };
    }
  }
  if (Array.isArray(body['details'])) {
    const first: unknown = body['details'][0];
    if (isRecord(first)) {
      const metadata = first['metadata'];
      const inner = isRecord(metadata) ? metadata['message'] : undefined;
      const outer = body['message'];
      return {
        apiCode: null,
        errno: asErrno(first['reason']),
        detail: typeof inner === 'string' ? inner : typeof outer === 'string' ? outer : null,
      };
    }
  }
  return none;
}

/** Builds the typed error for a non-2xx answer. The message is redacted before it exists. */
export function apiErrorFromResponse(input: {
  route: string;
  status: number;
  body: string;
  requestId: string | null;
  outcomeUnknown?: boolean;
  hint?: string;
}): FreshBooksApiError {
  const info = parseErrorBody(input.body);
  const what = [
    info.apiCode,
    info.errno === null ? null : `errno ${info.errno}`,
    info.detail === null ? null : truncate(info.detail, 300),
  ]
    .filter((part): part is string => part !== null)
    .join(': ');
  const message = [
    `FreshBooks answered ${input.status} to ${input.route}`,
    what === '' ? '' : ` (${what})`,
    input.requestId === null ? '' : ` [request id ${input.requestId}]`,
    input.hint === undefined ? '' : ` — ${input.hint}`,
  ].join('');
  return new FreshBooksApiError(redact(message), {
    status: input.status,
    errno: info.errno,
    apiCode: info.apiCode,
    requestId: input.requestId,
    route: input.route,
    outcomeUnknown: input.outcomeUnknown ?? false,
  });
}

function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
