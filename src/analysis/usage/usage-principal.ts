/**
 * Which principal of the account made a recorded request. Users are recorded by their ARN; role
 * sessions by the session ARN `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`, which names the role
 * without its path, so sessions are matched to roles by name (as AWS's `aws:PrincipalArn` of a
 * session is the role ARN with its path).
 */
import type { AccountIndex, AccountPrincipal } from '../account/index.js';
import type { UsageRecord } from './usage-record.js';

const SESSION = /^arn:([^:]+):sts::([^:]*):assumed-role\/([^/]+)\/(.+)$/;
const IAM_ENTITY = /^arn:[^:]+:iam::([^:]*):(user|role)\/(?:.*\/)?([^/]+)$/;

/** The account's user or role behind a recorded principal ARN; undefined for anything else. */
export function resolveUsagePrincipal(index: AccountIndex, arn: string): AccountPrincipal | undefined {
  const direct = index.entity(arn);
  if (direct && direct.kind !== 'group') return direct;
  const session = SESSION.exec(arn);
  if (session) {
    const role = index.role(session[3]);
    return role && accountOf(role.arn) === session[2] ? role : undefined;
  }
  // A user or role ARN written without its path (or with another one): the name is unique.
  const entity = IAM_ENTITY.exec(arn);
  if (entity) {
    const found = entity[2] === 'user' ? index.user(entity[3]) : index.role(entity[3]);
    return found && accountOf(found.arn) === entity[1] ? found : undefined;
  }
  return undefined;
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

export interface UsageByPrincipal {
  /** Records by the ARN of the account's user or role. */
  byPrincipal: Map<string, UsageRecord[]>;
  /** Recorded principals that are not in the account (deleted, another account, federated users). */
  unmatched: string[];
}

/** Groups records by the user or role that made them. */
export function groupUsageByPrincipal(index: AccountIndex, records: readonly UsageRecord[]): UsageByPrincipal {
  const byPrincipal = new Map<string, UsageRecord[]>();
  const unmatched = new Set<string>();
  const memo = new Map<string, AccountPrincipal | undefined>();
  for (const r of records) {
    let p = memo.get(r.principal);
    if (!memo.has(r.principal)) memo.set(r.principal, (p = resolveUsagePrincipal(index, r.principal)));
    if (!p) {
      unmatched.add(r.principal);
      continue;
    }
    let list = byPrincipal.get(p.arn);
    if (!list) byPrincipal.set(p.arn, (list = []));
    list.push(r);
  }
  return { byPrincipal, unmatched: [...unmatched].sort() };
}
