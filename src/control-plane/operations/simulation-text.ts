/**
 * What the policy simulator reads from a policy's text: where each statement starts and ends,
 * as AWS reports positions, and which context keys the policy references.
 */

export interface Position {
  line: number;
  column: number;
}

/**
 * Where AWS says a statement starts and ends: 1-based line, and the 1-based column of the
 * character after the token. A statement in an array starts after the token before it (the `[`
 * for the first, the previous statement's `}` for the others) and a lone statement object
 * after its own `{`; every statement ends after its `}`. Lines break at LF, CRLF and CR.
 * AWS-COMPAT: derived from recorded positions, e.g. `{"Version":"2012-10-17","Statement":[{...}]}`
 * gives StartPosition {1, 38}; a pretty-printed policy gives {3, 17} to {9, 6}.
 */
export interface Span {
  start: Position;
  end: Position;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

class JsonScanner {
  i = 0;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly t: string) {
    for (let k = 0; k < t.length; k++) {
      if (t[k] === '\r') {
        if (t[k + 1] === '\n') k++;
        this.lineStarts.push(k + 1);
      } else if (t[k] === '\n') this.lineStarts.push(k + 1);
    }
  }

  /** The position AWS reports for the character after the one at `index`. */
  after(index: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - this.lineStarts[lo] + 2 };
  }

  peek(): string {
    while (this.i < this.t.length && WHITESPACE.has(this.t[this.i])) this.i++;
    if (this.i >= this.t.length) throw new Error('end of text');
    return this.t[this.i];
  }

  string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.t.length && this.t[this.i] !== '"') this.i += this.t[this.i] === '\\' ? 2 : 1;
    this.i++;
    return JSON.parse(this.t.slice(start, this.i)) as string;
  }

  /** Skips one value; the scanner ends just after it. */
  skip(): void {
    const c = this.peek();
    if (c === '"') {
      this.string();
      return;
    }
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      this.i++;
      for (let n = this.peek(); n !== close; n = this.peek()) {
        if (n === ',') {
          this.i++;
          continue;
        }
        if (c === '{') {
          this.string();
          if (this.peek() !== ':') throw new Error('expected :');
          this.i++;
        }
        this.skip();
      }
      this.i++;
      return;
    }
    const start = this.i;
    while (this.i < this.t.length && !WHITESPACE.has(this.t[this.i]) && !',]}'.includes(this.t[this.i])) this.i++;
    if (this.i === start) throw new Error(`unexpected ${c}`);
  }
}

/** The span of each statement, by statement index; empty when the text cannot be scanned. */
export function statementSpans(text: string): Span[] {
  const s = new JsonScanner(text);
  let spans: Span[] = [];
  try {
    if (s.peek() !== '{') return [];
    s.i++;
    for (let c0 = s.peek(); c0 !== '}'; c0 = s.peek()) {
      if (c0 === ',') {
        s.i++;
        continue;
      }
      const key = s.string();
      if (s.peek() !== ':') return [];
      s.i++;
      const c = s.peek();
      if (key !== 'Statement' || (c !== '[' && c !== '{')) {
        s.skip();
        continue;
      }
      spans = [];
      if (c === '{') {
        const open = s.i;
        s.skip();
        spans.push({ start: s.after(open), end: s.after(s.i - 1) });
        continue;
      }
      let last = s.i;
      s.i++;
      for (let c1 = s.peek(); c1 !== ']'; c1 = s.peek()) {
        if (c1 === ',') {
          s.i++;
          continue;
        }
        s.skip();
        spans.push({ start: s.after(last), end: s.after(s.i - 1) });
        last = s.i - 1;
      }
      s.i++;
    }
  } catch {
    return spans;
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const VARIABLE = /\$\{([^}]*)\}/g;

/** Appends `key` unless a key equal regardless of case is already there (keys are case-insensitive). */
export function addKey(out: string[], seen: Set<string>, key: string): void {
  const lower = key.toLowerCase();
  if (seen.has(lower)) return;
  seen.add(lower);
  out.push(key);
}

function addVariables(value: unknown, out: string[], seen: Set<string>): void {
  const texts = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  for (const text of texts) {
    for (const m of text.matchAll(VARIABLE)) {
      const body = m[1].trim();
      if (body === '*' || body === '?' || body === '$' || body === '') continue;
      const comma = body.indexOf(',');
      addKey(out, seen, (comma < 0 ? body : body.slice(0, comma)).trim());
    }
  }
}

/**
 * The context keys a policy references, as written and in document order: condition keys, and
 * policy variables in Resource/NotResource and condition values (only under Version 2012-10-17,
 * where variables exist). AWS's example lists `${aws:username}` from a Resource before the
 * `aws:CurrentTime` of the Condition that follows it.
 */
export function referencedKeys(text: string, out: string[] = [], seen = new Set<string>()): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return out;
  }
  if (!isObject(doc)) return out;
  const variables = doc.Version === '2012-10-17';
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const statement of list) {
    if (!isObject(statement)) continue;
    for (const [element, value] of Object.entries(statement)) {
      if ((element === 'Resource' || element === 'NotResource') && variables) addVariables(value, out, seen);
      if (element !== 'Condition' || !isObject(value)) continue;
      for (const block of Object.values(value)) {
        if (!isObject(block)) continue;
        for (const [key, values] of Object.entries(block)) {
          addKey(out, seen, key);
          if (variables) addVariables(values, out, seen);
        }
      }
    }
  }
  return out;
}
