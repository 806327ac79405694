/**
 * `POST /auth/api/v1/users/invitation` — the one published team write. Request body as
 * published: `{"capacity", "to_email", "invitable_id", "invitable_type": "business", "groups"?}`.
 * The response body is unpublished; the emulator answers `200 {"response": TeamMember}` with
 * the pending member, so a client can learn the new uuid without another read.
 */
import { API_ROLE_BY_POLICY_ROLE } from '../roles.js';
import { authorizeBusiness, isReply, memberErrorReply } from './access.js';
import type { CapacityAcceptance } from './config.js';
import type { EmulatorContext } from './context.js';
import { json, type Reply } from './http.js';
import { inviteMember } from './members.js';
import { GRANTABLE_API_ROLES } from './model.js';
import type { ApiRequest } from './routes-team.js';
import { authError, teamMemberJson } from './wire.js';

function validationFailed(message: string): Reply {
  return json(422, authError('invalid_resource', `Validation failed: ${message}`));
}

/** `invitable_id` may come as a number or as a numeric string (the Postman sample quotes it). */
function businessIdOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  return null;
}

/**
 * The `inviteCapacity` knob: `short` takes only the published sample's encoding (`"manager"`,
 * the UI name), `api` only the API role name (`"business_manager"`), `any` both (the default).
 */
function capacityAccepted(accepted: CapacityAcceptance, capacity: unknown): boolean {
  if (accepted === 'any' || typeof capacity !== 'string') return true;
  return accepted === 'short'
    ? SHORT_ROLE_NAMES.has(capacity.trim().toLowerCase())
    : GRANTABLE_API_ROLES.has(capacity.trim());
}

const SHORT_ROLE_NAMES: ReadonlySet<string> = new Set(
  Object.keys(API_ROLE_BY_POLICY_ROLE).filter((role) => role !== 'owner'),
);

export function inviteTeamMember(ctx: EmulatorContext, req: ApiRequest): Reply {
  const body = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return json(400, authError('invalid_request', 'Expected a JSON object body.'));
  }
  const fields = body as Record<string, unknown>;
  if (fields['invitable_type'] !== 'business')
    return validationFailed('Invitable type must be "business"');
  const businessId = businessIdOf(fields['invitable_id']);
  if (businessId === null) return validationFailed('Invitable is not a business id');
  if (fields['groups'] !== undefined && !Array.isArray(fields['groups'])) {
    return validationFailed('Groups must be a list');
  }
  const business = authorizeBusiness(ctx.state, req.caller, businessId, 'manage');
  if (isReply(business)) return business;
  if (!capacityAccepted(ctx.config.inviteCapacity, fields['capacity'])) {
    return validationFailed(
      `Capacity ${JSON.stringify(fields['capacity'] ?? null)} is not a valid role`,
    );
  }
  try {
    const member = inviteMember(
      ctx.state,
      business.id,
      fields['to_email'],
      fields['capacity'],
      ctx.now(),
    );
    return { ...json(200, { response: teamMemberJson(member) }), applied: true };
  } catch (error) {
    return memberErrorReply(error, null);
  }
}
