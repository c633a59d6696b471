import { authFailure, scopeWrongRegion, scopeWrongService } from './messages.js';
import type { AuthFailure, SignatureInfo } from './types.js';

/**
 * The caller's half of AWS's credential-scope check: the service the endpoint serves, and, when
 * given, the region. Gatehouse accepts any region in a SigV4 scope (clients sign IAM with their own
 * region), so `region` is optional; SigV4a scopes have no region (see regionSetIncludes).
 */
export function checkCredentialScope(info: SignatureInfo, expected: { service: string; region?: string }): AuthFailure | undefined {
  let problems = '';
  if (expected.region !== undefined && info.region !== undefined && info.region !== expected.region) problems += scopeWrongRegion(info.region);
  if (info.service !== expected.service) problems += scopeWrongService(expected.service);
  return problems === '' ? undefined : authFailure('SignatureDoesNotMatch', problems);
}

/**
 * Whether a SigV4a region set covers `region`. Entries may use '*' as a wildcard ('*', 'us-*'),
 * matched against the whole region name.
 */
export function regionSetIncludes(regionSet: readonly string[], region: string): boolean {
  for (const entry of regionSet) {
    if (entry === '*' || entry === region) return true;
    if (entry.indexOf('*') >= 0 && wildcardMatch(entry, region)) return true;
  }
  return false;
}

function wildcardMatch(pattern: string, value: string): boolean {
  const pieces = pattern.split('*');
  if (!value.startsWith(pieces[0])) return false;
  let at = pieces[0].length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const found = value.indexOf(pieces[i], at);
    if (found < 0) return false;
    at = found + pieces[i].length;
  }
  const last = pieces[pieces.length - 1];
  return value.length - last.length >= at && value.endsWith(last);
}
