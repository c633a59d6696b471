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
  const star = pattern.indexOf('*');
  if (star < 0 && !pattern.includes('?')) return (v) => v === pattern;
  if (star === pattern.length - 1 && !pattern.includes('?')) {
    const prefix = pattern.slice(0, -1);
    return (v) => v.startsWith(prefix);
  }
  return (v) => globMatch(pattern, v);
}
