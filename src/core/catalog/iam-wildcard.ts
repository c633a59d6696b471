/**
 * IAM's wildcard matching for action names: `*` matches any run of characters (also none), `?`
 * exactly one, everything else literally and case-insensitively.
 */

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** Compiles an IAM wildcard pattern into an anchored, case-insensitive RegExp. */
export function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // `s` so that `*` and `?` also match line breaks, which a literal never contains.
  return new RegExp(`^${source}$`, 'is');
}
