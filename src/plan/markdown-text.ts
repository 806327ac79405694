/**
 * Markdown building blocks for the plan comment: text from FreshBooks and the policy is data,
 * never markup, and the comment has a hard size limit.
 */

/** A code fence longer than any backtick run in `body`, so the block cannot be closed early. */
export function fenceFor(body: string): string {
  let longest = 0;
  for (const run of body.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Inline code that survives backticks and newlines in the text. */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(CONTROL, '\ufffd');
  if (!flat.includes('`')) return `\`${flat}\``;
  return `\`\` ${flat.replace(/``+/g, '`')} \`\``;
}

// C0 and C1 control characters and DEL never belong in a comment.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Plain text in markdown: no live HTML, no accidental emphasis, tables or links. */
export function escapeText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(CONTROL, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~])/g, '\\$1');
}

/**
 * Makes text unable to mention or link on GitHub, which `escapeText` alone does not: GitHub
 * finds `@user`, `@org/team`, emails (mailto links), `scheme://…` and `www.…` in the *rendered*
 * text, so escaping the markdown does not stop them, and neither does an HTML entity (`&#64;`
 * is decoded first). A zero-width space does: after every `@`, inside every `://` and after
 * every `www`. The reader sees the same text; GitHub sees no mention and no link. Apply it to
 * text that is already escaped markdown (it adds no markup characters).
 */
export function neutraliseMentionsAndLinks(text: string): string {
  return text
    .replace(/@/g, '@\u200b')
    .replace(/:\/\//g, ':/\u200b/')
    .replace(/(www)\./gi, '$1\u200b.');
}

/**
 * User-supplied text (policy reasons, tickets, team names, FreshBooks names, guard messages) in
 * a comment rolecall posts: no markup, no mention, no link. Emails and identifiers the reader
 * must copy go in `code` instead, where GitHub links nothing.
 */
export function inertText(text: string): string {
  return neutraliseMentionsAndLinks(escapeText(text));
}

/** Collects strings up to a limit; once a push would overflow, it is full and stays full. */
export class BoundedBuffer {
  private readonly parts: string[] = [];
  private length = 0;
  full = false;
  constructor(private readonly limit: number) {}

  push(text: string): boolean {
    if (this.full || this.length + text.length > this.limit) {
      this.full = true;
      return false;
    }
    this.parts.push(text);
    this.length += text.length;
    return true;
  }

  pushAll(texts: readonly string[]): boolean {
    for (const text of texts) if (!this.push(text)) return false;
    return true;
  }

  text(): string {
    return this.parts.join('');
  }
}
