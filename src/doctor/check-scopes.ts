import { fail, pass, unknown, type CheckResult } from './check-result.js';
import { READ_SCOPES, WRITE_SCOPES } from './deployment.js';
import type { FreshBooksFacts, PolicyFacts } from './facts.js';

const ID = 'freshbooks.scopes';
const WHY =
  'FreshBooks refuses a call whose scope the user did not grant: without the read scopes nothing can be planned, without the write scopes apply cannot invite, change or remove anyone and every change becomes a manual task';
const REAUTHORISE =
  'run `rolecall auth login` and approve every scope the app asks for (the app must request them: user:profile:read user:teams:read user:account:read user:teams:write user:account:write), then store the new refresh token';

/** `freshbooks.scopes`: the granted scopes cover what the policies need. */
export function checkScopes(freshbooks: FreshBooksFacts, policies: PolicyFacts): CheckResult {
  const { refresh } = freshbooks;
  if (refresh.state !== 'refreshed') {
    return unknown(
      ID,
      'not known: FreshBooks shows the granted scopes only with a new token (see freshbooks.refresh)',
      WHY,
      'fix freshbooks.refresh first',
    );
  }
  if (refresh.scope === null) {
    return unknown(
      ID,
      'FreshBooks did not say which scopes it granted (no `scope` in the token answer)',
      WHY,
      'check the app and its authorisation in FreshBooks',
    );
  }
  const granted = new Set(refresh.scope.split(/\s+/).filter(Boolean));
  const shown = [...granted].join(' ') || 'none';
  const missingRead = READ_SCOPES.filter((s) => !granted.has(s));
  if (missingRead.length > 0) {
    return fail(
      ID,
      `granted: ${shown}; missing ${missingRead.join(' ')}: rolecall cannot read the team`,
      WHY,
      REAUTHORISE,
    );
  }
  const missingWrite = WRITE_SCOPES.filter((s) => !granted.has(s));
  if (missingWrite.length === 0) return pass(ID, `granted: ${shown}`, WHY);
  // Writes are needed unless every action of every policy is provisioned by hand. Without the
  // policies, assume they are (the default).
  const writers = policies.ok ? policies.businesses.filter((b) => b.writes) : null;
  if (writers !== null && writers.length === 0) {
    return pass(
      ID,
      `granted: ${shown}; no write scope, and none needed: every policy provisions every change by hand (a read-only deployment: plan, drift and review work, apply lists manual tasks)`,
      WHY,
    );
  }
  const who = writers
    ? ` (${writers.map((b) => b.businessId).join(', ')} provision through the API)`
    : '';
  return fail(
    ID,
    `granted: ${shown}; missing ${missingWrite.join(' ')}: apply cannot invite, change or remove anyone${who}, so every change would become a manual task`,
    WHY,
    `${REAUTHORISE}; or, for a read-only deployment, set \`provisioning: {grant: manual, change: manual, revoke: manual}\` in each policy`,
  );
}
