/**
 * CODEOWNERS as GitHub reads it: one rule a line, `PATTERN OWNER…`; the last matching rule
 * decides, and a rule with no owner leaves its paths unowned. Patterns follow gitignore: a
 * leading `/` (or a `/` inside) anchors at the root, a trailing `/` owns everything below,
 * `*` stays within a path segment, `**` crosses them, an unanchored name matches at any depth.
 */

export interface OwnerRule {
  line: number;
  pattern: string;
  owners: string[];
  match: (path: string) => boolean;
}

export function parseCodeowners(text: string): OwnerRule[] {
  const rules: OwnerRule[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const [pattern, ...owners] = line.split(/\s+/) as [string, ...string[]];
    rules.push({ line: index + 1, pattern, owners, match: matcher(pattern) });
  });
  return rules;
}

/** The owners of a repository-relative path (no leading `/`); empty when unowned. */
export function ownersOf(rules: readonly OwnerRule[], path: string): string[] {
  let owners: string[] = [];
  for (const rule of rules) if (rule.match(path)) owners = rule.owners;
  return owners;
}

function matcher(pattern: string): (path: string) => boolean {
  const directory = pattern.endsWith('/');
  const body = pattern.replace(/^\//, '').replace(/\/$/, '');
  const anchored = pattern.startsWith('/') || body.includes('/');
  const regex = new RegExp(
    `^${anchored ? '' : '(?:.*/)?'}${globSource(body)}${directory ? '/.*' : '(?:/.*)?'}$`,
  );
  return (path) => regex.test(path);
}

function globSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (glob.startsWith('**/', i)) {
      out += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      out += '.*';
      i += 1;
    } else if (char === '*') {
      out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else {
      out += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return out;
}
