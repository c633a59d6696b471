/**
 * Canonical JSON for hashing: object keys sorted by UTF-16 code units, no whitespace, numbers
 * and strings as JSON.stringify writes them (the JCS rules of RFC 8785 for the values we store).
 * The audit chain MACs this form rather than the stored text, so a record re-serialized by a
 * migration or another tool still verifies as long as its content is unchanged.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // undefined, functions and symbols are not JSON; in arrays they become null, as in JSON.stringify.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}
