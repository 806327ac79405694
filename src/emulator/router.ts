/** The FreshBooks routes the emulator serves, by method and path pattern. */
import type { WriteOperation } from './config.js';
import type { EmulatorContext } from './context.js';
import type { Reply } from './http.js';
import { revokeEndpoint, tokenEndpoint, type OAuthRequest } from './oauth.js';
import { usersMe } from './routes-identity.js';
import { inviteTeamMember } from './routes-invite.js';
import {
  changeTeamMemberRole,
  getTeamMember,
  listTeamMembers,
  removeTeamMember,
  type ApiRequest,
} from './routes-team.js';

interface RouteBase {
  method: string;
  /** `METHOD /path/:param`, as the request log and counters name it. */
  name: string;
  pattern: RegExp;
  params: string[];
}
export interface OAuthRoute extends RouteBase {
  kind: 'oauth';
  handle: (ctx: EmulatorContext, req: OAuthRequest) => Reply;
}
export interface ApiRoute extends RouteBase {
  kind: 'api';
  write?: WriteOperation;
  handle: (ctx: EmulatorContext, req: ApiRequest) => Reply;
}
export type Route = OAuthRoute | ApiRoute;

const TEAM = '/auth/api/v1/businesses/:businessId/team_members';

function compile(path: string): { pattern: RegExp; params: string[] } {
  const params: string[] = [];
  const source = path.replace(/:(\w+)/g, (_m, name: string) => {
    params.push(name);
    return name === 'businessId' ? '(\\d+)' : '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}/?$`), params };
}

function oauth(method: string, path: string, handle: OAuthRoute['handle']): OAuthRoute {
  return { kind: 'oauth', method, name: `${method} ${path}`, ...compile(path), handle };
}

function api(
  method: string,
  path: string,
  handle: ApiRoute['handle'],
  write?: WriteOperation,
): ApiRoute {
  const route: ApiRoute = {
    kind: 'api',
    method,
    name: `${method} ${path.replace(':businessId', ':id')}`,
    ...compile(path),
    handle,
  };
  if (write) route.write = write;
  return route;
}

export const ROUTES: readonly Route[] = [
  oauth('POST', '/auth/oauth/token', tokenEndpoint),
  oauth('POST', '/auth/oauth/revoke', revokeEndpoint),
  api('GET', '/auth/api/v1/users/me', usersMe),
  api('POST', '/auth/api/v1/users/invitation', inviteTeamMember, 'invite'),
  api('GET', TEAM, listTeamMembers),
  api('GET', `${TEAM}/:uuid`, getTeamMember),
  api('PUT', `${TEAM}/:uuid`, changeTeamMemberRole, 'changeRole'),
  api('DELETE', `${TEAM}/:uuid`, removeTeamMember, 'remove'),
];

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export function matchRoute(method: string, pathname: string): RouteMatch | null {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const found = route.pattern.exec(pathname);
    if (!found) continue;
    const params: Record<string, string> = {};
    try {
      route.params.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1] ?? '');
      });
    } catch {
      return null; // malformed percent-encoding: no such resource
    }
    return { route, params };
  }
  return null;
}
