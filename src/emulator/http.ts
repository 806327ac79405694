/**
 * Small HTTP helpers: read a bounded body, parse JSON or form bodies, decode HTTP Basic, and
 * write a `Reply`. Handlers return a `Reply` instead of writing to the socket so that a fault
 * can replace the answer after the handler ran (a write that took effect, answered with a 500).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  /** JSON body; absent for 204. */
  json?: unknown;
  /** Non-JSON body (a gateway's HTML error page). */
  text?: string;
  headers?: Record<string, string>;
  /** For writes: whether the state changed (the request log records it). */
  applied?: boolean;
}

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(`request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false };

/** JSON when the content type says so or the text looks like it; otherwise a form. */
export function parseBody(
  raw: string,
  contentType: string | undefined,
  allowForm: boolean,
): ParsedBody {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.trim() === '') return { ok: true, value: undefined };
  const looksJson = /^\s*[[{]/.test(raw);
  if (
    type === 'application/json' ||
    type.endsWith('+json') ||
    !allowForm ||
    (type === '' && looksJson)
  ) {
    try {
      return { ok: true, value: JSON.parse(raw) as unknown };
    } catch {
      return { ok: false };
    }
  }
  return { ok: true, value: Object.fromEntries(new URLSearchParams(raw)) };
}

/** `Authorization: Basic …` → client credentials (RFC 6749 §2.3.1: form-encoded, then base64). */
export function basicCredentials(
  header: string | undefined,
): { id: string; secret: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const unform = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, json: body, headers } : { status, json: body };
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.text !== undefined) {
    res.setHeader('content-type', 'text/html');
    res.writeHead(reply.status).end(reply.text);
  } else if (reply.json !== undefined) {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.writeHead(reply.status).end(JSON.stringify(reply.json));
  } else {
    res.writeHead(reply.status).end();
  }
}
