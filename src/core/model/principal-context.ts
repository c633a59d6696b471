/**
 * The global condition keys AWS sets for a request, from the principal that made it and the
 * request's facts ("AWS global condition context keys", IAM User Guide). Both planes use it, so a
 * policy decides the same on the control plane and in every region.
 */
import type { ContextValue } from '../policy/request.js';
import type { Tag } from './iam-entities.js';
import type { Principal } from './principal.js';

export interface RequestFacts {
  now: Date;
  sourceIp: string;
  userAgent: string;
  secureTransport: boolean;
  /** The region of the request's credential scope. */
  region: string;
}

const PRINCIPAL_TYPE: Record<Principal['type'], string> = { IAMUser: 'User', Root: 'Account', AssumedRole: 'AssumedRole', FederatedUser: 'FederatedUser' };

function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The ARN `aws:PrincipalArn` holds: the role's ARN for a role session (not the session's), the
 * user's for a user, the session's for a federated user.
 */
export function principalArn(principal: Principal): string {
  return principal.type === 'AssumedRole' && principal.session?.roleArn ? principal.session.roleArn : principal.arn;
}

/**
 * `ownTags` are the tags of the IAM user or role the principal is (none for root and federated
 * users); a session's tags override them key by key (keys compare case-insensitively).
 */
export function principalContext(principal: Principal, ownTags: readonly Tag[], facts: RequestFacts): Record<string, ContextValue> {
  const { now } = facts;
  const out: Record<string, ContextValue> = {
    'aws:PrincipalArn': principalArn(principal),
    'aws:PrincipalAccount': principal.account,
    'aws:PrincipalType': PRINCIPAL_TYPE[principal.type],
    'aws:PrincipalIsAWSService': 'false',
    'aws:userid': principal.userId,
    'aws:SourceIp': facts.sourceIp,
    'aws:UserAgent': facts.userAgent,
    'aws:SecureTransport': String(facts.secureTransport),
    'aws:CurrentTime': isoSeconds(now),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:RequestedRegion': facts.region,
    'aws:ViaAWSService': 'false',
  };
  if (principal.type === 'IAMUser' && principal.userName) out['aws:username'] = principal.userName;
  const tags = new Map<string, Tag>();
  if (principal.type !== 'FederatedUser') for (const t of ownTags) tags.set(t.key.toLowerCase(), t);
  const session = principal.session;
  if (session) {
    for (const t of session.tags ?? []) tags.set(t.key.toLowerCase(), t);
    out['aws:TokenIssueTime'] = isoSeconds(new Date(session.issuedAt));
    out['aws:MultiFactorAuthPresent'] = String(session.mfaAuthenticatedAt !== undefined);
    if (session.mfaAuthenticatedAt) out['aws:MultiFactorAuthAge'] = String(Math.max(0, Math.floor((now.getTime() - Date.parse(session.mfaAuthenticatedAt)) / 1000)));
    if (session.sourceIdentity) out['aws:SourceIdentity'] = session.sourceIdentity;
  }
  for (const t of tags.values()) out[`aws:PrincipalTag/${t.key}`] = t.value;
  return out;
}
