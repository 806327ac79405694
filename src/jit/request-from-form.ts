/**
 * A parsed request form (parse-issue-form.ts) as the arguments `rolecall request` takes: the
 * business matched against the policies, a role the form offers, exactly one of a duration and
 * an end. Everything else — the role's rules, the allowed domains, `maxDuration`, the reason —
 * is checked afterwards exactly as for `rolecall request` on the command line.
 */
import type { DesiredState } from '../types.js';
import type { RequestFormFields } from './parse-issue-form.js';

/**
 * The roles the form offers. Administrator access is not self-service: a request for it is
 * refused here and must be a pull request someone writes (the approval rules still apply to
 * both, but an admin can change everyone's access, so the form does not make it one click).
 */
export const FORM_ROLES = ['contractor', 'employee', 'accountant', 'manager'] as const;

export interface FormRequest {
  businessId: number;
  email: string;
  role: string;
  for?: string;
  until?: string;
  reason: string;
  ticket?: string;
}

export type FormRequestResult =
  { ok: true; request: FormRequest } | { ok: false; problems: string[] };

function businessLabel(b: { businessId: number; name?: string | undefined }): string {
  return b.name ? `${b.name} (${b.businessId})` : String(b.businessId);
}

/**
 * The business a form names: its id (`240340`), its policy's `name:` (case-insensitive), or
 * both as the status comment shows them (`Acme Books Inc. (240340)`).
 */
export function matchBusiness(
  desired: DesiredState,
  text: string,
): { businessId: number } | { problem: string } {
  const wanted = text.trim();
  const id = /^(?:.*\()?\s*(\d{1,15})\s*\)?$/.exec(wanted)?.[1];
  const byId =
    id === undefined ? undefined : desired.businesses.find((b) => b.businessId === Number(id));
  const byName = desired.businesses.filter(
    (b) => b.name !== undefined && b.name.trim().toLowerCase() === wanted.toLowerCase(),
  );
  if (byId) return { businessId: byId.businessId };
  if (byName.length === 1) return { businessId: (byName[0] as { businessId: number }).businessId };
  const known = desired.businesses.map(businessLabel).join(', ') || 'none';
  if (byName.length > 1) {
    return { problem: `Business: several policies are named that; give the id (${known})` };
  }
  return {
    problem: `Business: no policy in this repository is for ${JSON.stringify(wanted)}; the businesses are ${known}`,
  };
}

export function requestFromForm(
  desired: DesiredState,
  fields: RequestFormFields,
): FormRequestResult {
  const problems: string[] = [];
  const business = matchBusiness(desired, fields.business ?? '');
  if ('problem' in business) problems.push(business.problem);
  const role = fields.role ?? '';
  if (!(FORM_ROLES as readonly string[]).includes(role)) {
    problems.push(
      role === 'admin'
        ? 'Role: admin cannot be requested with the form; propose it in a pull request that changes the policy'
        : `Role: ${JSON.stringify(role)} is not one the form offers (${FORM_ROLES.join(', ')})`,
    );
  }
  const { duration, until } = fields;
  if ((duration === undefined) === (until === undefined)) {
    problems.push(
      duration === undefined
        ? 'Duration or Until: say how long (8h, 14d) or until when (2026-12-31)'
        : 'Duration and Until are both filled: keep one of them',
    );
  }
  if (problems.length > 0 || 'problem' in business) return { ok: false, problems };
  return {
    ok: true,
    request: {
      businessId: business.businessId,
      email: fields.email ?? '',
      role,
      ...(duration === undefined ? {} : { for: duration }),
      ...(until === undefined ? {} : { until }),
      reason: fields.reason ?? '',
      ...(fields.ticket === undefined ? {} : { ticket: fields.ticket }),
    },
  };
}
