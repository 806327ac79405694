/**
 * The hidden per-line key of a review issue checkbox: `<!-- member:<email> -->`. Emails in
 * policies are plain ASCII; anything else is %-encoded (and `--` broken up) so a key can never
 * end the comment early or contain whitespace.
 */
export const MEMBER_KEY = /<!--\s*member:\s*([^\s>]+?)\s*-->/g;

export function encodeKey(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9.@+_'-]/g, (char) =>
      [...new TextEncoder().encode(char)]
        .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
        .join(''),
    )
    .replace(/--/g, '-%2D');
}

export function decodeKey(key: string): string | null {
  try {
    return decodeURIComponent(key).toLowerCase();
  } catch {
    return null;
  }
}

export function keyComment(key: string): string {
  return `<!-- member:${encodeKey(key)} -->`;
}
