import type { TokenTarget } from '../ports.js';

/**
 * The API URL as a target key: scheme, host and port (both as `URL` spells them: lower case,
 * the default port dropped) and path without trailing slashes. Credentials, query and fragment
 * are left out: `https://API.freshbooks.com:443/` and `https://api.freshbooks.com` are one target.
 */
export function normaliseApiUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** `https://api.freshbooks.com (client abc)`: no secret in it. */
export function describeTarget(target: TokenTarget): string {
  return `${target.apiUrl} (client ${target.clientId})`;
}

export function sameTarget(a: TokenTarget, b: TokenTarget): boolean {
  return a.apiUrl === b.apiUrl && a.clientId === b.clientId;
}
