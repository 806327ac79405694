import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourceRef } from '../types.js';

export type PathSegment = string | number;

/**
 * Finds the source position of a value (or of its key) in a parsed policy, by the same path that
 * addresses it in the JS value: `['members', 3, 'role']`. When the path does not exist in the
 * document (a missing key), the position of the deepest node that does is returned, so every
 * diagnostic has a position.
 */
export class Locator {
  constructor(
    readonly file: string,
    private readonly doc: Document.Parsed,
    private readonly lineCounter: LineCounter,
  ) {}

  /** The node at `path`, or the deepest existing ancestor (and whether the path was found). */
  node(
    path: readonly PathSegment[],
    part: 'key' | 'value' = 'value',
  ): { node: Node | null; found: boolean } {
    let node: unknown = this.doc.contents;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i] as PathSegment;
      const here = this.resolve(node);
      if (isMap(here)) {
        const pair = here.items.find((p) => keyText(p.key) === String(segment));
        if (!pair) return { node: here, found: false };
        if (i === path.length - 1 && part === 'key') return { node: pair.key as Node, found: true };
        // `key:` with nothing after it has a null value node; fall back to the key.
        node = pair.value ?? pair.key;
      } else if (isSeq(here)) {
        const item = here.items[Number(segment)];
        if (item === undefined) return { node: here, found: false };
        node = item;
      } else {
        return { node: (here as Node | null) ?? null, found: false };
      }
    }
    return { node: (node as Node | null) ?? null, found: true };
  }

  /** Position of the node at `path` (or its key), 1-based. */
  at(path: readonly PathSegment[], part: 'key' | 'value' = 'value'): SourceRef {
    return this.position(this.node(path, part).node);
  }

  position(node: Node | null | undefined): SourceRef {
    const offset = node?.range?.[0] ?? this.doc.range[0];
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, col };
  }

  /** Follows `*alias` to its anchored node, so paths through aliases keep working. */
  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}
