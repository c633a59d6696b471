/**
 * "Did you mean" suggestions: the closest candidate by edit distance (case-insensitive), within a
 * limit that grows with the word's length. Runs only on names already found unknown, over one
 * service's names, so a plain banded Levenshtein is fast enough.
 */

/** Levenshtein distance, or `limit + 1` as soon as it must exceed `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = new Array<number>(b.length + 1);
  let curr = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    let rowMin = curr[0];
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      curr[j] = Math.min(prev[j] + 1, curr[j - 1] + 1, prev[j - 1] + cost);
      if (curr[j] < rowMin) rowMin = curr[j];
    }
    if (rowMin > limit) return limit + 1;
    [prev, curr] = [curr, prev];
  }
  return prev[b.length];
}

/** The candidate closest to `word`, if one is within a third of its length (at least 2 edits). */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let limit = Math.max(2, Math.floor(lower.length / 3));
  let best: string | undefined;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase(), limit);
    if (d <= limit && (best === undefined || d < limit)) {
      best = c;
      limit = d;
      if (d === 0) break;
    }
  }
  return best;
}
