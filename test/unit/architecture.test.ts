/**
 * The architecture, checked against the import graph of src/ (static imports and re-exports,
 * and dynamic `import('…')`, a specifier held in a local constant included). The rules:
 *
 *   cli → flows → {apply, plan, drift, review, jit, import, sync, init, doctor}
 *       → {policy, freshbooks, github, git} → {types, errors, ports}
 *
 * - nothing outside src/cli/ imports src/cli/;
 * - no import cycle, between files or between areas, type-only imports included: a type
 *   shared both ways belongs in a third module (or in the one that owns it), and a cycle that
 *   only types close is the same tangle for a reader as one that runs;
 * - the pure core imports no I/O, directly or through anything it imports;
 * - no area imports one of a higher layer, and imports within a layer are the listed ones.
 * The ESLint purity rule (test/eslint.config.js) says the same per file, in the editor.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The layers, top to bottom: entry points, use cases, the core, adapters, shared definitions.
 * An area (a folder of src/, or a file at its top) may import itself and any lower layer.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['cli', 'precompile-schemas', 'bundle-package', 'write-build-info'],
  ['flows'],
  ['apply', 'plan', 'drift', 'review', 'jit', 'import', 'sync', 'init', 'doctor'],
  ['policy', 'freshbooks', 'github', 'git', 'emulator', 'write-file-atomic'],
  [
    'types',
    'errors',
    'ports',
    'roles',
    'seats',
    'canonical',
    'redact',
    'paths',
    'console',
    'schemas',
  ],
];

/** Imports between areas of one layer: each allowed one (an area, or one file of an area). */
const SAME_LAYER: Readonly<Record<string, readonly string[]>> = {
  // The core: one diff (plan/); the applier re-reads live members the sync's way; drift
  // reads journals through apply's pure records only; jit renders with review's escaping.
  apply: ['plan', 'sync'],
  drift: ['plan', 'apply/records.ts'],
  review: ['plan'],
  jit: ['plan', 'review'],
  // The doctor compares the workflows with what init renders, and prints as the plan does.
  doctor: ['init', 'plan/markdown-text.ts', 'plan/terminal-text.ts'],
  // The github-secret token store, loaded lazily so a build may leave GitHub out; the file
  // store replaces its file with the one atomic writer.
  freshbooks: ['github/token-store-github-secret.ts', 'write-file-atomic'],
  // Shared definitions build on one another (the cycle test keeps that one-way).
  types: ['roles'],
  seats: ['types', 'roles'],
  ports: ['types'],
  console: ['ports'],
  schemas: ['paths'],
};

/** Pure: computes only; `now` and every fact come in as arguments. */
const PURE = [
  'plan/',
  'drift/',
  'review/',
  'jit/',
  'import/',
  'init/',
  'doctor/',
  'apply/records.ts',
];
const IO_MODULES = new Set([
  'node:fs',
  'node:fs/promises',
  'node:http',
  'node:https',
  'node:net',
  'node:child_process',
  'fs',
  'fs/promises',
  'http',
  'child_process',
  'undici',
  'octokit',
  'simple-git',
]);

interface Edge {
  /** `src/…` path of the importing file. */
  from: string;
  /** `src/…` path of the imported file, or the bare specifier of a package. */
  to: string;
  typeOnly: boolean;
  line: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `./x.js` from `src/a/b.ts` → `src/a/x.ts`; a package specifier stays as it is. */
function target(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const path = relative(ROOT, resolve(ROOT, dirname(from), specifier))
    .split(sep)
    .join('/');
  return path.replace(/\.js$/, '.ts');
}

/** The string a dynamic import's argument stands for: a literal, or a local `const` of one. */
function literalOf(node: ts.Expression, constants: ReadonlyMap<string, string>): string | null {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isIdentifier(node)) return constants.get(node.text) ?? null;
  return null;
}

