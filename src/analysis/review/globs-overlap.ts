/**
 * Whether two IAM wildcard patterns (`*` any run, `?` one character) can match a common string:
 * `arn:aws:logs:*:*:log-group:/app-*:*` and the log-stream ARN format overlap, so a statement on
 * that pattern can grant `logs:PutLogEvents`. Dynamic programming over both patterns' positions.
 *
 * In `a`, the character `FIELD_STAR` is a wildcard that matches no `:`: an ARN format's
 * placeholder for the partition, region or account stays within its field.
 */
export const FIELD_STAR = '\u0001';

export function globsOverlap(a: string, b: string): boolean {
  const n = a.length;
  const m = b.length;
  // seen[i*(m+1)+j]: state (i, j) already explored.
  const seen = new Uint8Array((n + 1) * (m + 1));
  const stack: number[] = [0, 0];
  while (stack.length) {
    const j = stack.pop() as number;
    const i = stack.pop() as number;
    const k = i * (m + 1) + j;
    if (seen[k]) continue;
    seen[k] = 1;
    if (i === n && j === m) return true;
    const ca = i < n ? a.charCodeAt(i) : -1;
    const cb = j < m ? b.charCodeAt(j) : -1;
    if (ca === 1) {
      stack.push(i + 1, j);
      if (j < m && cb !== 58) stack.push(i, j + 1);
    }
    if (ca === 42) {
      // `*` in a matches nothing more, or swallows b's next character (a `*` of b included).
      stack.push(i + 1, j);
      if (j < m) stack.push(i, j + 1);
    }
    if (cb === 42) {
      stack.push(i, j + 1);
      if (i < n) stack.push(i + 1, j);
    }
    if (ca >= 0 && cb >= 0 && ca !== 42 && ca !== 1 && cb !== 42 && (ca === cb || ca === 63 || cb === 63)) stack.push(i + 1, j + 1);
  }
  return false;
}
