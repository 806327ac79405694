import type { Document } from 'yaml';
import { normalizeEmail } from './check-email.js';
import {
  emailOf,
  fields,
  newMemberLines,
  renderScalar,
  rootPair,
  type MemberUpsert,
} from './edit-common.js';
import {
  columnOf,
  isBlankLine,
  lastContentOffset,
  lineEndOf,
  lineStartOf,
  nextLineStart,
  previousLineStart,
  type Splice,
} from './edit-text.js';
import {
  isMap,
  isScalar,
  isSeq,
  pairAt,
  pairsOf,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from './yaml-nodes.js';

/**
 * The layout-preserving half of the policy edits: minimal text splices at the offsets the parser
 * reports. `undefined` means "a layout this does not splice"; the caller then uses the Document
 * API's output. The caller also checks every splice result against the Document API's value.
 */

function start(node: Node): number {
  return (node.range as [number, number, number])[0];
}

function end(node: Node): number {
  return (node.range as [number, number, number])[1];
}

/** Offset of the `- ` indicator of a block sequence item (on the item's first line). */
function dashOffset(text: string, item: Node): number {
  const lineStart = lineStartOf(text, start(item));
  const dash = text.lastIndexOf('-', start(item));
  return dash >= lineStart ? dash : start(item);
}

/** End of the item's last line (its `\n`), after any trailing comment on that line. */
function itemLineEnd(text: string, item: Node): number {
  return lineEndOf(text, lastContentOffset(text, start(item), end(item)));
}

export function upsertSplices(
  text: string,
  doc: Document.Parsed,
  edit: MemberUpsert,
): Splice[] | undefined {
  const pair = rootPair(doc, 'members');
  if (!pair) {
    if (!isMap(doc.value) || doc.value.flow) return undefined;
    const prefix = text === '' || text.endsWith('\n') ? '' : '\n';
    return [
      {
        start: text.length,
        end: text.length,
        text: `${prefix}members:\n${newMemberLines(edit, '  ', '    ')}\n`,
      },
    ];
  }
  const seq = pair.value;
  if (isSeq(seq) && seq.flow && seq.length === 0) {
    const indent = ' '.repeat(columnOf(text, start(pair.key)) + 2);
    const colon = text.indexOf(':', end(pair.key)) + 1;
    return [
      { start: colon, end: end(seq), text: `\n${newMemberLines(edit, indent, `${indent}  `)}` },
    ];
  }
  if (!isSeq(seq) || seq.flow || seq.length === 0) return undefined;

  const target = normalizeEmail(edit.email);
  const item = seq.find((it) => emailOf(it) === target);
  if (item) return isMap(item) && !item.flow ? mapSplices(text, item, edit) : undefined;

  const last = seq[seq.length - 1] as Node;
  const dashCol = columnOf(text, dashOffset(text, last));
  const keyCol = isMap(last) ? columnOf(text, start(last)) : dashCol + 2;
  const at = itemLineEnd(text, last);
  // Keep the list's rhythm: a blank line between entries if the last entry has one before it.
  let above = previousLineStart(text, lineStartOf(text, dashOffset(text, last)));
  while (above >= 0 && text.slice(above, lineEndOf(text, above)).trim().startsWith('#')) {
    above = previousLineStart(text, above);
  }
  const gap = seq.length > 1 && above >= 0 && isBlankLine(text, above) ? '\n' : '';
  return [
    {
      start: at,
      end: at,
      text: `\n${gap}${newMemberLines(edit, ' '.repeat(dashCol), ' '.repeat(keyCol))}`,
    },
  ];
}

function mapSplices(
  text: string,
  map: YAMLMap<Node, Node>,
  edit: MemberUpsert,
): Splice[] | undefined {
  const splices: Splice[] = [];
  const pairs = pairsOf(map);
  const first = pairs[0];
  if (!first || !isScalar(first.key)) return undefined;
  const keyIndent = ' '.repeat(columnOf(text, start(first.key)));
  const inserts: string[] = [];
  for (const [key, value] of fields(edit)) {
    if (value === undefined) continue;
    const pair = pairs.find((p) => isScalar(p.key) && p.key.value === key);
    if (value === null) {
      if (!pair) continue;
      if (pair === first || !isScalar(pair.key)) return undefined;
      const from = lineStartOf(text, start(pair.key));
      const last = (pair.value as Node | null) ?? pair.key;
      splices.push({
        start: from,
        end: nextLineStart(text, lastContentOffset(text, start(last), end(last))),
        text: '',
      });
      continue;
    }
    if (!pair) {
      inserts.push(`\n${keyIndent}${key}: ${renderScalar(value)}`);
      continue;
    }
    const node = pair.value;
    if (isScalar(node) && node.value === value) continue;
    // Only a one-line scalar with a value is replaced in place; anything else takes the reference path.
    if (
      !isScalar(node) ||
      node.value === null ||
      node.type === 'BLOCK_LITERAL' ||
      node.type === 'BLOCK_FOLDED'
    ) {
      return undefined;
    }
    splices.push({ start: start(node), end: end(node), text: renderScalar(value) });
  }
  if (inserts.length > 0) {
    const lastPair = pairs[pairs.length - 1] as Pair<Node, Node>;
    const lastNode = (lastPair.value as Node | null) ?? (lastPair.key as Node);
    const at = lineEndOf(text, lastContentOffset(text, start(lastNode), end(lastNode)));
    splices.push({ start: at, end: at, text: inserts.join('') });
  }
  return splices;
}

/** Removes the lines of the chosen items of a block sequence, with one adjacent blank line. */
function blockRemovals(
  text: string,
  key: Node,
  seq: YAMLSeq<Node>,
  remove: ReadonlySet<number>,
): Splice[] {
  if (remove.size === seq.length) {
    // Nothing left: `key: []`, the item lines gone (comments between them stay).
    const colon = text.indexOf(':', end(key));
    const splices: Splice[] = [{ start: colon + 1, end: colon + 1, text: ' []' }];
    for (const item of seq) {
      splices.push({
        start: lineStartOf(text, dashOffset(text, item)),
        end: nextLineStart(text, itemLineEnd(text, item)),
        text: '',
      });
    }
    return splices;
  }
  const spans: Array<[number, number]> = [];
  for (const index of [...remove].sort((a, b) => a - b)) {
    const item = seq[index] as Node;
    let from = lineStartOf(text, dashOffset(text, item));
    let to = nextLineStart(text, itemLineEnd(text, item));
    const before = previousLineStart(text, from);
    if (before >= 0 && isBlankLine(text, before)) from = before;
    else if (to < text.length && isBlankLine(text, to)) to = nextLineStart(text, to);
    const previous = spans[spans.length - 1];
    if (previous && from <= previous[1]) previous[1] = Math.max(previous[1], to);
    else spans.push([from, to]);
  }
  return spans.map(([from, to]) => ({ start: from, end: to, text: '' }));
}

function flowRemoval(text: string, seq: YAMLSeq<Node>, remove: ReadonlySet<number>): Splice {
  const kept = [...seq]
    .filter((_, i) => !remove.has(i))
    .map((it) => text.slice(start(it), end(it)));
  return { start: start(seq), end: end(seq), text: `[${kept.join(', ')}]` };
}

function listRemovals(
  text: string,
  key: Node,
  seq: unknown,
  targets: ReadonlySet<string>,
): Splice[] {
  if (!isSeq(seq)) return [];
  const remove = new Set<number>();
  [...seq].forEach((it, i) => {
    if (targets.has(emailOf(it) ?? '')) remove.add(i);
  });
  if (remove.size === 0) return [];
  return seq.flow ? [flowRemoval(text, seq, remove)] : blockRemovals(text, key, seq, remove);
}

export function removeSplices(
  text: string,
  doc: Document.Parsed,
  targets: ReadonlySet<string>,
): Splice[] {
  const splices: Splice[] = [];
  const members = rootPair(doc, 'members');
  if (members) splices.push(...listRemovals(text, members.key, members.value, targets));
  const teams = rootPair(doc, 'teams')?.value;
  if (isSeq(teams)) {
    for (const team of teams) {
      if (!isMap(team)) continue;
      const pair = pairAt(team, 'members');
      if (pair) splices.push(...listRemovals(text, pair.key, pair.value, targets));
    }
  }
  return splices;
}
