/**
 * Text from FreshBooks (names) and from policies (reasons) ends up in markdown that GitHub
 * renders. Anyone can type a name: it must not break a table, inject HTML or links, or
 * @-mention a team. Everything user-supplied goes through `markdownText`.
 */
import { neutraliseMentionsAndLinks } from '../plan/markdown-text.js';

/** Escapes text for a markdown table cell or list item: one line, no markup, no mentions. */
export function markdownText(text: string): string {
  return neutraliseMentionsAndLinks(
    text
      .replace(/[\r\n\t]+/g, ' ')
      // User text never starts a line here, so only inline markup needs escaping.
      .replace(/[\\`*_[\]|~]/g, (char) => `\\${char}`)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .trim(),
  );
}

/** An email or identifier shown verbatim in a code span (no mention, no autolink). */
export function markdownCode(text: string): string {
  const clean = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/`/g, "'")
    .replace(/\|/g, '\\|');
  return `\`${clean}\``;
}
