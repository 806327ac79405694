/**
 * The fake's routing: `METHOD /path/:param` patterns, a context per request, GitHub-style
 * errors, and page-number pagination with `Link` headers (which octokit's paginate follows).
 */
import type { FakeRepo, FakeToken, FakeWorld } from './state.js';

export interface RouteContext {
  world: FakeWorld;
  token: FakeToken;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** `http://127.0.0.1:PORT`, for absolute Link URLs. */
  origin: string;
  path: string;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RouteContext) => RouteResult;

export interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  template: string;
  handler: Handler;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function route(method: string, template: string, handler: Handler): Route {
  const names: string[] = [];
  const source = template
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        names.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { method, pattern: new RegExp(`^${source}$`), names, template, handler };
}

export function match(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | null {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const m = candidate.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    candidate.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] as string);
    });
    return { route: candidate, params };
  }
  return null;
}

/** The repository of `:owner/:repo`, or 404 like GitHub. */
export function repoOf(ctx: RouteContext): FakeRepo {
  const repo = ctx.world.findRepo(ctx.params['owner'] ?? '', ctx.params['repo'] ?? '');
  if (!repo) throw new HttpError(404, 'Not Found');
  return repo;
}

export function numberParam(ctx: RouteContext, name: string): number {
  const value = Number(ctx.params[name]);
  if (!Number.isInteger(value) || value <= 0) throw new HttpError(404, 'Not Found');
  return value;
}

export function requirePower(ctx: RouteContext, power: keyof FakeToken['powers']): void {
  if (!ctx.token.powers[power]) throw new HttpError(403, 'Resource not accessible by integration');
}

export function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') {
    throw new HttpError(422, 'Validation Failed', {
      errors: [{ resource: 'Issue', field: key, code: 'missing_field' }],
    });
  }
  return value;
}

/**
 * One page of `items` (`per_page` default 30, max 100; `page` default 1) with a `Link` header
 * carrying next/last/first/prev as GitHub does.
 */
export function paginate<T>(ctx: RouteContext, items: T[]): RouteResult {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string) => {
    const query = new URLSearchParams(ctx.query);
    query.set('page', String(p));
    query.set('per_page', String(perPage));
    return `<${ctx.origin}${ctx.path}?${query.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return {
    status: 200,
    body: slice,
    ...(links.length ? { headers: { link: links.join(', ') } } : {}),
  };
}
