import { sha256Hex } from '../canonical.js';

/**
 * Every property name a Plan can hold, except the uuids that key `memberFingerprints`. Sorted:
 * `JSON.stringify(value, keys)` writes the listed keys of every object in list order and drops
 * `undefined` members, which is exactly canonical JSON (canonical.ts) for data made of these
 * keys. A test checks that this list covers every property of `schemas/plan.schema.json`.
 */
export const PLAN_PROPERTY_NAMES: readonly string[] = [
  'action',
  'seats',
  'price',
  'per',
  'paidRoles',
  'limit',
  'currency',
  'costChange',
  'cost',
  'before',
  'amount',
  'after',
  'applyable',
  'businessId',
  'businesses',
  'cause',
  'changes',
  'col',
  'createdAt',
  'desiredDigest',
  'direction',
  'dirty',
  'email',
  'expires',
  'file',
  'from',
  'guard',
  'guards',
  'line',
  'liveFingerprint',
  'memberFingerprints',
  'message',
  'mode',
  'name',
  'ok',
  'override',
  'policyCommit',
  'policyFile',
  'policyReason',
  'provisioning',
  'reason',
  'role',
  'sha',
  'source',
  'state',
  'ticket',
  'to',
  'tool',
  'unmanaged',
  'uuid',
  'version',
].sort();

/**
 * The plan digest exactly as `digestOf(content)` (canonical.ts) computes it, several times
 * faster on a big plan. The generic canonicaliser allocates an entries array, a filtered copy
 * and a mapped copy for each of a 100k-change plan's half-million objects; here:
 *
 * - changes, guard results and unmanaged members are built by the planner with their keys
 *   inserted in sorted order and no `undefined` members, so plain `JSON.stringify` — the
 *   fastest serialiser there is — already writes their canonical JSON;
 * - `memberFingerprints` (the only object keyed by data) is written with its uuids sorted;
 * - anything else goes through `JSON.stringify(value, PLAN_PROPERTY_NAMES)`, which writes the
 *   listed keys of every object in list (sorted) order.
 *
 * Only plans made by `buildPlan` go through here. Checking a plan read from a file uses the
 * generic `digestOf`, so a shortcut that stopped holding could never let a tampered file pass:
 * it would make every check fail instead, and the round-trip and property tests with it.
 */
export function planDigestOf(content: object): string {
  return `sha256:${sha256Hex(objectJson(content as Record<string, unknown>, planField))}`;
}

type Special = (key: string, value: unknown) => string | undefined;

const PRE_SORTED_ARRAYS: ReadonlySet<string> = new Set(['changes', 'guards', 'unmanaged']);

function planField(key: string, value: unknown): string | undefined {
  if (key !== 'businesses' || !Array.isArray(value)) return undefined;
  const parts: string[] = [];
  for (const business of value) {
    parts.push(objectJson(business as Record<string, unknown>, businessField));
  }
  return `[${parts.join(',')}]`;
}

function businessField(key: string, value: unknown): string | undefined {
  if (PRE_SORTED_ARRAYS.has(key)) return JSON.stringify(value);
  // Keyed by uuid: sorted here, as strings (an object would put integer-like keys first).
  if (key === 'memberFingerprints') return objectJson(value as Record<string, unknown>, plain);
  return undefined;
}

const plain: Special = (_key, value) => JSON.stringify(value);

function objectJson(record: Record<string, unknown>, special: Special): string {
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const value = record[key];
    if (value === undefined) continue;
    const json = special(key, value) ?? JSON.stringify(value, PLAN_PROPERTY_NAMES as string[]);
    parts.push(`${JSON.stringify(key)}:${json}`);
  }
  return `{${parts.join(',')}}`;
}
