/**
 * What GitHub would turn into a mention or a link in a comment: `@user`, `@org/team`, an email
 * (a mailto link), `scheme://…` and `www.…` in prose. Code spans and fenced blocks are skipped
 * (GitHub links nothing there), and so are HTML comments (rolecall's hidden markers).
 * Deliberately broad: a false alarm costs a look, a miss costs a notification.
 */
export function liveMentionsAndLinks(markdown: string): string[] {
  const text = prose(markdown);
  const patterns = [
    /(?<![\w`])@[A-Za-z0-9][\w-]*(?:\/[\w-]+)?/g,
    /[\w.+-]@[A-Za-z0-9][\w-]*(?:\.[\w-]+)+/g,
    /[A-Za-z][\w+.-]*:\/\/[^\s)]+/g,
    /www\.[A-Za-z0-9][^\s)]*/gi,
  ];
  return patterns.flatMap((pattern) => text.match(pattern) ?? []);
}

/** The markdown without code spans, fenced blocks and HTML comments: what GitHub scans. */
export function prose(markdown: string): string {
  return (
    markdown
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, ' ')
      // An escaped backtick opens no code span; drop it so the next pattern does not pair it.
      .replace(/\\`/g, ' ')
      .replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, ' ')
  );
}

/** The text a reader sees, minus the zero-width spaces that keep it inert. */
export function visible(markdown: string): string {
  return markdown.replace(/\u200b/g, '');
}
