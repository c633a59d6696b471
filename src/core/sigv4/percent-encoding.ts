/**
 * RFC 3986 percent-encoding as SigV4 uses it: only A-Z a-z 0-9 - _ . ~ stay literal, everything else
 * becomes %XX (uppercase) of its UTF-8 bytes. Written by hand rather than with encodeURIComponent
 * because that leaves !'()* alone, throws on lone surrogates, and its inverse throws on bad input;
 * the verifier must never throw on what a client sends.
 */

const HEX = '0123456789ABCDEF';

/** 1 for the RFC 3986 unreserved characters. */
const UNRESERVED = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9\-_.~]/.test(ch)) UNRESERVED[c] = 1;
}

const SLASH = 0x2f;
const PERCENT = 0x25;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function byteEscape(b: number): string {
  return '%' + HEX[b >> 4] + HEX[b & 15];
}

/** Percent-encodes the UTF-8 bytes of the code point at s[i]; returns the escapes and how many UTF-16 units it used. */
function encodeCodePoint(s: string, i: number): [string, number] {
  const c = s.charCodeAt(i);
  if (c < 0x80) return [byteEscape(c), 1];
  if (c < 0x800) return [byteEscape(0xc0 | (c >> 6)) + byteEscape(0x80 | (c & 63)), 1];
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      return [
        byteEscape(0xf0 | (cp >> 18)) + byteEscape(0x80 | ((cp >> 12) & 63)) + byteEscape(0x80 | ((cp >> 6) & 63)) + byteEscape(0x80 | (cp & 63)),
        2,
      ];
    }
  }
  // A lone surrogate has no UTF-8 form; encode U+FFFD as Buffer.from(string) would.
  const cp = c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
  return [byteEscape(0xe0 | (cp >> 12)) + byteEscape(0x80 | ((cp >> 6) & 63)) + byteEscape(0x80 | (cp & 63)), 1];
}

/**
 * Encodes every character except the unreserved ones (and '/' when keepSlash). A '%' is encoded too:
 * this is the "double encoding" of non-S3 SigV4, applied to the path exactly as it came off the wire.
 */
export function uriEncode(s: string, keepSlash: boolean): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (UNRESERVED[c] === 0 && !(keepSlash && c === SLASH))) break;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 128 && (UNRESERVED[c] === 1 || (keepSlash && c === SLASH))) {
      out += s[i];
      i++;
    } else {
      const [escaped, used] = encodeCodePoint(s, i);
      out += escaped;
      i += used;
    }
  }
  return out;
}

/**
 * The canonical form of a query-string key or value: decode %XX escapes, then encode again per
 * RFC 3986. Done in one pass on bytes, so invalid UTF-8 and stray '%' (which becomes %25) need no
 * special case and nothing can throw. '+' is a literal plus (%2B), not a space: clients encode spaces
 * in URLs as %20, and AWS signers treat a raw '+' as a character of the value.
 */
export function canonicalQueryComponent(s: string): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || UNRESERVED[c] === 0) break;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === PERCENT && i + 2 < n && hexValue(s.charCodeAt(i + 1)) >= 0 && hexValue(s.charCodeAt(i + 2)) >= 0) {
      const b = (hexValue(s.charCodeAt(i + 1)) << 4) | hexValue(s.charCodeAt(i + 2));
      out += b < 128 && UNRESERVED[b] === 1 ? String.fromCharCode(b) : byteEscape(b);
      i += 3;
    } else if (c < 128 && UNRESERVED[c] === 1) {
      out += s[i];
      i++;
    } else {
      const [escaped, used] = encodeCodePoint(s, i);
      out += escaped;
      i += used;
    }
  }
  return out;
}

/** Decodes %XX escapes to a string (UTF-8; invalid sequences become U+FFFD). Never throws. */
export function percentDecode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === PERCENT && i + 2 < n && hexValue(s.charCodeAt(i + 1)) >= 0 && hexValue(s.charCodeAt(i + 2)) >= 0) {
      bytes.push((hexValue(s.charCodeAt(i + 1)) << 4) | hexValue(s.charCodeAt(i + 2)));
      i += 3;
    } else if (c < 128) {
      bytes.push(c);
      i++;
    } else {
      // Re-use the encoder for the UTF-8 bytes of a non-ASCII character.
      const [escaped, used] = encodeCodePoint(s, i);
      for (let k = 0; k < escaped.length; k += 3) bytes.push(parseInt(escaped.slice(k + 1, k + 3), 16));
      i += used;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
