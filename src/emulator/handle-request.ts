/**
 * The request pipeline for FreshBooks routes, in order:
 *
 *   read body → latency → fault draw → rate limit → fault *before* (the request has no effect)
 *   → route (404 if unknown or switched off) → authenticate → handler (an `ack` fault on a
 *   write: run, answered, then undone) → fault *after* (the request took effect; the answer
 *   is lost or late) → answer + log.
 *
 * The fault draw comes before the rate limit so that the fault sequence depends only on the
 * seed and the order of requests, not on timing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EmulatorClosedError, type EmulatorContext } from './context.js';
import type { FaultKind } from './faults.js';
import {
  BodyTooLargeError,
  bearerToken,
  json,
  parseBody,
  readBody,
  send,
  type Reply,
} from './http.js';
import { namedClientId } from './oauth.js';
import type { RequestLogEntry } from './request-log.js';
import { matchRoute, type RouteMatch } from './router.js';
import {
  ROUTE_NOT_FOUND,
  SERVER_ERROR,
  UNAUTHENTICATED,
  authError,
  gatewayPage,
  rateLimited,
} from './wire.js';

type Outcome = Reply | 'reset';

function faultReply(fault: FaultKind): Outcome | null {
  switch (fault) {
    case '429':
      return json(429, rateLimited(1), { 'retry-after': '1' });
    case '500':
    case '500-after':
      return json(500, SERVER_ERROR);
    case '502':
    case '502-after':
      return { status: 502, text: gatewayPage(502) };
    case '503':
    case '503-after':
      return { status: 503, text: gatewayPage(503) };
    case 'reset':
    case 'reset-after':
      return 'reset';
    default:
      return null; // slow, expire, ack: handled by the pipeline
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Runs one request to its outcome; fills `entry` (client, fault, body, applied) as it goes. */
async function runPipeline(
  ctx: EmulatorContext,
  req: IncomingMessage,
  match: RouteMatch | null,
  url: URL,
  raw: string,
  entry: RequestLogEntry,
): Promise<Outcome> {
  const route = match?.route;
  const isOAuth = route?.kind === 'oauth';
  const isWrite = route?.kind === 'api' && route.write !== undefined;
  const contentType = req.headers['content-type'];
  const parsed = parseBody(raw, contentType, isOAuth);
  const bearer = bearerToken(req.headers.authorization);
  const oauthRequest = {
    body: asObject(parsed.ok ? parsed.value : undefined),
    authorization: req.headers.authorization,
  };
  entry.clientId = isOAuth
    ? namedClientId(oauthRequest)
    : bearer
      ? (ctx.tokens.peek(bearer)?.clientId ?? null)
      : null;
  if (isOAuth && typeof oauthRequest.body['grant_type'] === 'string') {
    entry.body = { grant_type: oauthRequest.body['grant_type'] };
  }
  if (isWrite) {
    if (parsed.ok && parsed.value !== undefined) entry.body = parsed.value;
    entry.applied = false;
  }

  const config = ctx.config;
  const drawn = ctx.faults.draw(isOAuth ? config.faultTokenEndpoint : true);
  const limit = ctx.limiter.take(entry.clientId ?? 'anonymous', ctx.now().getTime());
  if (!limit.ok) {
    const seconds = String(limit.retryAfterSeconds);
    return json(429, rateLimited(limit.retryAfterSeconds), { 'retry-after': seconds });
  }
  let fault =
    ctx.faults.takeQueued(entry.route, isOAuth ? config.faultTokenEndpoint : true) ?? drawn;
  if (fault === 'expire' && isOAuth) fault = null; // no access token to expire
  // Only a write can be acknowledged without effect; a read answers as it should.
  if (fault === 'ack' && !isWrite) fault = null;
  if (fault && fault !== 'ack') entry.fault = fault;
  if (fault === 'expire') {
    if (bearer) ctx.tokens.killAccessToken(bearer);
    return json(401, UNAUTHENTICATED);
  }
  const after = fault === 'slow' || (fault?.endsWith('-after') ?? false);
  if (fault && fault !== 'ack' && !after) return faultReply(fault) ?? json(500, SERVER_ERROR);

  let reply: Reply;
  if (!match || !route) {
    reply = json(404, ROUTE_NOT_FOUND);
  } else if (route.kind === 'api' && route.write && config.disabledWrites.includes(route.write)) {
    reply = json(404, ROUTE_NOT_FOUND);
  } else if (route.kind === 'oauth') {
    reply = route.handle(ctx, oauthRequest);
  } else {
    const caller = bearer
      ? ctx.tokens.authenticate(bearer, ctx.now(), config.accessTokenMaxRequests)
      : null;
    if (!caller) {
      reply = json(401, UNAUTHENTICATED);
    } else if (!parsed.ok) {
      reply = json(400, authError('invalid_request', 'The request body is not valid JSON.'));
    } else {
      const request = { params: match.params, query: url.searchParams, body: parsed.value, caller };
      if (fault === 'ack') {
        reply = withoutEffect(ctx, () => route.handle(ctx, request));
        // The fault is what the caller cannot see: a success that changed nothing.
        if (reply.status >= 200 && reply.status < 300) entry.fault = 'ack';
        entry.applied = false;
      } else {
        reply = route.handle(ctx, request);
        if (isWrite) entry.applied = reply.applied ?? false;
      }
    }
  }

  if (fault === 'slow') {
    await ctx.sleep(config.slowMs);
    return reply;
  }
  return fault ? (faultReply(fault) ?? reply) : reply;
}

/**
 * The `ack` fault: the handler runs (so the answer is exactly the one a success gives, ids
 * and all) and then every team is put back as it was, so nothing took effect.
 */
function withoutEffect(ctx: EmulatorContext, run: () => Reply): Reply {
  const saved = [...ctx.state.businesses.values()].map(
    (business) => [business, structuredClone(business.members)] as const,
  );
  try {
    return run();
  } finally {
    for (const [business, members] of saved) business.members.splice(0, Infinity, ...members);
  }
}

function resetConnection(req: IncomingMessage): void {
  const socket = req.socket as IncomingMessage['socket'] & { resetAndDestroy?: () => void };
  // A TCP RST where the platform allows it (ECONNRESET on the client), else a plain close.
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** Serves one FreshBooks-route request (everything outside `/_emulator/`). */
export async function handleApiRequest(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const match = matchRoute(method, url.pathname);
  const entry: RequestLogEntry = {
    seq: ctx.nextSeq(),
    method,
    path: url.pathname + url.search,
    route: match?.route.name ?? 'unmatched',
    status: 0,
    clientId: null,
    requestId,
  };
  let outcome: Outcome;
  try {
    const raw = await readBody(req);
    await ctx.sleep(ctx.latencyMs());
    outcome = await runPipeline(ctx, req, match, url, raw, entry);
  } catch (error) {
    if (error instanceof EmulatorClosedError) return; // shutting down: answer nothing
    if (error instanceof BodyTooLargeError) {
      outcome = json(413, authError('invalid_request', error.message), { connection: 'close' });
    } else if (req.destroyed) {
      return; // the client went away while we read its body
    } else {
      throw error;
    }
  }
  if (outcome === 'reset') {
    resetConnection(req);
  } else {
    entry.status = outcome.status;
    send(res, outcome);
  }
  ctx.log.record(entry);
  ctx.onRequest?.(entry);
}
