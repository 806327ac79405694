import { Agent, request } from 'undici';

/**
 * The one place rolecall touches the network for FreshBooks: undici with keep-alive, a
 * per-request timeout covering the whole exchange (headers and body), and network failures
 * sorted into the kinds the retry policy needs.
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

/**
 * `refused`: the request certainly never reached the server (connection refused, DNS, connect
 * timeout): safe to retry even a write. `reset` and `timeout`: it may have been processed.
 */
export type NetworkFailureKind = 'refused' | 'reset' | 'timeout' | 'other';

/** Where a failed request went and what happened, in words for a person. */
export interface NetworkFailureDetails {
  /** The host (and port, when not the default) of the URL: `api.freshbooks.com`. */
  host: string;
  /** The address the connection went to, when it is not the host itself: `52.1.2.3:443`. */
  address: string | null;
  /** `connection refused`, `host not found`, `timed out after 30000 ms`, … */
  reason: string;
}

export class NetworkError extends Error {
  readonly kind: NetworkFailureKind;
  /** `null` only when built without details (tests of the retry rules). */
  readonly details: NetworkFailureDetails | null;
  constructor(kind: NetworkFailureKind, message: string, details?: NetworkFailureDetails) {
    super(message);
    this.name = 'NetworkError';
    this.kind = kind;
    this.details = details ?? null;
  }
  /** The host asked, with the address tried when it differs: `api.freshbooks.com (52.1.2.3:443)`. */
  get where(): string {
    return this.details ? whereOf(this.details) : 'FreshBooks';
  }
  /** What happened, short: `connection refused`. */
  get reason(): string {
    return this.details?.reason ?? this.message;
  }
  /** True when the server cannot have seen the request. */
  get certainlyNotSent(): boolean {
    return this.kind === 'refused';
  }
}

export interface HttpTransport {
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function whereOf({ host, address }: NetworkFailureDetails): string {
  return address === null || address === host ? host : `${host} (${address})`;
}

/** Each failure code a person can act on, in words. */
const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
  ECONNABORTED: 'connection aborted',
  ETIMEDOUT: 'timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out',
  UND_ERR_BODY_TIMEOUT: 'timed out',
};

/** The first `address:port` a Node socket error names (an AggregateError: its first try). */
function addressOf(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { address, port } = current as { address?: unknown; port?: unknown };
    if (typeof address === 'string') {
      const host = address.includes(':') ? `[${address}]` : address;
      return typeof port === 'number' ? `${host}:${port}` : host;
    }
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = addressOf(errors[0]);
      if (inner !== null) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) codes.push(...codesOf(inner));
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** Sorts an undici/Node network error. Exported for tests. */
export function classifyNetworkError(error: unknown): NetworkFailureKind {
  const codes = codesOf(error);
  if (codes.some((c) => NOT_SENT_CODES.has(c))) return 'refused';
  if (codes.some((c) => TIMEOUT_CODES.has(c))) return 'timeout';
  if (codes.some((c) => RESET_CODES.has(c))) return 'reset';
  return 'other';
}

export function createHttpTransport(options: {
  timeoutMs: number;
  connections?: number;
}): HttpTransport {
  const agent = new Agent({
    keepAliveTimeout: 10_000,
    connections: options.connections ?? 8,
    connect: { timeout: Math.min(options.timeoutMs, 10_000) },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  return {
    async send(req: HttpRequest): Promise<HttpResponse> {
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, options.timeoutMs);
      try {
        const res = await request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body ?? null,
          dispatcher: agent,
          signal: controller.signal,
        });
        const text = await res.body.text();
        const headers: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        }
        return { status: res.statusCode, headers, text };
      } catch (error) {
        if (timedOut) {
          const details = {
            host: hostOf(req.url),
            address: null,
            reason: `timed out after ${options.timeoutMs} ms`,
          };
          throw new NetworkError('timeout', describe('timeout', details), details);
        }
        throw networkFailure(error, req.url);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => agent.close(),
  };
}

/**
 * The `NetworkError` for a failed request to `url`: its kind, and a message naming the host,
 * the address tried and what happened. It carries no request data (no headers, no body, no
 * query). Exported for tests.
 */
export function networkFailure(error: unknown, url: string): NetworkError {
  const kind = classifyNetworkError(error);
  const code = codesOf(error)[0];
  const reason =
    (code === undefined ? undefined : REASONS[code]) ??
    `network error${code === undefined ? '' : ` (${code})`}`;
  const details = { host: hostOf(url), address: addressOf(error), reason };
  return new NetworkError(kind, describe(kind, details), details);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'FreshBooks';
  }
}

/**
 * The error's message, naming where the request went: `cannot reach api.freshbooks.com
 * (52.1.2.3:443): connection refused — check FRESHBOOKS_API_URL and your network`. Only a
 * connection that never happened points at the configuration; a reset or a timeout means the
 * host was there.
 */
function describe(kind: NetworkFailureKind, details: NetworkFailureDetails): string {
  const where = whereOf(details);
  const { reason } = details;
  switch (kind) {
    case 'refused':
      return `cannot reach ${where}: ${reason} — check FRESHBOOKS_API_URL and your network`;
    case 'reset':
      return `${reason} by ${where}`;
    case 'timeout':
      return `${reason} waiting for ${where}`;
    default:
      return `${reason} talking to ${where}`;
  }
}
