import { parseDocument, type Document } from 'yaml';
import { RolecallError } from '../errors.js';
import type { PolicyRole } from '../roles.js';
import { normalizeEmail } from './check-email.js';
import { isMap, isScalar, pairAt, type Node, type Pair } from './yaml-nodes.js';

/** What the policy edits share: the edit itself, parsing, and rendering new YAML text. */

export interface MemberUpsert {
  email: string;
  role: PolicyRole;
  /** Set (a date or date-time text), `null` to remove an existing `expires`, or absent to leave it. */
  expires?: string | null;
  reason: string;
  ticket?: string;
}

/** yaml 3 always refuses a duplicate key (as `uniqueKeys: true` did in yaml 2). */
export const PARSE_OPTIONS = { schema: 'core', merge: false } as const;

export function parse(text: string): Document.Parsed {
  const doc = parseDocument(text, PARSE_OPTIONS);
  const first = doc.errors[0];
  if (first) {
    throw new RolecallError(
      'POLICY_EDIT',
      `cannot edit the policy, it is not valid YAML: ${first.message.split('\n', 1)[0] ?? ''}`,
    );
  }
  return doc;
}

export function emailOf(node: unknown): string | undefined {
  if (isMap(node)) {
    const email = node.get('email');
    return isScalar(email) && typeof email.value === 'string'
      ? normalizeEmail(email.value)
      : undefined;
  }
  if (isScalar(node) && typeof node.value === 'string') return normalizeEmail(node.value);
  return undefined;
}

export function rootPair(doc: Document.Parsed, key: string): Pair<Node, Node> | undefined {
  const root = doc.value;
  return isMap(root) ? pairAt(root, key) : undefined;
}

/** A scalar as YAML text: plain when that reads back as the same string, else double-quoted. */
export function renderScalar(value: string): string {
  if (/^[A-Za-z0-9@][A-Za-z0-9@._+,/()':# -]*$/.test(value) && !/\s$/.test(value)) {
    const back = parseDocument(`k: ${value}\n`, PARSE_OPTIONS);
    const read = back.get('k');
    if (back.errors.length === 0 && isScalar(read) && read.value === value) return value;
  }
  return JSON.stringify(value);
}

export function fields(edit: MemberUpsert): Array<[string, string | null | undefined]> {
  return [
    ['role', edit.role],
    ['expires', edit.expires],
    ['reason', edit.reason],
    ['ticket', edit.ticket],
  ];
}

export function newMemberLines(edit: MemberUpsert, dashIndent: string, keyIndent: string): string {
  const lines = [`${dashIndent}- email: ${renderScalar(edit.email.trim())}`];
  for (const [key, value] of fields(edit)) {
    if (typeof value === 'string') lines.push(`${keyIndent}${key}: ${renderScalar(value)}`);
  }
  return lines.join('\n');
}
