/**
 * Text from FreshBooks (names) and from policies (reasons) ends up in markdown that GitHub
 * renders. Anyone can type a name: it must not break a table, inject HTML or links, or
 * @-mention a team. Everything user-supplied goes through `markdownText`.
 */

/** A zero-width space after `@` stops GitHub from turning `@org/team` into a mention. */
const NO_MENTION = '@\u200b';

/** Escapes text for a markdown table cell or list item: one line, no markup, no mentions. */
export function markdownText(text: string): string {
  return (
    text
      .replace(/[\r\n\t]+/g, ' ')
      // User text never starts a line here, so only inline markup needs escaping.
      .replace(/[\\`*_[\]|~]/g, (char) => `\\${char}`)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/@/g, NO_MENTION)
      // …and after `://` stops bare URLs from becoming links.
      .replace(/:\/\//g, ':/\u200b/')
      .trim()
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
