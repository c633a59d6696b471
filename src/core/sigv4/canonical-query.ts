import { canonicalQueryComponent } from './percent-encoding.js';

/** One query parameter as it appears on the wire (still encoded). */
export interface RawQueryParameter {
  key: string;
  value: string;
}

/** Splits a raw query string on '&' and the first '='; empty pieces (from '&&' or a trailing '&') are skipped. */
export function splitQuery(query: string): RawQueryParameter[] {
  const out: RawQueryParameter[] = [];
  if (query === '') return out;
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    if (end > start) {
      const eq = query.indexOf('=', start);
      if (eq >= 0 && eq < end) out.push({ key: query.slice(start, eq), value: query.slice(eq + 1, end) });
      else out.push({ key: query.slice(start, end), value: '' });
    }
    start = end + 1;
  }
  return out;
}

/**
 * The canonical query string: every parameter re-encoded per RFC 3986, sorted by encoded key then
 * encoded value (code-unit order equals byte order, as all of it is ASCII by then), joined with '&'.
 * `dropSignature` leaves out X-Amz-Signature, which a presigned request can't sign.
 */
export function canonicalQuery(query: string, dropSignature: boolean): string {
  if (query === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const { key, value } of splitQuery(query)) {
    const k = canonicalQueryComponent(key);
    if (dropSignature && k === 'X-Amz-Signature') continue;
    pairs.push([k, canonicalQueryComponent(value)]);
  }
  if (pairs.length > 1) {
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  }
  let out = '';
  for (let i = 0; i < pairs.length; i++) {
    if (i > 0) out += '&';
    out += pairs[i][0] + '=' + pairs[i][1];
  }
  return out;
}
