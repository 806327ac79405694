import { RolecallError } from '../errors.js';
import { normalizeEmail } from '../policy/check-email.js';
import { upsertMember } from '../policy/edit-policy.js';
import type { PolicySource } from '../policy/validate-documents.js';
import type { PolicyRole } from '../roles.js';
import type { BusinessPolicy, DesiredMember, DesiredState } from '../types.js';
import type { RequestedExpiry } from './resolve-expiry.js';

export interface AccessRequest {
  businessId: number;
  email: string;
  /** As typed: an unknown role is left for validation to report, with its position. */
  role: string;
  expiry: RequestedExpiry;
  reason: string;
  ticket?: string | undefined;
}

export interface RequestEdit {
  business: BusinessPolicy;
  /** The policy file (as in `BusinessPolicy.file`). */
  file: string;
  before: string;
  after: string;
  /** The person's current time-bound entry, when the request extends or changes it. */
  existing?: DesiredMember;
  /** Every policy source with the edited one replaced: what validation must accept. */
  sources: PolicySource[];
}

/**
 * The policy edit a request makes, on policies that validated (`desired` comes from
 * `sources`). An extension is an edit of the existing entry's `expires` (and its reason,
 * ticket and role); comments and layout are kept (`upsertMember`).
 *
 * Refused here, before any validation, because validation would accept them and they would
 * surprise someone later:
 * - the person holds **standing** access (an entry without `expires`): making it time-bound
 *   would revoke them entirely at expiry, not return them to their old role — a policy holds
 *   one role per person;
 * - the person is listed through a team: a request cannot move them out of it.
 */
export function planRequestEdit(
  desired: DesiredState,
  sources: readonly PolicySource[],
  request: AccessRequest,
): RequestEdit {
  const business = desired.businesses.find((b) => b.businessId === request.businessId);
  if (!business) {
    const known = desired.businesses.map((b) => `${b.businessId} (${b.file})`).join(', ');
    throw new RolecallError(
      'UNKNOWN_BUSINESS',
      `no policy names business ${request.businessId}; the policies name ${known || 'no business'}`,
    );
  }
  const source = sources.find((s) => s.file === business.file);
  if (!source) throw new Error(`planRequestEdit: no source for ${business.file}`);

  const email = normalizeEmail(request.email);
  const existing = business.members.find((m) => m.email === email);
  if (existing?.via.kind === 'team') {
    throw new RolecallError(
      'REQUEST_REFUSED',
      `${email} is in team "${existing.via.team}" (${existing.source.file}:${existing.source.line}) with role ${existing.role}; a request cannot take them out of the team. Edit the policy by hand`,
    );
  }
  if (existing && existing.expires === undefined) {
    throw new RolecallError(
      'REQUEST_REFUSED',
      `${email} already has standing access as ${existing.role} (${existing.source.file}:${existing.source.line}, no expiry). A time-bound grant would replace it and revoke them entirely when it ends; change the policy by hand instead`,
    );
  }

  const after = upsertMember(source.text, {
    email: request.email.trim(),
    role: request.role as PolicyRole,
    expires: request.expiry.value,
    reason: request.reason,
    ...(request.ticket === undefined ? {} : { ticket: request.ticket }),
  });
  return {
    business,
    file: business.file,
    before: source.text,
    after,
    ...(existing ? { existing } : {}),
    sources: sources.map((s) => (s.file === business.file ? { file: s.file, text: after } : s)),
  };
}
