/**
 * The HTTP twin of `EmulatorControl`, under `/_emulator/`. Loopback callers only (socket, `Host`
 * and `Origin`: see check-control-caller.ts); JSON in and out; errors are
 * `{"error", "error_description"}` with 400, 403, 404, 409 or 415.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuseForeignCaller, refuseNonJsonBody } from './check-control-caller.js';
import { EmulatorControlError, type EmulatorControl } from './control.js';
import { BodyTooLargeError, json, readBody, send, type Reply } from './http.js';
import { authError } from './wire.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

type Body = Record<string, unknown>;
type Handler = (control: EmulatorControl, params: string[], body: Body) => Reply;

const ROUTES: Array<[string, RegExp, Handler]> = [
  [
    'GET',
    /^\/_emulator\/?$/,
    () => json(200, { routes: ROUTES.map(([m, p]) => `${m} ${describe(p)}`) }),
  ],
  ['GET', /^\/_emulator\/state$/, (c) => json(200, c.dumpState())],
  [
    'PUT',
    /^\/_emulator\/state$/,
    (c, _p, body) => {
      c.loadState(body);
      return json(200, c.dumpState());
    },
  ],
  [
    'GET',
    /^\/_emulator\/businesses\/(\d+)\/members$/,
    (c, [id]) => json(200, c.members(Number(id))),
  ],
  [
    'POST',
    /^\/_emulator\/businesses\/(\d+)\/members$/,
    (c, [id], b) => json(201, c.addMember(Number(id), b as never)),
  ],
  [
    'PATCH',
    /^\/_emulator\/businesses\/(\d+)\/members\/([^/]+)$/,
    (c, [id, uuid], b) => json(200, c.updateMember(Number(id), uuid ?? '', b)),
  ],
  [
    'POST',
    /^\/_emulator\/businesses\/(\d+)\/members\/([^/]+)\/accept$/,
    (c, [id, uuid]) => json(200, c.acceptInvitation(Number(id), uuid ?? '')),
  ],
  ['GET', /^\/_emulator\/businesses\/(\d+)\/seats$/, (c, [id]) => json(200, c.seats(Number(id)))],
  [
    'PUT',
    /^\/_emulator\/businesses\/(\d+)\/seats$/,
    (c, [id], b) => {
      // `limit` must be said, even to clear it (null): an empty body is a mistake, not "none".
      if (!('limit' in b)) {
        throw new EmulatorControlError(400, 'the body must be {"limit": N} or {"limit": null}');
      }
      return json(200, c.setSeatLimit(Number(id), b['limit']));
    },
  ],
  ['GET', /^\/_emulator\/requests$/, (c) => json(200, c.requests())],
  [
    'DELETE',
    /^\/_emulator\/requests$/,
    (c) => {
      c.resetRequests();
      return { status: 204 };
    },
  ],
  ['GET', /^\/_emulator\/config$/, (c) => json(200, c.config())],
  ['PUT', /^\/_emulator\/config$/, (c, _p, b) => json(200, c.configure(b))],
  [
    'POST',
    /^\/_emulator\/oauth\/codes$/,
    (c, _p, b) => json(201, { code: c.mintCode(b as never) }),
  ],
  [
    'POST',
    /^\/_emulator\/faults$/,
    (c, _p, b) => {
      const list = Array.isArray(b['faults']) ? (b['faults'] as unknown[]) : [b];
      for (const item of list) {
        const entry = (typeof item === 'object' && item !== null ? item : {}) as Body;
        const route = entry['route'];
        if (route !== undefined && typeof route !== 'string') {
          throw new EmulatorControlError(
            400,
            'route must be a string like "POST /auth/api/v1/users/invitation"',
          );
        }
        c.queueFault(entry['fault'] as never, route);
      }
      return json(200, { queued: list.length });
    },
  ],
  [
    'DELETE',
    /^\/_emulator\/faults$/,
    (c) => {
      c.clearQueuedFaults();
      return { status: 204 };
    },
  ],
];

function describe(pattern: RegExp): string {
  return pattern.source
    .replace(/^\^|\$$/g, '')
    .replace(/\\\//g, '/')
    .replace('(\\d+)', '{id}')
    .replace('([^/]+)', '{uuid}')
    .replace('/?', '');
}

export async function handleControlRequest(
  control: EmulatorControl,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  send(res, await controlReply(control, req, url));
}

async function controlReply(
  control: EmulatorControl,
  req: IncomingMessage,
  url: URL,
): Promise<Reply> {
  if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
    return json(403, authError('forbidden', 'The control routes answer loopback callers only.'));
  }
  // Before anything else, the body included: a refused caller learns nothing and changes nothing.
  const foreign = refuseForeignCaller(req);
  if (foreign) return foreign;
  const method = (req.method ?? 'GET').toUpperCase();
  const found = ROUTES.find(([m, pattern]) => m === method && pattern.test(url.pathname));
  if (!found)
    return json(404, authError('not_found', `No control route ${method} ${url.pathname}.`));
  let body: Body = {};
  try {
    const raw = await readBody(req, 64 * 1024 * 1024);
    const notJson = refuseNonJsonBody(req, raw);
    if (notJson) return notJson;
    if (raw.trim() !== '') {
      const value: unknown = JSON.parse(raw);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return json(400, authError('invalid_request', 'The body must be a JSON object.'));
      }
      body = value as Body;
    }
  } catch (error) {
    const message =
      error instanceof BodyTooLargeError ? error.message : 'The body is not valid JSON.';
    return json(400, authError('invalid_request', message));
  }
  const params = (found[1].exec(url.pathname) ?? []).slice(1).map((p) => decodeURIComponent(p));
  try {
    return found[2](control, params, body);
  } catch (error) {
    if (error instanceof EmulatorControlError) {
      const code =
        error.status === 404 ? 'not_found' : error.status === 409 ? 'conflict' : 'invalid_request';
      return json(error.status, authError(code, error.message));
    }
    throw error;
  }
}
