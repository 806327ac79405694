/**
 * The README links the reference that moved next to what it describes (issue 15): the policy
 * reference beside the schemas, the emulator's beside its code, the benchmark's beside the
 * benchmark, the security model, architecture and decisions under .github/. A moved or renamed
 * file must not leave a dead link behind, so every relative link in those documents must name
 * a file that exists, and an anchor into one of them must name one of its headings.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const DOCS = [
  'README.md',
  '.github/ARCHITECTURE.md',
  '.github/CONTRIBUTING.md',
  '.github/DECISIONS.md',
  '.github/SECURITY-MODEL.md',
  '.github/workflows/README.md',
  'schemas/README.md',
  'src/emulator/README.md',
  'test/bench/README.md',
];

/**
 * Markdown without fenced code blocks and inline code, where `[x](y)` is not a link. (Indented
 * code blocks stay: telling them from a list item's continuation needs a full parser, and a
 * link-like text in one would only be checked needlessly, never missed.)
 */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/(`+)[\s\S]*?\1/g, '');
}

/** Every link target: inline `[text](target)`, images, and reference definitions `[x]: target`. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const references = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map(
    (m) => m[1]!,
  );
  return [...inline, ...references];
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const match of withoutFences.matchAll(/^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/** The broken links of one document, as `target: why`. */
function brokenLinks(file: string, markdown: string): string[] {
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (isExternal(target)) continue;
    const [path = '', anchor] = target.split('#', 2);
    const resolved = path === '' ? file : join(dirname(file), decodeURIComponent(path));
    if (relative(ROOT, resolved).startsWith('..')) {
      broken.push(`${target}: outside the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      broken.push(`${target}: no such file`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && statSync(resolved).isFile()) {
      const ids = headingIds(readFileSync(resolved, 'utf8'));
      if (!ids.has(decodeURIComponent(anchor))) broken.push(`${target}: no such heading`);
    }
  }
  return broken;
}

describe('links in the documentation', () => {
  it.each(DOCS)('%s links only to files and headings that exist', (doc) => {
    const file = join(ROOT, doc);
    const markdown = readFileSync(file, 'utf8');
    expect(brokenLinks(file, markdown)).toEqual([]);
  });

  it('the README links every moved document', () => {
    const targets = new Set(linkTargets(readFileSync(join(ROOT, 'README.md'), 'utf8')));
    for (const doc of DOCS.filter((d) => d !== 'README.md')) expect(targets).toContain(doc);
  });

  it.each(DOCS.filter((d) => d !== 'README.md'))('%s links back to the README', (doc) => {
    const file = join(ROOT, doc);
    const targets = linkTargets(readFileSync(file, 'utf8'));
    const resolved = targets.map((t) => join(dirname(file), t.split('#')[0] ?? ''));
    expect(resolved).toContain(join(ROOT, 'README.md'));
  });

  it('finds broken links, and only them (positive control)', () => {
    const file = join(ROOT, 'README.md');
    const sample = [
      '# Title',
      '## Use it for real',
      '[ok](schemas/README.md) [ok anchor](#use-it-for-real) [web](https://example.com/x)',
      '[gone](docs/missing.md) [bad anchor](#nowhere) ![img](no/such.png)',
      '[moved](.github/SECURITY-MODEL.md#no-such-section) [escape](../outside.md)',
      '`[code](not/a/link.md)`',
      '```',
      '[fenced](also/not/a/link.md)',
      '```',
      '[ref]: .github/NOPE.md',
    ].join('\n');
    expect(brokenLinks(file, sample)).toEqual([
      'docs/missing.md: no such file',
      '#nowhere: no such heading',
      'no/such.png: no such file',
      '.github/SECURITY-MODEL.md#no-such-section: no such heading',
      '../outside.md: outside the repository',
      '.github/NOPE.md: no such file',
    ]);
  });

  it('computes heading ids as GitHub does', () => {
    const ids = headingIds(
      ['## `plan.yml`: `rolecall plan --github`', '## Drift', '### Drift', '## Q&A, 2 + 2'].join(
        '\n',
      ),
    );
    expect([...ids]).toEqual(['planyml-rolecall-plan---github', 'drift', 'drift-1', 'qa-2--2']);
  });
});
