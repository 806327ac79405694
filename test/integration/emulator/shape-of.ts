/**
 * "Same shape as the published sample": same keys, same nesting, same JSON value types.
 *
 * - A `null` in the sample accepts any value (FreshBooks sends null for unset optional fields).
 * - A non-null sample value needs the same type in the answer (a null there is a difference).
 * - Arrays: each element of the answer must match one element of the sample; an empty sample
 *   array accepts anything, an empty answer array is fine.
 * - Objects: exactly the same keys, except at `maps` paths, which are dictionaries keyed by
 *   data (account ids, feature flags): there every value must match one sample value.
 * Paths are written `$.response.business_memberships[].business`, map entries as `.*`.
 */
export interface ShapeOptions {
  maps?: string[];
  /** Keys the answer may have beyond the sample (documented additions), as full paths. */
  extra?: string[];
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function shapeDifferences(
  sample: unknown,
  actual: unknown,
  options: ShapeOptions = {},
  path = '$',
): string[] {
  if (sample === null) return [];
  if (kind(sample) !== kind(actual))
    return [`${path}: expected ${kind(sample)}, got ${kind(actual)}`];
  if (Array.isArray(sample)) {
    if (sample.length === 0) return [];
    return (actual as unknown[]).flatMap((element, i) => {
      const attempts = sample.map((s) => shapeDifferences(s, element, options, `${path}[]`));
      return attempts.some((d) => d.length === 0)
        ? []
        : (attempts[0] ?? []).map((d) => `${d} (element ${i})`);
    });
  }
  if (kind(sample) !== 'object') return [];
  const s = sample as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  if (options.maps?.includes(path)) {
    const values = Object.values(s);
    if (values.length === 0) return [];
    return Object.entries(a).flatMap(([key, value]) => {
      const attempts = values.map((v) => shapeDifferences(v, value, options, `${path}.*`));
      return attempts.some((d) => d.length === 0)
        ? []
        : (attempts[0] ?? []).map((d) => `${d} (key ${key})`);
    });
  }
  const out: string[] = [];
  for (const key of Object.keys(s)) {
    if (!(key in a)) out.push(`${path}.${key}: missing`);
    else out.push(...shapeDifferences(s[key], a[key], options, `${path}.${key}`));
  }
  for (const key of Object.keys(a)) {
    if (!(key in s) && !options.extra?.includes(`${path}.${key}`))
      out.push(`${path}.${key}: not in the sample`);
  }
  return out;
}
