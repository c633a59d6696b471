/**
 * The models' `pattern` constraints are Java regular expressions that must match the whole value
 * (Java's `String.matches`). This turns one into an equivalent JavaScript RegExp (unicode mode, so
 * `\p{L}` works) anchored at both ends, or throws for a construct it doesn't translate; every
 * pattern of the IAM and STS models is compiled by the tests.
 */

/** Characters that keep their backslash in a unicode-mode RegExp (anywhere). */
const SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);
/** Java's `\s`: ASCII whitespace only (JavaScript's also matches Unicode spaces). */
const JAVA_SPACE = '\\t\\n\\x0B\\f\\r ';
const POSIX: Record<string, string> = { ASCII: '\\x00-\\x7F', Alpha: 'A-Za-z', Digit: '0-9', Alnum: 'A-Za-z0-9', Punct: '!-\\/:-@\\[-`{-~' };

const HEX = /[0-9a-fA-F]/;

export function javaPatternToRegExp(pattern: string): RegExp {
  let out = '';
  let inClass = false;
  const fail = (why: string, at: number): never => {
    throw new Error(`cannot translate Java pattern ${JSON.stringify(pattern)} at ${at}: ${why}`);
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '[') {
      if (inClass) fail('nested character classes', i);
      inClass = true;
      out += c;
      continue;
    }
    if (c === ']' && inClass) {
      inClass = false;
      out += c;
      continue;
    }
    if (inClass && c === '&' && pattern.charAt(i + 1) === '&') fail('class intersection (&&)', i);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = pattern.charAt(i + 1);
    if (n === '') fail('trailing backslash', i);
    i++;
    if (n === 'u') {
      let j = i + 1;
      while (j < pattern.length && j - (i + 1) < 6 && HEX.test(pattern.charAt(j))) j++;
      const hex = pattern.slice(i + 1, j);
      if (hex.length < 4) fail('\\u needs four hex digits', i);
      const long = parseInt(hex, 16);
      // AWS-COMPAT: the STS model writes supplementary code points as `\u10000-\u10FFFF`. Java reads
      // `\u1000` then a literal "0"; the evident intent is U+10000..U+10FFFF, and that is what we match.
      if (hex.length > 4 && long > 0xffff && long <= 0x10ffff) {
        out += `\\u{${long.toString(16)}}`;
        i = j - 1;
      } else {
        out += `\\u{${hex.slice(0, 4)}}`;
        i += 4;
      }
      continue;
    }
    if (n === 'x') {
      const hex = pattern.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail('\\x needs two hex digits', i);
      out += `\\x${hex}`;
      i += 2;
      continue;
    }
    if (n === 'p' || n === 'P') {
      let name: string;
      if (pattern.charAt(i + 1) === '{') {
        const end = pattern.indexOf('}', i + 2);
        if (end < 0) fail('unterminated \\p{', i);
        name = pattern.slice(i + 2, end);
        i = end;
      } else {
        name = pattern.charAt(i + 1);
        i += 1;
      }
      const posix = POSIX[name];
      if (posix !== undefined) {
        if (n === 'P' || inClass) {
          if (n === 'P' && inClass) fail(`\\P{${name}} inside a class`, i);
          out += n === 'P' ? `[^${posix}]` : posix;
        } else {
          out += `[${posix}]`;
        }
      } else if (/^(?:L[ultmo]?|M[nce]?|N[dlo]?|P[cdseifo]?|S[mcko]?|Z[slp]?|C[cfson]?)$/.test(name)) {
        out += `\\${n}{${name}}`;
      } else {
        fail(`unsupported property \\p{${name}}`, i);
      }
      continue;
    }
    if (n === 's' || n === 'S') {
      if (n === 'S' && inClass) fail('\\S inside a class', i);
      out += inClass ? JAVA_SPACE : n === 's' ? `[${JAVA_SPACE}]` : `[^${JAVA_SPACE}]`;
      continue;
    }
    if ('dDwW'.includes(n) || 'tnrf'.includes(n)) {
      out += `\\${n}`;
      continue;
    }
    if (n === 'a' || n === 'e') {
      out += n === 'a' ? '\\x07' : '\\x1B';
      continue;
    }
    if ((n === 'b' || n === 'B') && !inClass) {
      out += `\\${n}`;
      continue;
    }
    if (/[A-Za-z0-9]/.test(n)) fail(`unsupported escape \\${n}`, i);
    // Any other escaped character is itself; unicode mode only accepts escapes of syntax characters
    // (and `-` inside a class), so `\:` becomes `:`.
    if (SYNTAX.has(n)) out += `\\${n}`;
    else if (n === '-') out += inClass ? '\\-' : '-';
    else out += n;
  }
  if (inClass) fail('unterminated character class', pattern.length);
  try {
    return new RegExp(`^(?:${out})$`, 'u');
  } catch (e) {
    return fail(`translation ${JSON.stringify(out)} does not compile (${(e as Error).message})`, 0);
  }
}
