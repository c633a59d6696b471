/**
 * Canonical JSON for hashing: object keys sorted by UTF-16 code units, no whitespace, numbers
 * and strings as JSON.stringify writes them (the JCS rules of RFC 8785 for the values we store).
 * The audit chain MACs this form rather than the stored text, so a record re-serialized by a
 * migration or another tool still verifies as long as its content is unchanged.
 */

/** Strings JSON.stringify writes as they are between quotes: no quote, backslash, control character or surrogate. */
// eslint-disable-next-line no-control-regex
const PLAIN_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

export function canonicalJson(value: unknown): string {
  // Most values of an event are plain strings; quoting them here skips a call into JSON.stringify.
  if (typeof value === 'string') return PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
  if (value === null || typeof value !== 'object') {
    // undefined, functions and symbols are not JSON; in arrays they become null, as in JSON.stringify.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return out + ']';
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  let out = '';
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out += (out === '' ? '' : ',') + canonicalJson(key) + ':' + canonicalJson(item);
  }
  return `{${out}}`;
}
