/**
 * Who may do what: the caller (the identity behind the access token) must belong to the
 * business — owner or admin to manage the team — and the token must carry the scope. Every
 * refusal is the published 403 body (errno 1003), which rolecall's client turns into a manual
 * task for writes. Unknown businesses answer the same 403, so ids do not leak.
 */
import { json, type Reply } from './http.js';
import { MANAGER_ROLES, type BusinessRecord } from './model.js';
import type { EmulatorState } from './state.js';
import type { Grant } from './tokens.js';
import { PERMISSION_DENIED, accountingError, authError } from './wire.js';
import { MemberOpError } from './members.js';
import { ERRNO_SEAT_LIMIT } from './seats.js';

export type AccessNeed = 'read' | 'manage';

export function authorizeBusiness(
  state: EmulatorState,
  caller: Grant,
  businessId: number,
  need: AccessNeed,
): BusinessRecord | Reply {
  const scopes = caller.scope.split(/\s+/);
  const scope = need === 'read' ? 'user:teams:read' : 'user:teams:write';
  const role = state.roleIn(caller.identityId, businessId);
  const business = state.business(businessId);
  const allowed =
    business !== undefined &&
    scopes.includes(scope) &&
    role !== null &&
    (need === 'read' ? role !== 'client' : MANAGER_ROLES.has(role));
  return allowed ? business : json(403, PERMISSION_DENIED);
}

export function isReply(value: unknown): value is Reply {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    typeof value.status === 'number'
  );
}

/** Maps a refused state transition to the answer FreshBooks would give. */
export function memberErrorReply(error: unknown, uuid: string | null): Reply {
  if (!(error instanceof MemberOpError)) throw error;
  switch (error.kind) {
    case 'not_found':
      return json(
        404,
        accountingError(1012, 'Team member not found.', 'uuid', 'team_member', uuid),
      );
    case 'owner':
      return json(403, PERMISSION_DENIED);
    case 'seat_limit':
      // [assumed] 422 in the accounting error shape, errno and message about team member limits.
      return json(
        422,
        accountingError(ERRNO_SEAT_LIMIT, error.message, error.field, 'team_member'),
      );
    case 'invalid':
    case 'conflict':
      // The published validation-error shape of the auth service (POST validation error).
      return json(422, authError('invalid_resource', `Validation failed: ${error.message}`));
  }
}
