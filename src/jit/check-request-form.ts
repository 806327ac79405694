/**
 * From an issue body to the policy edit it asks for, with every problem on the way: the form
 * (parse-issue-form.ts), the business and role (request-from-form.ts), the duration, the edit.
 * The caller then validates the edited policy exactly as `rolecall validate` and `rolecall
 * request` do (`maxDuration`, `requireExpiry`, allowed domains, the reason, …) and reports its
 * errors with `diagnosticLine`. Pure: the policies come in as sources, the clock as an
 * argument. Each problem is one line a requester can act on.
 */
import { canonicalJson, sha256Hex } from '../canonical.js';
import { RolecallError, UsageError } from '../errors.js';
import { formatInstant } from '../policy/parse-time.js';
import type { PolicySource } from '../policy/validate-documents.js';
import type { DesiredState, Diagnostic } from '../types.js';
import { parseRequestForm } from './parse-issue-form.js';
import { planRequestEdit, type AccessRequest, type RequestEdit } from './plan-request-edit.js';
import { requestFromForm, type FormRequest } from './request-from-form.js';
import { resolveExpiry } from './resolve-expiry.js';

export interface CheckedRequest {
  ok: true;
  form: FormRequest;
  /** Digest of the answers: the same answers are the same request (and keep their time). */
  formDigest: string;
  request: AccessRequest;
  /** When the request counts from (see `previous`). */
  requestedAt: Date;
  edit: RequestEdit;
}

export type RequestCheck = CheckedRequest | { ok: false; problems: string[] };

export interface CheckRequestInput {
  body: string;
  /** The base branch's policies, validated (`desired` from `sources`). */
  desired: DesiredState;
  sources: readonly PolicySource[];
  now: Date;
  /**
   * The time the request counts from: `now`, or — when the answers are the ones of an earlier
   * run (`formDigest`) — that run's time, so that re-running an unchanged request writes the
   * same `expires` and changes nothing.
   */
  previous?: { formDigest: string; requestedAt: Date } | null;
}

/** A diagnostic as one line for the status comment: what, which rule, where. */
export function diagnosticLine(d: Diagnostic): string {
  const where = d.source ? `, ${d.source.file}:${d.source.line}` : '';
  return `${d.message} (${d.code}${where})`;
}

/** `resolveExpiry` speaks in flags; the form has fields. */
function inFormWords(message: string): string {
  return message.replace(/--for\b/g, 'Duration').replace(/--until\b/g, 'Until');
}

export function checkRequestForm(input: CheckRequestInput): RequestCheck {
  const parsed = parseRequestForm(input.body);
  if (parsed.problems.length > 0) return { ok: false, problems: parsed.problems };
  const mapped = requestFromForm(input.desired, parsed.fields);
  if (!mapped.ok) return { ok: false, problems: mapped.problems };
  const form = mapped.request;
  const formDigest = `sha256:${sha256Hex(canonicalJson(form))}`;
  const requestedAt =
    input.previous?.formDigest === formDigest ? input.previous.requestedAt : input.now;

  let expiry;
  try {
    expiry = resolveExpiry({ for: form.for, until: form.until }, requestedAt);
  } catch (error) {
    if (error instanceof UsageError) return { ok: false, problems: [inFormWords(error.message)] };
    throw error;
  }
  if (expiry.endsAt.getTime() <= input.now.getTime()) {
    return {
      ok: false,
      problems: [
        `the request ended at ${formatInstant(expiry.endsAt)} (asked at ${formatInstant(requestedAt)}), before it was approved: change Duration or Until to ask again`,
      ],
    };
  }
  const request: AccessRequest = {
    businessId: form.businessId,
    email: form.email,
    role: form.role,
    expiry: { ...expiry, input: form.for !== undefined ? form.for : `until ${form.until ?? ''}` },
    reason: form.reason,
    ticket: form.ticket,
  };
  let edit: RequestEdit;
  try {
    edit = planRequestEdit(input.desired, input.sources, request);
  } catch (error) {
    if (error instanceof RolecallError) return { ok: false, problems: [error.message] };
    throw error;
  }
  return { ok: true, form, formDigest, request, requestedAt, edit };
}
