/**
 * Resource patterns from observed ARNs: exact when few, else the narrowest readable wildcards
 * that cover them, cut at the ARN's own separators (`arn:aws:s3:::bucket/*`, `.../table/*`), never
 * across service, region or account. And a containment test between wildcard patterns.
 */

export interface GeneralizeOptions {
  /** At most this many entries in the result before ARNs are grouped under wildcards (default 3). */
  maxResources?: number;
}

/** Offset just past the fifth colon (where the resource part starts); -1 when not an ARN. */
function resourceStart(arn: string): number {
  let i = -1;
  for (let n = 0; n < 5; n++) {
    i = arn.indexOf(':', i + 1);
    if (i < 0) return -1;
  }
  return i + 1;
}

/**
 * The prefix one level above `prefix` (which ends at a separator, or is a full ARN): cut after
 * the previous `/` or `:` of the resource part, or at the resource part's start. Undefined when
 * already there.
 */
function parentPrefix(value: string): string | undefined {
  const start = resourceStart(value);
  if (start < 0) return undefined;
  const body = value.endsWith('/') || value.endsWith(':') ? value.slice(0, -1) : value;
  if (body.length < start) return undefined;
  for (let i = body.length - 1; i >= start; i--) {
    if (body[i] === '/' || body[i] === ':') return body.slice(0, i + 1);
  }
  return body.length === start - 1 ? undefined : value.slice(0, start);
}

interface Group {
  prefix: string | undefined;
  members: string[];
}

function commonPrefix(values: readonly string[]): string {
  let p = values[0] ?? '';
  for (const v of values) while (!v.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** The longest prefix of every member that ends at a separator of the resource part (or at its start). */
function deepestParent(members: readonly string[]): string {
  const shared = commonPrefix(members);
  const start = resourceStart(members[0]);
  for (let i = shared.length - 1; i >= start; i--) if (shared[i] === '/' || shared[i] === ':') return shared.slice(0, i + 1);
  return members[0].slice(0, start);
}

/**
 * The pattern merging `members` under `prefix`, or undefined when it would be too wide: at the
 * resource part's start (all buckets, all queues of the account) only when the names share a
 * beginning (`arn:aws:s3:::logs-*`); never every resource of the service.
 */
function mergedPattern(prefix: string, members: readonly string[]): string | undefined {
  if (resourceStart(prefix) !== prefix.length) return `${prefix}*`;
  const names = members.map((m) => m.slice(prefix.length).split(/[/:]/)[0]);
  const shared = commonPrefix(names);
  return shared ? `${prefix}${shared}*` : undefined;
}

/**
 * Patterns covering every ARN of `arns`: the ARNs themselves when at most `maxResources`, else
 * ARNs sharing the deepest common parent merged into `parent/*` until few enough remain (or no
 * merge is narrow enough). `*` observed (actions without resource types) gives `*`. Sorted.
 */
export function generalizeResources(arns: Iterable<string>, options: GeneralizeOptions = {}): string[] {
  const max = Math.max(1, options.maxResources ?? 3);
  const distinct = [...new Set(arns)];
  if (distinct.includes('*')) return ['*'];
  if (distinct.length <= max) return distinct.sort();
  let groups: Group[] = distinct.map((a) => ({ prefix: parentPrefix(a), members: [a] }));
  while (groups.length > max) {
    // Merge the groups that share the deepest parent.
    const byPrefix = new Map<string, Group[]>();
    for (const g of groups) if (g.prefix !== undefined) byPrefix.set(g.prefix, [...(byPrefix.get(g.prefix) ?? []), g]);
    const candidates = [...byPrefix].filter(([, list]) => list.length > 1).sort(([a], [b]) => b.length - a.length);
    let merged = false;
    for (const [prefix, list] of candidates) {
      const members = list.flatMap((g) => g.members);
      if (mergedPattern(prefix, members) === undefined) continue;
      groups = [...groups.filter((g) => !list.includes(g)), { prefix, members }];
      merged = true;
      break;
    }
    if (merged) continue;
    // No two share a parent: lift the deepest ones a level and try again.
    let lifted = false;
    const depths = [...new Set(groups.map((g) => g.prefix?.length ?? -1))].sort((a, b) => b - a);
    for (const depth of depths) {
      if (depth < 0) break;
      for (const g of groups) {
        if (g.prefix === undefined || g.prefix.length !== depth) continue;
        const up = parentPrefix(g.prefix);
        if (up !== undefined) {
          g.prefix = up;
          lifted = true;
        }
      }
      if (lifted) break;
    }
    if (!lifted) break;
  }
  const out = new Set<string>();
  for (const g of groups) {
    // The members' deepest common parent: a lift that led to no merge widens nothing.
    const pattern = g.members.length === 1 ? g.members[0] : mergedPattern(deepestParent(g.members), g.members);
    if (pattern === undefined) for (const m of g.members) out.add(m);
    else out.add(pattern);
  }
  // A wider pattern makes narrower entries redundant.
  const list = [...out];
  return list.filter((p) => !list.some((q) => q !== p && globCovers(q, p))).sort();
}

/**
 * Whether every value matching the wildcard pattern `inner` also matches `outer` (IAM globs: `*`
 * any run, `?` one character). Sound, and exact for these globs: an inner `*` must be consumed
 * by an outer `*`. Case-sensitive (lower-case both for actions).
 */
export function globCovers(outer: string, inner: string): boolean {
  const memo = new Map<number, boolean>();
  const width = inner.length + 1;
  const go = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (i === outer.length) r = j === inner.length;
    else if (outer[i] === '*') r = go(i + 1, j) || (j < inner.length && go(i, j + 1));
    else if (j === inner.length || inner[j] === '*') r = false;
    else if (outer[i] === '?') r = go(i + 1, j + 1);
    else r = inner[j] !== '?' && outer[i] === inner[j] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}
