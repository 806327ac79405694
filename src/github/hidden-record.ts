/**
 * Hidden, machine-readable records in comment, issue and pull-request bodies:
 *
 *   <!-- rolecall:KIND:SCOPE z1.BASE64 -->
 *
 * KIND says what the body is (`plan`, `apply`, `drift`, `cleanup`, `review`), SCOPE which one
 * (`pr`, a business id, …); together they are the marker rolecall finds its own bodies by. The
 * payload is JSON, deflated and base64-encoded (standard alphabet: no `-`, so it can never end
 * the HTML comment early). GitHub renders none of it.
 *
 * A record is only trusted together with who wrote the body (see sticky-comment.ts): anyone
 * can paste a marker into their own comment.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const NAME = /^[A-Za-z0-9._-]+$/;
const PAYLOAD_PREFIX = 'z1.';

/** The text that identifies a body of this kind and scope (a prefix of the record line). */
export function markerOf(kind: string, scope: string): string {
  if (!NAME.test(kind) || !NAME.test(scope)) {
    throw new TypeError(`marker kind and scope must match ${NAME}: ${kind}:${scope}`);
  }
  return `<!-- rolecall:${kind}:${scope} `;
}

/** The full record line: marker, encoded payload, end of comment. */
export function hiddenRecord(kind: string, scope: string, data: unknown): string {
  const payload = deflateRawSync(Buffer.from(JSON.stringify(data ?? null), 'utf8'), {
    level: 9,
  }).toString('base64');
  return `${markerOf(kind, scope)}${PAYLOAD_PREFIX}${payload} -->`;
}

/** True when the body carries a marker of this kind and scope. */
export function hasMarker(body: string | null | undefined, kind: string, scope: string): boolean {
  return typeof body === 'string' && body.includes(markerOf(kind, scope));
}

/**
 * The payload of the first record of this kind and scope in the body, or `undefined` when there
 * is none or it does not decode (a hand-edited body): callers treat both as "no record".
 */
export function readHiddenRecord(
  body: string | null | undefined,
  kind: string,
  scope: string,
): unknown {
  if (typeof body !== 'string') return undefined;
  const marker = markerOf(kind, scope);
  const start = body.indexOf(marker);
  if (start < 0) return undefined;
  const end = body.indexOf(' -->', start + marker.length);
  if (end < 0) return undefined;
  const encoded = body.slice(start + marker.length, end);
  if (!encoded.startsWith(PAYLOAD_PREFIX)) return undefined;
  const payload = encoded.slice(PAYLOAD_PREFIX.length);
  // Buffer.from skips characters outside the alphabet; an edited payload must not half-decode.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) return undefined;
  try {
    const json = inflateRawSync(Buffer.from(payload, 'base64'), {
      maxOutputLength: 16 * 1024 * 1024,
    }).toString('utf8');
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/** A body with every rolecall record line removed (to compare or display the visible part). */
export function withoutHiddenRecords(body: string): string {
  return body.replace(/<!-- rolecall:[A-Za-z0-9._-]+:[A-Za-z0-9._-]+ [^\n]*? -->\n?/g, '');
}
