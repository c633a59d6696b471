import type { HttpRequestParts } from './types.js';

/** True when `name` equals `lowerName` ignoring ASCII case; `lowerName` must already be lowercase. */
export function headerNameIs(name: string, lowerName: string): boolean {
  return name.length === lowerName.length && (name === lowerName || name.toLowerCase() === lowerName);
}

/** The first value of a header (case-insensitive name), or undefined when absent. */
export function firstHeader(req: HttpRequestParts, lowerName: string): string | undefined {
  const headers = req.headers;
  for (let i = 0; i < headers.length; i++) {
    if (headerNameIs(headers[i][0], lowerName)) return headers[i][1];
  }
  return undefined;
}

function isSpace(c: number): boolean {
  // space, \t, \n, \v, \f, \r: \n and \r matter for folded (multiline) header values.
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Leading or trailing whitespace, whitespace other than a space, or two spaces in a row. */
const NOT_NORMAL = /^[ \t\n\v\f\r]|[ \t\n\v\f\r]$|[\t\n\v\f\r]| {2}/;

/**
 * SigV4's header value normalisation: trim, and turn each run of whitespace into one space (so a
 * folded "value1\n  value2" becomes "value1 value2"). Returns the input itself when already normal,
 * which is the common case.
 */
export function normalizeHeaderValue(value: string): string {
  // The regular expression engine checks the common, already normal value (a session token is
  // ~700 characters) far faster than a loop over its characters.
  if (!NOT_NORMAL.test(value)) return value;
  const n = value.length;
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (isSpace(c)) {
      pendingSpace = out.length > 0;
    } else {
      if (pendingSpace) out += ' ';
      pendingSpace = false;
      out += value[i];
    }
  }
  return out;
}

/**
 * All values of a header in arrival order, each normalised, joined with ',' (how SigV4 folds a
 * repeated header); undefined when the request doesn't carry it.
 */
export function canonicalHeaderValue(req: HttpRequestParts, lowerName: string): string | undefined {
  const headers = req.headers;
  let out: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    if (!headerNameIs(headers[i][0], lowerName)) continue;
    const value = normalizeHeaderValue(headers[i][1]);
    out = out === undefined ? value : out + ',' + value;
  }
  return out;
}
