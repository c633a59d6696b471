/**
 * JSON paths (`$.Statement[0].Action[1]`, `$.Statement[0].Condition.StringEquals['aws:SourceVpc']`)
 * → 1-based line and column of the value in the source text, from one iterative pass (no
 * recursion, so deep input cannot overflow the stack). Invalid JSON is mapped up to the error.
 */
import { indexPath, keyPath } from './statement-helpers.js';

export interface SourcePosition {
  line: number;
  column: number;
}

interface Frame {
  isObject: boolean;
  path: string;
  key: string;
  index: number;
  expectKey: boolean;
}

/**
 * Every value's path with the position of its first character. A repeated key keeps the last
 * value, as JSON.parse does. With `wanted` (paths and all their ancestors, see `withAncestors`),
 * values off those paths are skipped without building their paths.
 */
export function jsonPositions(text: string, wanted?: ReadonlySet<string>): Map<string, SourcePosition> {
  const out = new Map<string, SourcePosition>();
  const stack: Frame[] = [];
  let line = 1;
  let lineStart = 0;
  let pending: string | undefined = '$';
  const n = text.length;
  let i = 0;
  // A BOM is not part of the document.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      line++;
      lineStart = i + 1;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === 93 /* ] */ || c === 125 /* } */) {
      pending = undefined;
      stack.pop();
      i++;
      continue;
    }
    if (pending !== undefined) {
      const path = pending;
      pending = undefined;
      if (wanted && !wanted.has(path)) {
        const skipped = skipValue(text, i);
        for (let k = i; k < skipped; k++) {
          if (text.charCodeAt(k) === 10) {
            line++;
            lineStart = k + 1;
          }
        }
        i = skipped;
        continue;
      }
      out.set(path, { line, column: i - lineStart + 1 });
      if (c === 123 /* { */) {
        stack.push({ isObject: true, path, key: '', index: 0, expectKey: true });
        i++;
      } else if (c === 91 /* [ */) {
        stack.push({ isObject: false, path, key: '', index: 0, expectKey: false });
        pending = indexPath(path, 0);
        i++;
      } else if (c === 34 /* " */) {
        i = skipString(text, i);
      } else {
        while (i < n && !isDelimiter(text.charCodeAt(i))) i++;
      }
      continue;
    }
    if (c === 34 && top?.isObject && top.expectKey) {
      const end = skipString(text, i);
      top.key = decodeKey(text.slice(i, end));
      top.expectKey = false;
      i = end;
      continue;
    }
    if (c === 58 /* : */ && top?.isObject) {
      pending = keyPath(top.path, top.key);
    } else if (c === 44 /* , */ && top) {
      if (top.isObject) top.expectKey = true;
      else pending = indexPath(top.path, ++top.index);
    } else if (!top) {
      break; // text after the document: JSON.parse refuses it, and there is nothing more to map
    }
    i++;
  }
  return out;
}

/** Index just past the value starting at `start`: a whole container, string or scalar. */
function skipValue(text: string, start: number): number {
  const c = text.charCodeAt(start);
  if (c === 34) return skipString(text, start);
  if (c !== 123 && c !== 91) {
    let j = start;
    while (j < text.length && !isDelimiter(text.charCodeAt(j))) j++;
    return j;
  }
  let depth = 0;
  let j = start;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === 34) {
      j = skipString(text, j);
      continue;
    }
    if (d === 123 || d === 91) depth++;
    else if ((d === 125 || d === 93) && --depth === 0) return j + 1;
    j++;
  }
  return j;
}

function isDelimiter(c: number): boolean {
  return c === 44 || c === 93 || c === 125 || c === 32 || c === 9 || c === 10 || c === 13;
}

/** Index just past the string starting at `start` (a `"`), or the end of text. */
function skipString(text: string, start: number): number {
  let j = start + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 92 /* \ */) j += 2;
    else if (c === 34) return j + 1;
    else if (c === 10) return j; // an unterminated string stops at the line end
    else j++;
  }
  return text.length;
}

function decodeKey(literal: string): string {
  if (literal.length >= 2 && literal.endsWith('"') && !literal.includes('\\')) return literal.slice(1, -1);
  try {
    const v: unknown = JSON.parse(literal);
    return typeof v === 'string' ? v : literal;
  } catch {
    return literal.slice(1, literal.endsWith('"') ? -1 : undefined);
  }
}

const LAST_SEGMENT = /(\[\d+\]|\['(?:[^'\\]|\\.)*'\]|\.[A-Za-z_$][A-Za-z0-9_$]*)$/;

/** The parent of a path (`$.Statement[0].Action` → `$.Statement[0]`); undefined for `$`. */
export function parentPath(path: string): string | undefined {
  const m = LAST_SEGMENT.exec(path);
  return m && m.index > 0 ? path.slice(0, m.index) : undefined;
}

/** The paths with all their ancestors, for `jsonPositions(text, wanted)`. */
export function withAncestors(paths: Iterable<string>): Set<string> {
  const out = new Set<string>(['$']);
  for (const path of paths) {
    for (let p: string | undefined = path; p !== undefined && !out.has(p); p = parentPath(p)) out.add(p);
  }
  return out;
}

/** The position of `path`, or of its nearest ancestor that has one. */
export function positionOf(positions: ReadonlyMap<string, SourcePosition>, path: string): SourcePosition | undefined {
  let p = path;
  for (let guard = 0; guard < 64; guard++) {
    const hit = positions.get(p);
    if (hit) return hit;
    const m = LAST_SEGMENT.exec(p);
    if (!m || m.index === 0) return positions.get('$');
    p = p.slice(0, m.index);
  }
  return undefined;
}

/** 1-based line and column of a character offset. */
export function offsetPosition(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
