import { arnColons } from '../arn.js';
import { globMatch } from './glob.js';

/*
 * ARN matching for the `Arn*` condition operators: "each of the six colon-delimited components
 * of the ARN is checked separately", so a wildcard never spans a segment boundary, except in the
 * last (resource) segment, which runs to the end of the ARN. (`Resource` uses whole-string
 * globs: there a trailing `*` may run past a colon.)
 */

/** Segment boundaries [start, end) of a pattern or value, at most six segments. */
function segments(s: string): number[] {
  const out = [0];
  let i = -1;
  for (let n = 0; n < 5; n++) {
    i = s.indexOf(':', i + 1);
    if (i < 0) break;
    out.push(i, i + 1);
  }
  out.push(s.length);
  return out;
}

export function matchArn(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const colons = arnColons(value);
  if (!colons) return globMatch(pattern, value);
  const ps = segments(pattern);
  const n = ps.length / 2;
  for (let i = 0; i < n; i++) {
    const vStart = i === 0 ? 0 : colons[i - 1] + 1;
    // A pattern with fewer than six segments matches its last one against the rest of the value.
    const vEnd = i === n - 1 ? value.length : colons[i];
    if (!globMatch(pattern, value, ps[2 * i], vStart, vEnd, ps[2 * i + 1])) return false;
  }
  return true;
}
