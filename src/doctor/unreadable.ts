/**
 * The `?` of a setting the token could not read: what was refused, and which permission (on
 * which token) would let `rolecall doctor` see it. Never a pass: a setting nobody can see is
 * not known to be safe.
 */
import { unknown, type CheckResult } from './check-result.js';
import { DOCTOR_TOKEN } from './deployment.js';
import type { Unreadable } from './facts.js';

/** Permissions a workflow's `GITHUB_TOKEN` can never have: another token is needed. */
const NOT_FOR_GITHUB_TOKEN = /^(Administration|Secrets|Environments)\b/;

export function unreadableCheck(
  id: string,
  what: string,
  why: string,
  read: Unreadable,
): CheckResult {
  return unknown(id, `could not read ${what}: ${answer(read)}`, why, permissionFix(read));
}

/** `GitHub answered 403 (Resource not accessible by integration)`. */
export function answer(read: Unreadable): string {
  if (read.status === null) return `no answer from GitHub (${read.message})`;
  return `${read.token} got ${read.status} (${read.message})`;
}

/** What would let the token read it. */
export function permissionFix(read: Unreadable): string {
  if (read.status === 401) {
    return `${read.token} was refused (401): it is invalid or expired; replace it`;
  }
  if (read.status === null || read.status >= 500) {
    return 'GitHub did not answer: run `rolecall doctor` again';
  }
  if (read.token === 'GITHUB_TOKEN') {
    if (NOT_FOR_GITHUB_TOKEN.test(read.permission)) {
      return (
        `a workflow's GITHUB_TOKEN cannot have "${read.permission}": set ${DOCTOR_TOKEN} to a ` +
        `fine-grained personal access token for this repository with "${read.permission}" ` +
        '(read-only; see .github/workflows/README.md, "doctor.yml")'
      );
    }
    return (
      `give the job the permission "${read.permission}" ` +
      `(\`permissions: ${read.permission.split(':')[0]?.trim().toLowerCase() ?? ''}: read\`), ` +
      `or set ${DOCTOR_TOKEN} to a token that has it`
    );
  }
  return `give ${read.token} the permission "${read.permission}"`;
}
