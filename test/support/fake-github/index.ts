/**
 * A fake GitHub REST API on loopback, for tests: the endpoints rolecall calls, backed by the
 * in-memory world in state.ts. Every request is recorded (method, path, query, body, status) so
 * tests assert the exact calls octokit made. A request without an `Authorization` header gets
 * 401, an unknown token 401 "Bad credentials"; what a known token may do is its `powers`.
 *
 *   const gh = await startFakeGitHub();
 *   gh.world.addToken('ghs_actions', 'github-actions[bot]');          // like GITHUB_TOKEN
 *   const repo = gh.world.repo('acme', 'access');
 *   const pr = repo.addPullRequest({ author: 'dev', headSha: 'a'.repeat(40) });
 *   …  createGitHubClient({ env: gh.env('ghs_actions'), retry: false, throttle: false })
 *   await gh.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sodium from 'libsodium-wrappers';
import { checkAnswer, recordViolation, takeViolations, type Violation } from './openapi.js';
import { HttpError, match, type Route } from './router.js';
import { issueRoutes } from './routes-issues.js';
import { miscRoutes } from './routes-misc.js';
import { pullRoutes } from './routes-pulls.js';
import { settingsRoutes } from './routes-settings.js';
import { FakeWorld } from './state.js';

export { FakeWorld, FakeRepo } from './state.js';
export * from './settings.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  /** Route template, e.g. `PATCH /repos/:owner/:repo/issues/comments/:id`. */
  route: string | null;
  /** The JSON the fake answered (to hold it to GitHub's OpenAPI description). */
  response?: unknown;
}

interface Fault {
  method: string;
  path: RegExp;
  status: number;
  remaining: number;
  body?: Record<string, unknown>;
  headers?: () => Record<string, string>;
}

/** GitHub's two rate limits (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api). */
export type RateLimit =
  /** 403, `x-ratelimit-remaining: 0` and `x-ratelimit-reset` `resetSeconds` from now (default 0). */
  | { kind: 'primary'; resetSeconds?: number }
  /** 403 or 429 (default 403) with `retry-after` (default 1 s) and "secondary rate limit". */
  | { kind: 'secondary'; status?: 403 | 429; retryAfter?: number };

interface Hold {
  method: string;
  path: RegExp;
  arrived: () => void;
  released: Promise<void>;
}

export interface FakeGitHub {
  url: string;
  world: FakeWorld;
  requests: RecordedRequest[];
  /** Recorded requests, filtered by method and/or a path pattern; `GET`s excluded with `writes()`. */
  calls(method?: string, path?: RegExp | string): RecordedRequest[];
  writes(): RecordedRequest[];
  clearRequests(): void;
  /** The next `times` matching requests answer `status` (and are recorded). */
  failNext(method: string, path: RegExp, status: number, times?: number): void;
  /** The next `times` matching requests hit a rate limit, as GitHub answers it. */
  rateLimitNext(method: string, path: RegExp, limit: RateLimit, times?: number): void;
  /**
   * The answers so far that GitHub's OpenAPI description does not allow, taken out of the list
   * the file's teardown checks (for a test that provokes one on purpose).
   */
  takeViolations(): Violation[];
  /** Holds the next matching request until `release()`; `arrived` resolves when it comes in. */
  hold(method: string, path: RegExp): { arrived: Promise<void>; release: () => void };
  /**
   * Environment for `createGitHubClient` and the `--github` commands: `GITHUB_API_URL`,
   * `GITHUB_TOKEN`, and `ROLECALL_GITHUB_RETRY=off` (octokit's retries and throttling would
   * only slow a local fake down).
   */
  env(token: string, extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

const ROUTES: Route[] = [...issueRoutes, ...pullRoutes, ...miscRoutes, ...settingsRoutes];

export async function startFakeGitHub(): Promise<FakeGitHub> {
  await sodium.ready;
  const world = new FakeWorld();
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const holds: Hold[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse, origin: string) => {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const found = match(ROUTES, method, url.pathname);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      status: 0,
      route: found ? `${method} ${found.route.template}` : null,
    };
    requests.push(record);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      record.response = payload;
      // Every answer is held to GitHub's description: test/vitest.fresh-modules.ts fails the
      // file that received one GitHub could not have sent.
      const problem = record.route
        ? checkAnswer({ route: record.route, status, body: payload, headers })
        : `the fake has no route for ${method} ${url.pathname}`;
      if (problem) recordViolation({ route: record.route ?? method, status, problem });
      const text = payload === undefined ? '' : JSON.stringify(payload);
      res.writeHead(status, {
        ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
        ...headers,
      });
      res.end(text);
    };

    const hold = holds.findIndex((h) => h.method === method && h.path.test(url.pathname));
    if (hold >= 0) {
      const [h] = holds.splice(hold, 1);
      h?.arrived();
      await h?.released;
    }
    const fault = faults.find(
      (f) => f.method === method && f.path.test(url.pathname) && f.remaining > 0,
    );
    if (fault) {
      fault.remaining -= 1;
      send(fault.status, fault.body ?? githubErrorBody(fault.status), fault.headers?.() ?? {});
      return;
    }
    const auth = req.headers['authorization'];
    if (!auth) {
      send(401, {
        message: 'Requires authentication',
        documentation_url: 'https://docs.github.com/rest',
      });
      return;
    }
    const token = world.tokens.get(auth.replace(/^(token|bearer)\s+/i, ''));
    if (!token) {
      send(401, { message: 'Bad credentials', documentation_url: DOCS });
      return;
    }
    if (!found) {
      send(404, {
        message: `Not Found (the fake has no route for ${method} ${url.pathname})`,
        documentation_url: DOCS,
      });
      return;
    }
    try {
      const result = found.route.handler({
        world,
        token,
        params: found.params,
        query: url.searchParams,
        body: body && typeof body === 'object' ? (body as Record<string, unknown>) : {},
        origin,
        path: url.pathname,
      });
      send(result.status, result.body, result.headers);
    } catch (error) {
      if (error instanceof HttpError)
        send(error.status, { message: error.message, documentation_url: DOCS, ...error.extra });
      else send(500, { message: error instanceof Error ? error.message : String(error) });
    }
  };

