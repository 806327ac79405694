import { Alias, Pair, Scalar, YAMLMap, YAMLSeq, YAMLSet, type Node } from 'yaml';

/**
 * The one place that knows how `yaml`'s node classes are shaped (yaml 3: collections hold their
 * entries in a `Map` or extend `Array`, and the type tests are `instanceof`). Everything else in
 * `src/policy/` walks documents through these helpers, so a change of the library's node API is
 * a change of this file.
 */

export type { Node } from 'yaml';
export { Alias, Pair, Scalar, YAMLMap, YAMLSeq };

export const isMap = (node: unknown): node is YAMLMap<Node, Node> => node instanceof YAMLMap;
export const isSeq = (node: unknown): node is YAMLSeq<Node> => node instanceof YAMLSeq;
export const isScalar = (node: unknown): node is Scalar => node instanceof Scalar;
export const isAlias = (node: unknown): node is Alias => node instanceof Alias;
export const isPair = (node: unknown): node is Pair<Node, Node> => node instanceof Pair;
export const isSet = (node: unknown): node is YAMLSet<Node> => node instanceof YAMLSet;
export const isCollection = (
  node: unknown,
): node is YAMLMap<Node, Node> | YAMLSeq<Node> | YAMLSet<Node> =>
  node instanceof YAMLMap || node instanceof YAMLSeq || node instanceof YAMLSet;

/** The pairs of a mapping, in document order. */
export function pairsOf(map: YAMLMap<Node, Node>): Pair<Node, Node>[] {
  return [...map.values.values()];
}

/** The first pair whose key is the scalar `key` (compared as text, like the JS value's keys). */
export function pairAt(map: YAMLMap<Node, Node>, key: string): Pair<Node, Node> | undefined {
  for (const pair of map.values.values()) {
    if (isScalar(pair.key) && String(pair.key.value) === key) return pair;
  }
  return undefined;
}

/** The entries of a sequence or a set (a set's are its keys), in document order. */
export function entriesOf(collection: YAMLSeq<Node> | YAMLSet<Node>): Node[] {
  return collection instanceof YAMLSeq ? [...collection] : [...collection.values.values()];
}

/**
 * `mapKey` for parsing policies: every key is its own node, so a mapping keeps every pair as
 * written — duplicates included — and the loader reports a duplicate with both positions
 * (`yaml`'s own key identity keeps only one of them). Lookups by a plain value still work.
 */
export function occurrenceKey(value: unknown): unknown {
  return value instanceof Pair ? (value.key as unknown) : value;
}
