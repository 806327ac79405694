/**
 * Team members: list (published paging rules), single, change role and remove (assumed calls,
 * see the contract). Every handler returns a `Reply`; writes say whether they took effect.
 */
import { authorizeBusiness, isReply, memberErrorReply, type AccessNeed } from './access.js';
import type { EmulatorContext } from './context.js';
import { json, type Reply } from './http.js';
import { changeMemberRole, removeMember } from './members.js';
import { accountingError, authError, teamMemberJson } from './wire.js';
import type { Grant } from './tokens.js';
import type { BusinessRecord, MemberRecord } from './model.js';

export interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  caller: Grant;
}

/** The business in the route, if the caller may `need` it; otherwise the error reply. */
function businessOf(
  ctx: EmulatorContext,
  req: ApiRequest,
  need: AccessNeed,
): BusinessRecord | Reply {
  return authorizeBusiness(ctx.state, req.caller, Number(req.params['businessId']), need);
}

/** Unpublished; FreshBooks only says there is a default. Clients should always pass per_page. */
export const DEFAULT_PER_PAGE = 15;
export const MAX_PER_PAGE = 100;
/** errno for a malformed query parameter (unpublished; the emulator's choice). */
export const ERRNO_INVALID_PARAMETER = 1001;

function invalidParameter(name: string, value: string, message: string): Reply {
  return json(400, accountingError(ERRNO_INVALID_PARAMETER, message, name, 'team_member', value));
}

/** A whole number ≥ 0 as text, or an error reply ("page must be a number"). */
function intParam(query: URLSearchParams, name: string): number | null | Reply {
  const raw = query.get(name);
  if (raw === null) return null;
  if (!/^\d+$/.test(raw.trim())) return invalidParameter(name, raw, `${name} must be a number`);
  return Number(raw.trim());
}

export function listTeamMembers(ctx: EmulatorContext, req: ApiRequest): Reply {
  const business = businessOf(ctx, req, 'read');
  if (isReply(business)) return business;
  const pageParam = intParam(req.query, 'page');
  if (isReply(pageParam)) return pageParam;
  const perPageParam = intParam(req.query, 'per_page');
  if (isReply(perPageParam)) return perPageParam;
  const activeRaw = req.query.get('active');
  let active: boolean | null = null;
  if (activeRaw !== null) {
    if (/^(true|1)$/i.test(activeRaw)) active = true;
    else if (/^(false|0)$/i.test(activeRaw)) active = false;
    else return invalidParameter('active', activeRaw, 'active must be true or false');
  }
  // Published: page 0 is page 1; per_page is silently capped at 100.
  const page = Math.max(1, pageParam ?? 1);
  const perPage =
    perPageParam === null || perPageParam < 1
      ? DEFAULT_PER_PAGE
      : Math.min(MAX_PER_PAGE, perPageParam);
  const rows = business.members.filter(
    (m) => listed(ctx, m) && (active === null || (m.state === 'active') === active),
  );
  const slice = rows.slice((page - 1) * perPage, page * perPage);
  return json(200, {
    response: slice.map(teamMemberJson),
    meta: { page, per_page: perPage, total: rows.length },
  });
}

export function getTeamMember(ctx: EmulatorContext, req: ApiRequest): Reply {
  const business = businessOf(ctx, req, 'read');
  if (isReply(business)) return business;
  const uuid = req.params['uuid'] ?? '';
  const member = business.members.find((m) => m.uuid === uuid && listed(ctx, m));
  if (!member)
    return json(404, accountingError(1012, 'Team member not found.', 'uuid', 'team_member', uuid));
  return json(200, { response: teamMemberJson(member) });
}

/**
 * Whether the reads show the row: with `listPendingInvitations` off, a pending invitation is
 * nobody's team member until it is accepted (it still exists: inviting the email again is a
 * conflict, and accepting it makes the member appear).
 */
function listed(ctx: EmulatorContext, member: MemberRecord): boolean {
  return ctx.config.listPendingInvitations || member.state !== 'invited';
}

export function changeTeamMemberRole(ctx: EmulatorContext, req: ApiRequest): Reply {
  const business = businessOf(ctx, req, 'manage');
  if (isReply(business)) return business;
  const uuid = req.params['uuid'] ?? '';
  const body = req.body;
  const teamMember =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)['team_member']
      : undefined;
  if (typeof teamMember !== 'object' || teamMember === null) {
    return json(
      400,
      authError(
        'invalid_request',
        'Expected a JSON body {"team_member": {"business_role_name": …}}.',
      ),
    );
  }
  try {
    const role = (teamMember as Record<string, unknown>)['business_role_name'];
    const before = business.members.find((m) => m.uuid === uuid)?.role;
    const member = changeMemberRole(ctx.state, business.id, uuid, role, ctx.now());
    return { ...json(200, { response: teamMemberJson(member) }), applied: before !== member.role };
  } catch (error) {
    return memberErrorReply(error, uuid);
  }
}

export function removeTeamMember(ctx: EmulatorContext, req: ApiRequest): Reply {
  const business = businessOf(ctx, req, 'manage');
  if (isReply(business)) return business;
  const uuid = req.params['uuid'] ?? '';
  try {
    const outcome = removeMember(ctx.state, business.id, uuid, ctx.now());
    return { status: 204, applied: outcome !== 'unchanged' };
  } catch (error) {
    return memberErrorReply(error, uuid);
  }
}
