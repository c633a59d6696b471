/**
 * The one order of ids every driver uses: Unicode code point order. It is the order SQLite's
 * BINARY collation gives UTF-8 text (byte order) and PostgreSQL's "C" collation gives, so list
 * pages and `after` cursors agree across drivers. JavaScript's `<` compares UTF-16 code units,
 * which disagrees for characters above U+FFFF against U+E000..U+FFFF.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/**
 * Moves surrogates (which encode code points above U+FFFF) above U+E000..U+FFFF. At the first
 * differing unit of two well-formed strings this gives code point order.
 */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  if (unit < 0xe000) return unit + 0x2000;
  return unit - 0x800;
}

const MAX_CODE_POINT = 0x10ffff;

/**
 * The smallest string greater than every string that starts with `prefix`, in code point order,
 * or undefined when there is none (the prefix is empty or all U+10FFFF). Lets a driver turn a
 * prefix into an index range (`id >= prefix AND id < bound`) that matches exactly, with no LIKE
 * wildcards or collation surprises.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0) as number);
  while (points.length > 0) {
    const last = (points.pop() as number) + 1;
    if (last > MAX_CODE_POINT) continue;
    // Surrogate code points cannot be stored; the next character after U+D7FF is U+E000.
    points.push(last === 0xd800 ? 0xe000 : last);
    return String.fromCodePoint(...points);
  }
  return undefined;
}
