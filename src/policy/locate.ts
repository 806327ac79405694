import type { Document, LineCounter } from 'yaml';
import type { SourceRef } from '../types.js';
import { isAlias, isMap, isSeq, pairAt, type Node } from './yaml-nodes.js';

export type PathSegment = string | number;

export interface ParsedDocument {
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

/**
 * Finds the source position of a value (or of its key) in a parsed policy, by the same path that
 * addresses it in the JS value: `['members', 3, 'role']`. When the path does not exist in the
 * document (a missing key), the position of the deepest node that does is returned, so every
 * diagnostic has a position.
 *
 * The parsed document is by far the largest thing a policy holds (about 16 bytes of yaml nodes
 * per byte of text), so once a file is validated and normalised its locator is `release()`d;
 * positions `keep()`-ed before stay available, and any other position asked for afterwards (a
 * diagnostic found across files) parses the text again — the same text, the same document.
 */
export class Locator {
  private doc: Document.Parsed | null;
  private lineCounter: LineCounter | null;
  private readonly kept = new Map<string, SourceRef>();

  constructor(
    readonly file: string,
    doc: Document.Parsed | null,
    lineCounter: LineCounter | null,
    /** Parses the text again after `release()`; without it, `release()` keeps the document. */
    private readonly reparse?: () => ParsedDocument,
  ) {
    this.doc = doc;
    this.lineCounter = lineCounter;
  }

  /**
   * A released locator made from the positions another one kept (`kept()`), for a document
   * validated elsewhere (a worker thread): it parses `reparse()` when asked anything else.
   */
  static released(
    file: string,
    kept: Iterable<[string, SourceRef]>,
    reparse: () => ParsedDocument,
  ): Locator {
    const locator = new Locator(file, null, null, reparse);
    for (const [key, source] of kept) locator.kept.set(key, source);
    return locator;
  }

  /** The positions `keep()` remembered, to rebuild this locator elsewhere (`released`). */
  keptPositions(): Array<[string, SourceRef]> {
    return [...this.kept];
  }

  /** Remembers the position of `path` so that `at` answers it after `release()` without a parse. */
  keep(path: readonly PathSegment[], part: 'key' | 'value' = 'value'): void {
    this.kept.set(keyOf(path, part), this.at(path, part));
  }

  /** Lets the parsed document go (when it can be parsed again). */
  release(): void {
    if (!this.reparse) return;
    this.doc = null;
    this.lineCounter = null;
  }

  private parsed(): ParsedDocument {
    if (!this.doc || !this.lineCounter) {
      const again = (this.reparse as () => ParsedDocument)();
      this.doc = again.doc;
      this.lineCounter = again.lineCounter;
    }
    return { doc: this.doc, lineCounter: this.lineCounter };
  }

  /** The node at `path`, or the deepest existing ancestor (and whether the path was found). */
  node(
    path: readonly PathSegment[],
    part: 'key' | 'value' = 'value',
  ): { node: Node | null; found: boolean } {
    let node: unknown = this.parsed().doc.value;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i] as PathSegment;
      const here = this.resolve(node);
      if (isMap(here)) {
        const pair = pairAt(here, String(segment));
        if (!pair) return { node: here, found: false };
        if (i === path.length - 1 && part === 'key') return { node: pair.key as Node, found: true };
        // `key:` with nothing after it has a null value node; fall back to the key.
        node = pair.value ?? pair.key;
      } else if (isSeq(here)) {
        const item = here[Number(segment)];
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
    const kept = this.kept.size === 0 ? undefined : this.kept.get(keyOf(path, part));
    if (kept) return { ...kept };
    return this.position(this.node(path, part).node);
  }

  position(node: Node | null | undefined): SourceRef {
    const { doc, lineCounter } = this.parsed();
    const offset = node?.range?.[0] ?? doc.range[0];
    const { line, col } = lineCounter.linePos(offset);
    return { file: this.file, line, col };
  }

  /** Follows `*alias` to its anchored node, so paths through aliases keep working. */
  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.parsed().doc) : node;
  }
}

function keyOf(path: readonly PathSegment[], part: 'key' | 'value'): string {
  return `${part}\u0000${path.join('\u0001')}`;
}