  const server = createServer((req, res) => {
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    handle(req, res, origin).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    world,
    requests,
    calls(method, path) {
      return requests.filter(
        (r) =>
          (!method || r.method === method) &&
          (!path || (typeof path === 'string' ? r.path === path : path.test(r.path))),
      );
    },
    writes() {
      return requests.filter((r) => r.method !== 'GET');
    },
    clearRequests() {
      requests.length = 0;
    },
    failNext(method, path, status, times = 1) {
      faults.push({ method, path, status, remaining: times });
    },
    rateLimitNext(method, path, limit, times = 1) {
      faults.push({ method, path, remaining: times, ...rateLimitAnswer(limit) });
    },
    takeViolations,
    hold(method, path) {
      let arrived!: () => void;
      let release!: () => void;
      const arrivedPromise = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ method, path, arrived, released });
      return { arrived: arrivedPromise, release };
    },
    env(token, extra = {}) {
      return { GITHUB_API_URL: url, GITHUB_TOKEN: token, ROLECALL_GITHUB_RETRY: 'off', ...extra };
    },
    close() {
      for (const h of holds) h.arrived();
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

const DOCS = 'https://docs.github.com/rest';

/** The body GitHub sends with an injected status (its usual message for it). */
function githubErrorBody(status: number): Record<string, unknown> {
  const messages: Record<number, string> = {
    401: 'Bad credentials',
    403: 'Resource not accessible by integration',
    404: 'Not Found',
    409: 'Conflict',
    410: 'Gone',
    422: 'Validation Failed',
  };
  return {
    message: messages[status] ?? (status >= 500 ? 'Server Error' : `injected ${status}`),
    documentation_url: DOCS,
  };
}

function rateLimitAnswer(limit: RateLimit): Omit<Fault, 'method' | 'path' | 'remaining'> {
  const documentation_url =
    'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';
  if (limit.kind === 'primary') {
    return {
      status: 403,
      body: { message: 'API rate limit exceeded for installation ID 1.', documentation_url },
      // The reset time is read when the answer is sent, as GitHub's clock would give it.
      headers: () => ({
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-resource': 'core',
        'x-ratelimit-reset': String(
          Math.floor(Date.now() / 1000) + Math.max(0, limit.resetSeconds ?? 0),
        ),
      }),
    };
  }
  return {
    status: limit.status ?? 403,
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url,
    },
    headers: () => ({ 'retry-after': String(limit.retryAfter ?? 1) }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
