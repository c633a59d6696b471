import { parseArn } from '../arn.js';

/** What the engine needs to know about the caller, parsed once per request. */
export interface PrincipalInfo {
  arn: string;
  kind: 'user' | 'assumed-role' | 'federated-user' | 'root' | 'role' | 'external';
  /** undefined for external principals (services, identity providers). */
  account?: string;
  /** For role sessions: `account/roleName`, to match a role ARN whatever its path. */
  roleKey?: string;
}

const cache = new Map<string, PrincipalInfo>();
const CACHE_LIMIT = 65536;

/** Parses a caller; results are memoized (a bounded cache) since the same callers recur. */
export function parsePrincipal(arn: string): PrincipalInfo {
  let info = cache.get(arn);
  if (!info) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    info = Object.freeze(parseUncached(arn));
    cache.set(arn, info);
  }
  return info;
}

function parseUncached(arn: string): PrincipalInfo {
  const a = parseArn(arn);
  if (!a || (a.service !== 'iam' && a.service !== 'sts')) return { arn, kind: 'external' };
  const account = a.account;
  const r = a.resource;
  if (a.service === 'iam') {
    if (r === 'root') return { arn, kind: 'root', account };
    if (r.startsWith('user/')) return { arn, kind: 'user', account };
    if (r.startsWith('role/')) return { arn, kind: 'role', account, roleKey: `${account}/${r.slice(r.lastIndexOf('/') + 1)}` };
    return { arn, kind: 'external', account };
  }
  if (r.startsWith('assumed-role/')) {
    const roleName = r.split('/')[1];
    return { arn, kind: 'assumed-role', account, roleKey: `${account}/${roleName}` };
  }
  if (r.startsWith('federated-user/')) return { arn, kind: 'federated-user', account };
  return { arn, kind: 'external', account };
}

/** The key of a role ARN as used in `PrincipalInfo.roleKey`, or undefined. */
export function roleKeyOfArn(arn: string): string | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'iam' || !a.resource.startsWith('role/')) return undefined;
  return `${a.account}/${a.resource.slice(a.resource.lastIndexOf('/') + 1)}`;
}
