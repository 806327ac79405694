import { CST } from 'yaml';

/**
 * yaml 3 checks each new key of a mapping against every key before it (`YAMLMap.has` falls back
 * to a scan when the key is new, and there is no option to skip it), so composing a mapping of
 * k keys costs k²/2 comparisons: 50,000 keys take about 20 seconds, a hostile 1 MB file minutes.
 * Policies have small mappings (a member entry has five keys, a whole policy a dozen), so
 * before yaml composes a document this looks at its syntax tree — yaml's own, from the same
 * parse — and adds up that cost. Under the budget nothing changes. Over it, the document is not
 * composed: a key written twice in a large mapping is reported as the duplicate it is (found by
 * comparing the keys' text), and otherwise the largest mapping is refused as too large.
 */

/** Σ k²/2 over a document's large mappings: about a quarter of a second of yaml's key checks. */
export const MAPPING_WORK_BUDGET = 25_000_000;

export interface MappingProblem {
  code: 'DUPLICATE_KEY' | 'MAPPING_TOO_LARGE';
  /** Offset of the key written again, or of the mapping too large. */
  offset: number;
  /** The key (for a duplicate) and the offset of its first occurrence. */
  key?: string;
  firstOffset?: number;
  /** Keys in the mapping. */
  size: number;
}

type Item = CST.CollectionItem;

/** Mappings this size and up count against the budget. */
const LARGE = 64;

function mappingItems(token: CST.Token): Item[] | undefined {
  if (token.type === 'block-map') return token.items as Item[];
  if (token.type === 'flow-collection' && token.start.source === '{') return token.items;
  return undefined;
}

/** Pushes the children of a token that holds any (keys and values), in order. */
function pushChildren(token: CST.Token, stack: CST.Token[]): void {
  if (token.type === 'document') {
    if (token.value) stack.push(token.value);
  } else if (
    token.type === 'block-map' ||
    token.type === 'block-seq' ||
    token.type === 'flow-collection'
  ) {
    // Scalars hold nothing: only collections go on the stack (a policy is mostly scalars).
    for (const item of token.items as Item[]) {
      if (item.key && isCollection(item.key)) stack.push(item.key);
      if (item.value && isCollection(item.value)) stack.push(item.value);
    }
  }
}

function isCollection(token: CST.Token): boolean {
  return (
    token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection'
  );
}

/** What is wrong with a document's mappings, or `[]` when composing them is affordable. */
export function checkMappingWork(
  doc: CST.Document,
  budget: number = MAPPING_WORK_BUDGET,
): MappingProblem[] {
  let work = 0;
  // Smaller mappings cost at most LARGE / 2 comparisons a key: linear, whatever their number.
  const large: Array<{ token: CST.Token; items: Item[] }> = [];
  // Iterative: the input may be hostile (nesting is bounded by the pre-scan, but no matter).
  const stack: CST.Token[] = [doc];
  while (stack.length > 0) {
    const token = stack.pop() as CST.Token;
    const items = mappingItems(token);
    if (items && items.length >= LARGE) {
      work += (items.length * (items.length - 1)) / 2;
      large.push({ token, items });
    }
    pushChildren(token, stack);
  }
  if (work <= budget) return [];

  const problems: MappingProblem[] = [];
  let largest = large[0];
  for (const mapping of large) {
    if (largest && mapping.items.length > largest.items.length) largest = mapping;
    const first = new Map<string, number>();
    for (const item of mapping.items) {
      const key = item.key ? CST.resolveAsScalar(item.key) : null;
      if (!key || !item.key) continue;
      const seen = first.get(key.value);
      if (seen === undefined) first.set(key.value, item.key.offset);
      else {
        problems.push({
          code: 'DUPLICATE_KEY',
          offset: item.key.offset,
          key: key.value,
          firstOffset: seen,
          size: mapping.items.length,
        });
      }
    }
  }
  if (problems.length === 0 && largest) {
    problems.push({
      code: 'MAPPING_TOO_LARGE',
      offset: largest.token.offset,
      size: largest.items.length,
    });
  }
  return problems;
}
