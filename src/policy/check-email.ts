/**
 * Email addresses in policies: a deliberately conservative, ASCII-only grammar. A look-alike
 * address (`аlice@acme.example` with a Cyrillic `а`) or one carrying an invisible character
 * would otherwise grant access to someone other than the reviewer believes; rejecting every
 * non-ASCII character removes that class of trick entirely.
 */

export type EmailCheck =
  | { ok: true; email: string; domain: string }
  | { ok: false; code: 'NON_ASCII_EMAIL' | 'INVALID_EMAIL'; message: string };

// RFC 5322 dot-atom local part (no quoted strings, no comments); LDH domain labels with a
// letter-led top-level label.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TLD = /^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Only ASCII spaces and tabs are trimmed: a no-break space is not "whitespace" here. */
export function trimAscii(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** The normalised form used for every comparison: trimmed, lower-case. */
export function normalizeEmail(text: string): string {
  return trimAscii(text).toLowerCase();
}

/** Renders a string for a message: quoted, with anything outside printable ASCII escaped. */
export function quote(text: string, max = 120): string {
  const truncated = text.length > max;
  let out = '';
  for (const ch of truncated ? text.slice(0, max) : text) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else out += `\\u{${cp.toString(16).toUpperCase().padStart(4, '0')}}`;
  }
  return `"${out}"${truncated ? '…' : ''}`;
}

function describeCodePoint(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0x200b || cp === 0x200c || cp === 0x200d || cp === 0x2060 || cp === 0xfeff) {
    return `${hex} (an invisible zero-width character)`;
  }
  if (cp === 0xa0 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x202f || cp === 0x3000) {
    return `${hex} (a Unicode space)`;
  }
  if (cp >= 0x0400 && cp <= 0x052f) return `${hex} (Cyrillic, a look-alike of a Latin letter)`;
  if (cp >= 0x0370 && cp <= 0x03ff) return `${hex} (Greek, a look-alike of a Latin letter)`;
  if (cp >= 0xff00 && cp <= 0xffef) return `${hex} (a full-width form)`;
  if (cp < 0x20 || cp === 0x7f) return `${hex} (a control character)`;
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
    return `${hex} (a bidirectional control character)`;
  }
  return hex;
}

/** Printable ASCII only: the common case, tested at once (the loop below names the culprit). */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function checkEmail(raw: string): EmailCheck {
  const text = trimAscii(raw);
  let index = 0;
  for (const ch of PRINTABLE_ASCII.test(text) ? '' : text) {
    const cp = ch.codePointAt(0) as number;
    if (cp > 0x7e || cp < 0x20) {
      return {
        ok: false,
        code: 'NON_ASCII_EMAIL',
        message: `email ${quote(text)} contains ${describeCodePoint(cp)} at character ${index + 1}; only ASCII addresses are accepted (look-alike and invisible characters are refused)`,
      };
    }
    index++;
  }
  const invalid = (why: string): EmailCheck => ({
    ok: false,
    code: 'INVALID_EMAIL',
    message: `${quote(text)} is not a valid email address: ${why}`,
  });
  const at = text.lastIndexOf('@');
  if (at < 0) return invalid('it has no @');
  if (text.indexOf('@') !== at) return invalid('it has more than one @');
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (local.length === 0) return invalid('nothing before the @');
  if (local.length > 64) return invalid('the part before the @ is longer than 64 characters');
  if (!LOCAL.test(local))
    return invalid('the part before the @ has a character or dot out of place');
  const domainProblem = checkDomainName(domain);
  if (domainProblem) return invalid(domainProblem);
  if (text.length > 254) return invalid('longer than 254 characters');
  return { ok: true, email: text.toLowerCase(), domain: domain.toLowerCase() };
}

/** Why `domain` is not an acceptable domain name, or `undefined` when it is. */
export function checkDomainName(domain: string): string | undefined {
  if (domain.length === 0) return 'no domain after the @';
  if (domain.length > 253) return 'the domain is longer than 253 characters';
  if (/[^\x21-\x7e]/.test(domain)) return 'the domain has non-ASCII or space characters';
  const labels = domain.split('.');
  if (labels.length < 2) return `the domain "${domain}" has no dot`;
  const tld = labels[labels.length - 1] as string;
  for (const label of labels) {
    if (!LABEL.test(label)) return `the domain "${domain}" has an invalid part "${label}"`;
  }
  if (!TLD.test(tld)) return `the domain "${domain}" ends in an invalid top-level part "${tld}"`;
  return undefined;
}
