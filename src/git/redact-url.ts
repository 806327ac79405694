/**
 * Remote URLs can carry credentials (`https://x-access-token:ghp_…@github.com/o/r.git`, what
 * some CI set-ups write into `.git/config`). Nothing rolecall prints, stores or throws may contain
 * them, so every git message and URL passes through here (and then through `redact()`).
 */
import { redact } from '../redact.js';

const MASK = '***';

// scheme://userinfo@host — for http(s) the whole userinfo is a credential (a bare token is a
// common form); for ssh/git only a password after `:` is (the user name, usually `git`, is not).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*):\/\/([^/\s@'"]+)@/gi;

/** Masks credentials inside URLs anywhere in `text`, then applies the global redaction. */
export function redactGitText(text: string): string {
  const masked = text.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    const lower = scheme.toLowerCase();
    if (lower === 'http' || lower === 'https') return `${scheme}://${MASK}@`;
    const colon = userinfo.indexOf(':');
    return colon < 0
      ? `${scheme}://${userinfo}@`
      : `${scheme}://${userinfo.slice(0, colon)}:${MASK}@`;
  });
  return redact(masked);
}

/**
 * The URL without any userinfo for http(s) (and without a password for other schemes): safe to
 * print, and enough to tell which repository a remote points at.
 */
export function stripUrlCredentials(url: string): string {
  return url.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    const lower = scheme.toLowerCase();
    if (lower === 'http' || lower === 'https') return `${scheme}://`;
    const colon = userinfo.indexOf(':');
    return colon < 0 ? `${scheme}://${userinfo}@` : `${scheme}://${userinfo.slice(0, colon)}@`;
  });
}
