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

export class NetworkError extends Error {
  readonly kind: NetworkFailureKind;
  constructor(kind: NetworkFailureKind, message: string) {
    super(message);
    this.name = 'NetworkError';
    this.kind = kind;
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
        // Messages of network errors carry no request data (no headers, no body), only codes.
        if (timedOut) throw new NetworkError('timeout', `no answer within ${options.timeoutMs} ms`);
        const kind = classifyNetworkError(error);
        const code = codesOf(error)[0];
        throw new NetworkError(kind, describe(kind, code));
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => agent.close(),
  };
}

function describe(kind: NetworkFailureKind, code: string | undefined): string {
  const suffix = code === undefined ? '' : ` (${code})`;
  switch (kind) {
    case 'refused':
      return `could not connect${suffix}`;
    case 'reset':
      return `connection reset${suffix}`;
    case 'timeout':
      return `timed out${suffix}`;
    default:
      return `network error${suffix}`;
  }
}
