/**
 * `rolecall/request/<email-slug>-<role>-<timestamp>`: readable in a branch list, unique per
 * request (the timestamp is to the second, UTC), and always a valid git ref name whatever the
 * email holds (everything outside `[a-z0-9]` becomes `-`).
 */
export const REQUEST_BRANCH_PREFIX = 'rolecall/request/';

function slug(text: string, max: number): string {
  const clean = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return clean.slice(0, max).replace(/-+$/, '') || 'x';
}

/** `20260302T090000Z` */
export function compactTimestamp(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function requestBranchName(email: string, role: string, now: Date): string {
  return `${REQUEST_BRANCH_PREFIX}${slug(email.trim(), 60)}-${slug(role, 20)}-${compactTimestamp(now)}`;
}
