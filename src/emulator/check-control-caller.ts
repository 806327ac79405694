/**
 * Who may use the control routes. They hand out the client secret and refresh tokens and replace
 * the whole state, so only programs on this machine may call them. The socket address alone is
 * not enough: a browser on this machine connects from 127.0.0.1 too. A web page makes it send
 * requests two ways, and each leaves a mark these checks refuse:
 *
 * - cross-origin (fetch, `<form>`): the request carries the page's `Origin`;
 * - DNS rebinding (evil.example re-pointed at 127.0.0.1, so the page is "same-origin"): the
 *   request carries `Host: evil.example`.
 *
 * And a `<form>` posts `text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data`
 * without a CORS preflight; a body must therefore be `application/json`, which a page can only
 * send after a preflight that the emulator never answers with CORS headers.
 */
import type { IncomingMessage } from 'node:http';
import { json, type Reply } from './http.js';
import { authError } from './wire.js';

/** Host names that can only mean this machine; any port (the emulator may sit behind a forward). */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `name`, `name:port`, `[v6]` or `[v6]:port` → the lower-case name (brackets kept), or null. */
export function hostName(host: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[^[\]:]+)(?::\d{1,5})?$/i.exec(host.trim());
  return match?.[1]?.toLowerCase() ?? null;
}

export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = hostName(host);
  return name !== null && LOOPBACK_NAMES.has(name);
}

/** `http(s)://` + a loopback name (+ port), nothing else; `null` (sandboxed pages, files) is not. */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return LOOPBACK_NAMES.has(url.hostname.toLowerCase());
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonMediaType(contentType: string): boolean {
  return contentType.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

/** Refuses a caller that is not a program on this machine (403); null when it may go on. */
export function refuseForeignCaller(req: IncomingMessage): Reply | null {
  const host = req.headers.host;
  if (!isLoopbackHost(host)) {
    return json(
      403,
      authError(
        'forbidden',
        `The control routes answer only requests for a loopback Host (127.0.0.1, localhost or [::1]), not ${JSON.stringify(host ?? '')}.`,
      ),
    );
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !isLoopbackOrigin(origin)) {
    return json(
      403,
      authError(
        'forbidden',
        `The control routes do not answer web pages: Origin ${JSON.stringify(origin)} is not a loopback origin.`,
      ),
    );
  }
  return null;
}

/**
 * Refuses (415) a request whose body, or declared body, is not JSON. A request with no body and
 * no Content-Type (`curl -X DELETE`, accepting an invitation) passes: a form always declares one.
 */
export function refuseNonJsonBody(req: IncomingMessage, raw: string): Reply | null {
  const type = req.headers['content-type'];
  if (type === undefined ? raw === '' : isJsonMediaType(type)) return null;
  return json(
    415,
    authError(
      'unsupported_media_type',
      `The control routes take bodies as Content-Type: application/json only, not ${JSON.stringify(type ?? '(none)')}.`,
    ),
  );
}