function importsOf(file: string): { edges: Edge[]; unresolved: string[] } {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(ROOT, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const constants = new Map<string, string>();
  const edges: Edge[] = [];
  const unresolved: string[] = [];
  const add = (node: ts.Node, specifier: string, typeOnly: boolean) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    edges.push({ from: file, to: target(file, specifier), typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      ts.isStringLiteralLike(node.initializer) &&
      ts.getCombinedNodeFlags(node) & ts.NodeFlags.Const
    ) {
      constants.set(node.name.text, node.initializer.text);
    }
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      // `import { type A } from` stays a (side-effect) import under verbatimModuleSyntax.
      add(node, node.moduleSpecifier.text, node.importClause?.isTypeOnly === true);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node, node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const argument = node.arguments[0];
      const specifier = argument ? literalOf(argument, constants) : null;
      const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      if (specifier === null) unresolved.push(`${file}:${line}: import(${argument?.getText()})`);
      else add(node, specifier, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { edges, unresolved };
}

const FILES = sourceFiles('src');
const KNOWN_FILES = new Set(FILES);
const SCANNED = FILES.map(importsOf);
const EDGES = SCANNED.flatMap((scan) => scan.edges);
const INTERNAL = EDGES.filter((edge) => edge.to.startsWith('src/'));
const show = (edge: Edge) => `${edge.from}:${edge.line} → ${edge.to}`;

/** `src/apply/records.ts` → `apply`; `src/types.ts` → `types`. */
function areaOf(path: string): string {
  const [first = ''] = path.slice('src/'.length).split('/');
  return first.replace(/\.ts$/, '');
}

function layerOf(area: string): number {
  const index = LAYERS.findIndex((layer) => layer.includes(area));
  if (index < 0) throw new Error(`${area} is in no layer: add it to LAYERS`);
  return index;
}

/** A cycle through `start` inside `members` (a strongly connected set), as a path. */
function cycleThrough(start: string, graph: Map<string, Set<string>>, members: Set<string>) {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start].join(' → ');
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return start;
}

/** Every cycle of the graph, one path per strongly connected component (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const members = new Set<string>();
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      members.add(member);
    } while (member !== node);
    if (members.size > 1 || graph.get(node)?.has(node)) {
      found.push(cycleThrough(node, graph, members));
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return found;
}

function graphOf(edges: readonly Edge[], key: (path: string) => string) {
  const graph = new Map<string, Set<string>>();
  for (const edge of edges) {
    const from = key(edge.from);
    const to = key(edge.to);
    if (!graph.has(from)) graph.set(from, new Set());
    if (from !== to) graph.get(from)!.add(to);
  }
  return graph;
}

describe('the import graph of src/', () => {
  it('is complete: every import resolves to a file of src/ or a package', () => {
    expect(SCANNED.flatMap((scan) => scan.unresolved)).toEqual([]);
    expect(INTERNAL.filter((edge) => !KNOWN_FILES.has(edge.to)).map(show)).toEqual([]);
    expect(INTERNAL.length).toBeGreaterThan(500);
  });

  it('nothing outside src/cli/ imports src/cli/', () => {
    const upward = INTERNAL.filter(
      (edge) => areaOf(edge.from) !== 'cli' && areaOf(edge.to) === 'cli',
    );
    expect(upward.map(show)).toEqual([]);
  });

  it('has no import cycle between files (type-only imports included)', () => {
    expect(cycles(graphOf(INTERNAL, (path) => path))).toEqual([]);
  });

  it('has no cycle between areas (type-only imports included)', () => {
    expect(cycles(graphOf(INTERNAL, areaOf))).toEqual([]);
  });
});

describe('the pure core', () => {
  const isPure = (path: string) => PURE.some((prefix) => path.startsWith(`src/${prefix}`));

  it('imports no I/O module', () => {
    const direct = EDGES.filter((edge) => isPure(edge.from) && IO_MODULES.has(edge.to));
    expect(direct.map(show)).toEqual([]);
  });

  it('reaches no I/O module through what it imports either', () => {
    const runtime = new Map<string, Edge[]>();
    for (const edge of EDGES.filter((e) => !e.typeOnly)) {
      runtime.set(edge.from, [...(runtime.get(edge.from) ?? []), edge]);
    }
    // One path per pure file, the shortest (breadth first): enough to see where it leaks.
    const reached: string[] = [];
    for (const start of FILES.filter(isPure)) {
      const via = new Map<string, string>([[start, start]]);
      const queue = [start];
      search: while (queue.length > 0) {
        const file = queue.shift()!;
        for (const edge of runtime.get(file) ?? []) {
          if (IO_MODULES.has(edge.to)) {
            reached.push(`${via.get(file)} → ${edge.to}`);
            break search;
          }
          if (edge.to.startsWith('src/') && !via.has(edge.to)) {
            via.set(edge.to, `${via.get(file)} → ${edge.to}`);
            queue.push(edge.to);
          }
        }
      }
    }
    expect(reached).toEqual([]);
  });
});

describe('the layer rule', () => {
  it('places every area of src/ in a layer', () => {
    const areas = [...new Set(FILES.map(areaOf))];
    expect(areas.filter((area) => !LAYERS.flat().includes(area))).toEqual([]);
  });

  const crossing = INTERNAL.filter((edge) => areaOf(edge.from) !== areaOf(edge.to));
  const upward = crossing.filter((edge) => layerOf(areaOf(edge.to)) < layerOf(areaOf(edge.from)));

  it('no area imports one of a higher layer', () => {
    expect(upward.map(show)).toEqual([]);
  });

  it('imports within a layer are the listed ones', () => {
    const sideways = crossing.filter((edge) => {
      const from = areaOf(edge.from);
      const to = areaOf(edge.to);
      if (layerOf(from) !== layerOf(to)) return false;
      const allowed = SAME_LAYER[from] ?? [];
      return !allowed.includes(to) && !allowed.includes(edge.to.slice('src/'.length));
    });
    expect(sideways.map(show)).toEqual([]);
  });
});
