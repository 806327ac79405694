/**
 * What a safe rolecall deployment looks like, as the security model (.github/SECURITY-MODEL.md)
 * describes it: the names the checks compare against.
 */

/** The environment every privileged job runs in and takes its secrets from. */
export const ENVIRONMENT = 'freshbooks-production';

/** The secrets every privileged job needs, in the environment. */
export const ENVIRONMENT_SECRETS = [
  'FRESHBOOKS_CLIENT_ID',
  'FRESHBOOKS_CLIENT_SECRET',
  'FRESHBOOKS_REFRESH_TOKEN',
  'ROLECALL_SECRETS_TOKEN',
] as const;

/** Needed only when a policy's `approvals:` names GitHub teams. */
export const TEAMS_SECRET = 'ROLECALL_TEAMS_TOKEN';

/** The optional read-only token `rolecall doctor` reads the settings with. */
export const DOCTOR_TOKEN = 'ROLECALL_DOCTOR_TOKEN';

/** Every secret name rolecall's workflows use: none of them may be a repository secret. */
export const ROLECALL_SECRETS = [...ENVIRONMENT_SECRETS, TEAMS_SECRET, DOCTOR_TOKEN] as const;

/** FreshBooks scopes (the API contract): reading the team, and changing it. */
export const READ_SCOPES = ['user:profile:read', 'user:teams:read', 'user:account:read'] as const;
export const WRITE_SCOPES = ['user:teams:write', 'user:account:write'] as const;
