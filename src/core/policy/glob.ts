/**
 * IAM wildcard matching: `*` matches any run of characters (including none), `?` exactly one.
 * Works on offsets so callers can match a part of a string without slicing it.
 */
export function globMatch(
  pattern: string,
  value: string,
  pStart = 0,
  vStart = 0,
  vEnd = value.length,
  pEnd = pattern.length,
): boolean {
  let p = pStart;
  let v = vStart;
  let starP = -1;
  let starV = 0;
  while (v < vEnd) {
    if (p < pEnd) {
      const c = pattern.charCodeAt(p);
      if (c === 42 /* * */) {
        starP = p++;
        starV = v;
        continue;
      }
      if (c === 63 /* ? */ || c === value.charCodeAt(v)) {
        p++;
        v++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP + 1;
    v = ++starV;
  }
  while (p < pEnd && pattern.charCodeAt(p) === 42) p++;
  return p === pEnd;
}

export function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/** A matcher for one pattern, specialised for the common shapes (exact, `*`, `prefix*`). */
export type StringMatcher = (value: string) => boolean;

export function compileGlob(pattern: string): StringMatcher {
  if (pattern === '*') return () => true;
  const first = firstWildcard(pattern);
  if (first < 0) return (v) => v === pattern;
  const prefix = pattern.slice(0, first);
  if (first === pattern.length - 1 && pattern[first] === '*') return (v) => v.startsWith(prefix);
  // Reject on the literal prefix and suffix before the general match: most candidates differ there.
  let last = pattern.length - 1;
  while (pattern[last] !== '*' && pattern[last] !== '?') last--;
  const suffix = pattern.slice(last + 1);
  const minLength = prefix.length + suffix.length;
  return (v) => v.length >= minLength && v.startsWith(prefix) && v.endsWith(suffix) && globMatch(pattern, v, first, first, v.length - suffix.length, last + 1);
}

function firstWildcard(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 42 || c === 63) return i;
  }
  return -1;
}

/**
 * An anchored RegExp for a wildcard pattern, for matching one pattern against many names (the
 * action catalog's expansion). Case-insensitive, as action names are; `s` so `*` also spans
 * line breaks.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}
