import { parseDocument, type Document } from 'yaml';
import { canonicalJson } from '../canonical.js';
import { normalizeEmail } from './check-email.js';
import { emailOf, fields, parse, PARSE_OPTIONS, type MemberUpsert } from './edit-common.js';
import { removeSplices, upsertSplices } from './edit-splices.js';
import { applySplices, type Splice } from './edit-text.js';
import { isMap, isSeq, type Node, type YAMLSeq } from './yaml-nodes.js';

export type { MemberUpsert } from './edit-common.js';
export { renderScalar } from './edit-common.js';

/**
 * Comment- and layout-preserving edits of a policy file, for `rolecall request`, the review
 * clean-up and the expiry clean-up pull requests.
 *
 * Re-serialising a `yaml` Document keeps comments but not layout (aligned trailing comments
 * collapse, quoting and spacing shift), which makes a one-line change show as a noisy diff. So
 * each edit is done twice: with the Document API (the reference result) and as minimal text
 * splices at the offsets the parser reports (the layout-preserving result). The spliced text is
 * used only if it parses to exactly the reference value; otherwise the Document API's output is
 * returned. Either way the result means what the edit says.
 */

// ───────────────────────────── the reference edits (Document API) ─────────────────────────────

function upsertInDocument(doc: Document.Parsed, edit: MemberUpsert): void {
  let seq: unknown = doc.get('members');
  if (!isSeq(seq)) {
    seq = doc.createNode([]);
    doc.set('members', seq);
  }
  const members = seq as YAMLSeq<Node>;
  const target = normalizeEmail(edit.email);
  const item = members.find((it) => emailOf(it) === target);
  if (isMap(item)) {
    for (const [key, value] of fields(edit)) {
      if (value === null) item.delete(key);
      else if (value !== undefined) item.set(key, value);
    }
    return;
  }
  const entry: Record<string, string> = { email: edit.email.trim() };
  for (const [key, value] of fields(edit)) if (typeof value === 'string') entry[key] = value;
  members.push(doc.createNode(entry));
}

/** Keeps the entries of a sequence whose email is not a target (in place: it is the document's). */
function dropTargets(seq: YAMLSeq<Node>, targets: ReadonlySet<string>): void {
  const kept = [...seq].filter((it) => !targets.has(emailOf(it) ?? ''));
  if (kept.length !== seq.length) seq.splice(0, seq.length, ...kept);
}

function removeInDocument(doc: Document.Parsed, targets: ReadonlySet<string>): void {
  const members = doc.get('members');
  if (isSeq(members)) dropTargets(members, targets);
  const teams = doc.get('teams');
  if (!isSeq(teams)) return;
  for (const team of teams) {
    if (!isMap(team)) continue;
    const list = team.get('members');
    if (isSeq(list)) dropTargets(list, targets);
  }
}

// ───────────────────────────── the public edits ─────────────────────────────

function finish(text: string, splices: Splice[] | undefined, reference: Document.Parsed): string {
  const expected = canonicalJson(reference.toJS());
  if (splices !== undefined) {
    const spliced = applySplices(text, splices);
    const check = parseDocument(spliced, PARSE_OPTIONS);
    if (check.errors.length === 0 && canonicalJson(check.toJS()) === expected) return spliced;
  }
  return reference.toString({ lineWidth: 0 });
}

/**
 * Adds a member, or updates an existing one (matched by email, trimmed and case-insensitive):
 * role, reason, and `expires`/`ticket` when given. An extension is an edit of `expires`.
 * People listed only through a team are not moved: validation reports the conflict.
 */
export function upsertMember(text: string, edit: MemberUpsert): string {
  const reference = parse(text);
  upsertInDocument(reference, edit);
  return finish(text, upsertSplices(text, parse(text), edit), reference);
}

/** Removes people from `members` and from every team's `members` list. `rules.protected` is left alone. */
export function removeMembers(text: string, emails: readonly string[]): string {
  const targets = new Set(emails.map(normalizeEmail));
  const reference = parse(text);
  removeInDocument(reference, targets);
  return finish(text, removeSplices(text, parse(text), targets), reference);
}
