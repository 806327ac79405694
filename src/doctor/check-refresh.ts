import { fail, pass, unknown, type CheckResult } from './check-result.js';
import type { FreshBooksFacts } from './facts.js';

const ID = 'freshbooks.refresh';
const WHY =
  'refresh tokens are single-use: every run rotates the token and must save the new one before using it, or the next run is locked out';

/** `freshbooks.refresh`: a refresh works and the rotated token is saved where the next run reads it. */
export function checkRefresh(freshbooks: FreshBooksFacts): CheckResult {
  const { refresh } = freshbooks;
  if (refresh.state === 'skipped') {
    return unknown(
      ID,
      `not tried: ${refresh.reason}`,
      WHY,
      'fix freshbooks.store first, then run `rolecall doctor` again',
    );
  }
  if (refresh.state === 'failed') {
    return fail(
      ID,
      `the refresh failed: ${refresh.message}`,
      WHY,
      '`rolecall auth login` for a new refresh token (in a workflow: store it in the secret FRESHBOOKS_REFRESH_TOKEN of freshbooks-production)',
    );
  }
  if (!refresh.persisted) {
    return fail(
      ID,
      `refreshed, but ${refresh.store} does not hold the rotated refresh token afterwards`,
      WHY,
      'make the token store writable (`--token-store file:PATH` on a writable disk, or a ROLECALL_SECRETS_TOKEN that can write the secret), then `rolecall auth login`',
    );
  }
  return pass(ID, `refreshed; the rotated refresh token is saved in ${refresh.store}`, WHY);
}
