/** `GET /auth/api/v1/users/me`: who the token acts as, and every business it can act on. */
import type { EmulatorContext } from './context.js';
import { json, type Reply } from './http.js';
import type { ApiRequest } from './routes-team.js';
import { UNAUTHENTICATED, usersMeJson } from './wire.js';

export function usersMe(ctx: EmulatorContext, req: ApiRequest): Reply {
  const identity = ctx.state.identities.get(req.caller.identityId);
  // The identity can vanish when a test loads a state without it: the token is then useless.
  if (!identity) return json(401, UNAUTHENTICATED);
  return json(200, { response: usersMeJson(identity, ctx.state.memberships(identity.id)) });
}
