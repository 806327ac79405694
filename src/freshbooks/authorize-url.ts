import { RolecallError } from '../errors.js';

export const PRODUCTION_AUTHORIZE_URL = 'https://auth.freshbooks.com/oauth/authorize';

/** The scopes rolecall asks for: read the identity and teams, write team membership. */
export const OAUTH_SCOPES = [
  'user:profile:read',
  'user:teams:read',
  'user:account:read',
  'user:teams:write',
  'user:account:write',
] as const;

/**
 * The browser step of OAuth: where to send the person who authorises rolecall. The base is
 * `FRESHBOOKS_AUTH_URL` when set (a sandbox), else FreshBooks' authorize page.
 */
export function authorizeUrl(input: {
  env: Record<string, string | undefined>;
  clientId: string;
  redirectUri: string;
}): string {
  const base = input.env['FRESHBOOKS_AUTH_URL']?.trim() || PRODUCTION_AUTHORIZE_URL;
  try {
    new URL(base);
  } catch {
    throw new RolecallError('BAD_AUTH_URL', `FRESHBOOKS_AUTH_URL is not a URL: ${base}`);
  }
  const params = [
    ['client_id', input.clientId],
    ['response_type', 'code'],
    ['redirect_uri', input.redirectUri],
    ['scope', OAUTH_SCOPES.join(' ')],
  ]
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)
    .join('&');
  return `${base}${base.includes('?') ? '&' : '?'}${params}`;
}
