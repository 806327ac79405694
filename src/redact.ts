/**
 * Secret redaction for every line rolecall prints or writes (except the credentials store).
 * Known secret values are registered when they are read; well-known shapes (Bearer headers,
 * OAuth form fields, JSON token fields) are masked even when they were never registered.
 */
const MASK = '[REDACTED]';
const secrets = new Set<string>();

/** Remember a secret value so that `redact` masks it wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  // Very short values would mask ordinary words; real tokens and secrets are long.
  if (value && value.length >= 8) secrets.add(value);
}

const PATTERNS: Array<[RegExp, string]> = [
  [/(authorization:\s*)(bearer|basic)\s+[^\s"',]+/gi, `$1$2 ${MASK}`],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${MASK}`],
  [/\b(access_token|refresh_token|client_secret|code|token|password)=([^&\s"']+)/gi, `$1=${MASK}`],
  [
    /("(?:access_token|refresh_token|client_secret|code|token|password|accessToken|refreshToken|clientSecret)"\s*:\s*)"[^"]*"/g,
    `$1"${MASK}"`,
  ],
];

export function redact(text: string): string {
  let out = text;
  // Longest first, so that a secret containing another is masked whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(MASK);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** For tests: forget every registered secret. */
export function clearRegisteredSecrets(): void {
  secrets.clear();
}
