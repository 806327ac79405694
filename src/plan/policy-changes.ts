/**
 * What a change to the policies changes, apart from FreshBooks: the *policy facts*.
 *
 * A pull request can change who gets access or how access is approved without changing anything
 * in FreshBooks today — lower `approvals.required`, drop a protected person, turn on
 * `autoApproveExpiry`, add an `expires` that revokes someone next week, delete a policy file.
 * The approval gate judges these like FreshBooks changes, so they need a precise, comparable
 * form: every fact of a business's validated policy, flattened to `path → JSON value`, with
 * positions, comments, whitespace, key order and spelling (`8h` vs `480m`) gone. Two policies
 * that differ only in those have no fact changes, and only such a change may pass the gate
 * without an approval.
 *
 * Pure: desired states in, a sorted list of changes out.
 */
import { canonicalJson, digestOf } from '../canonical.js';
import type { BusinessPolicy, DesiredState } from '../types.js';

/** One changed fact. A missing side means the fact did not exist (business added/removed…). */
export interface PolicyFactChange {
  /** `approvals.required`, `rules.autoApproveExpiry`, `members["ben@acme.example"].expires`, … */
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface BusinessPolicyChange {
  businessId: number;
  /** The business's `name`, after the change if it still exists. */
  name?: string;
  /** The policy file before and after (`null`: none). */
  fileBefore: string | null;
  fileAfter: string | null;
  /** Sorted by path. */
  changes: PolicyFactChange[];
  /** Members whose own entry changed (their access or its terms): the subjects of the change. */
  subjects: string[];
}

/** The policy facts of one business, flattened. Everything but positions and derived digests. */
export function policyFacts(policy: BusinessPolicy): Map<string, unknown> {
  const facts = new Map<string, unknown>();
  const record = policy as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'source' || key === 'digest' || key === 'businessId' || value === undefined)
      continue;
    if (key === 'members') continue;
    flatten(facts, key, withoutSources(value));
  }
  for (const member of policy.members) {
    const { email, source: _source, ...terms } = member;
    for (const [field, value] of Object.entries(terms)) {
      if (value !== undefined) facts.set(`members[${JSON.stringify(email)}].${field}`, value);
    }
  }
  return facts;
}

/**
 * Every business whose facts differ between `before` and `after`, ascending by id. `before`
 * `null` means "no policies" (every business is new).
 */
export function diffPolicies(
  before: DesiredState | null,
  after: DesiredState,
): BusinessPolicyChange[] {
  const old = new Map((before?.businesses ?? []).map((b) => [b.businessId, b]));
  const now = new Map(after.businesses.map((b) => [b.businessId, b]));
  const ids = [...new Set([...old.keys(), ...now.keys()])].sort((a, b) => a - b);
  const result: BusinessPolicyChange[] = [];
  for (const id of ids) {
    const a = old.get(id);
    const b = now.get(id);
    const factsA = a ? policyFacts(a) : new Map<string, unknown>();
    const factsB = b ? policyFacts(b) : new Map<string, unknown>();
    const changes: PolicyFactChange[] = [];
    // A business that appears or disappears is a change even when it has no other facts.
    if (!a || !b) changes.push({ path: 'business', ...(a ? { before: id } : { after: id }) });
    for (const path of [...new Set([...factsA.keys(), ...factsB.keys()])].sort()) {
      const x = factsA.get(path);
      const y = factsB.get(path);
      if (
        canonicalJson(x ?? null) === canonicalJson(y ?? null) &&
        factsA.has(path) === factsB.has(path)
      )
        continue;
      changes.push({
        path,
        ...(factsA.has(path) ? { before: x } : {}),
        ...(factsB.has(path) ? { after: y } : {}),
      });
    }
    if (changes.length === 0) continue;
    const subjects = new Set<string>();
    for (const change of changes) {
      const match = /^members\["((?:[^"\\]|\\.)*)"\]\./.exec(change.path);
      if (match) subjects.add(JSON.parse(`"${match[1]}"`) as string);
    }
    const name = b?.name ?? a?.name;
    result.push({
      businessId: id,
      ...(name === undefined ? {} : { name }),
      fileBefore: a?.file ?? null,
      fileAfter: b?.file ?? null,
      changes,
      subjects: [...subjects].sort(),
    });
  }
  return result;
}

/**
 * `sha256:<hex>` over the changes — what an approval of the policy change covers. Files are left
 * out on purpose (a re-plan in another checkout names them the same; a move is a `file` fact).
 */
export function policyChangesDigest(changes: readonly BusinessPolicyChange[]): string {
  return digestOf(changes.map((c) => ({ businessId: c.businessId, changes: c.changes })));
}

/** One line per difference between an approved list of changes and a new one. */
export function comparePolicyChanges(
  approved: readonly BusinessPolicyChange[],
  current: readonly BusinessPolicyChange[],
): string[] {
  const key = (id: number, c: PolicyFactChange) => `${id} ${c.path} ${canonicalJson(c)}`;
  const was = new Map(
    approved.flatMap((b) => b.changes.map((c) => [key(b.businessId, c), { b, c }])),
  );
  const is = new Map(
    current.flatMap((b) => b.changes.map((c) => [key(b.businessId, c), { b, c }])),
  );
  const lines: string[] = [];
  for (const [k, { b, c }] of is)
    if (!was.has(k))
      lines.push(`business ${b.businessId}: new policy change ${describeFactChange(c)}`);
  for (const [k, { b, c }] of was)
    if (!is.has(k))
      lines.push(
        `business ${b.businessId}: approved policy change no longer made: ${describeFactChange(c)}`,
      );
  return lines;
}

/** `approvals.required: 1 → 0`; `members["x"].expires: (none) → "2026-12-07T14:00:00.000Z"`. */
export function describeFactChange(change: PolicyFactChange): string {
  const show = (side: 'before' | 'after') =>
    side in change ? shorten(canonicalJson(change[side])) : '(none)';
  return `${change.path}: ${show('before')} → ${show('after')}`;
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** Objects become dotted paths; arrays and scalars are values (order in a list is a fact). */
function flatten(into: Map<string, unknown>, path: string, value: unknown): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, v]) => v !== undefined,
    );
    if (entries.length === 0) {
      into.set(path, {});
      return;
    }
    for (const [key, inner] of entries) flatten(into, `${path}.${key}`, inner);
    return;
  }
  into.set(path, value);
}

/** Source positions are where a fact is written, not the fact. */
function withoutSources(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSources);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'source') continue;
      out[key] = withoutSources(inner);
    }
    return out;
  }
  return value;
}
