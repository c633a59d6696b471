/**
 * Checks on the raw text of a policy document, before and beside JSON parsing: the character set
 * IAM accepts, the size IAM counts against its quotas, duplicate object keys (which `JSON.parse`
 * silently collapses), and the JSON-path notation used in findings. Every loop here is linear and
 * iterative, so arbitrarily deep or large input cannot overflow the stack.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `$.Statement`, `$.Condition['aws:SourceIp']`: dot notation for identifiers, brackets otherwise. */
export function keyPath(base: string, key: string): string {
  if (IDENTIFIER.test(key)) return `${base}.${key}`;
  return `${base}['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

/** True for the characters IAM's `policyDocumentType` pattern allows: tab, LF, CR, U+0020–U+00FF. */
function allowedChar(code: number): boolean {
  return code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code <= 0xff);
}

export interface CharsetProblem {
  offset: number;
  codePoint: number;
  count: number;
}

/** The first character outside IAM's allowed set, with how many there are in total. */
export function findDisallowedChars(text: string): CharsetProblem | undefined {
  let first = -1;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    if (!allowedChar(text.charCodeAt(i))) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return undefined;
  return { offset: first, codePoint: text.codePointAt(first) ?? 0, count };
}

/**
 * Characters counted against IAM's identity and trust policy quotas: IAM does not count white
 * space, which we take to mean JSON white space outside string literals (the minified length).
 */
export function minifiedLength(text: string): number {
  let n = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      n++;
      if (c === 0x5c) {
        // A backslash escapes the next character, which is counted with it.
        if (i + 1 < text.length) {
          n++;
          i++;
        }
      } else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c === 0x22) inString = true;
    n++;
  }
  return n;
}

export interface DuplicateKey {
  path: string;
  key: string;
}

/** Containers deeper than this are type errors anyway; the scan stops there to stay bounded. */
const MAX_SCAN_DEPTH = 32;

interface Frame {
  isObject: boolean;
  path: string;
  keys?: Set<string>;
  /** Object: the key whose value comes next; array: the index of the current element. */
  key?: string;
  index: number;
  expectKey: boolean;
}

/**
 * Duplicate keys within one object of an already-valid JSON text. `JSON.parse` keeps the last
 * value; AWS does not document what it does, so the caller reports these as warnings.
 */
export function findDuplicateKeys(text: string, limit: number): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  const stack: Frame[] = [];
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '$';
    return top.isObject ? keyPath(top.path, top.key ?? '') : indexPath(top.path, top.index);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && top.isObject && top.expectKey) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return out;
        }
        if (top.keys?.has(key)) {
          out.push({ path: keyPath(top.path, key), key });
          if (out.length >= limit) return out;
        } else top.keys?.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      if (stack.length >= MAX_SCAN_DEPTH) return out;
      const isObject = c === '{';
      stack.push({ isObject, path: childPath(), keys: isObject ? new Set() : undefined, index: 0, expectKey: isObject });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.isObject) top.expectKey = true;
      else if (top) top.index++;
    }
  }
  return out;
}
