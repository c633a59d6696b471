/** The CloudTrail `userIdentity` of a request's principal. */
import type { SessionIssuer, UserIdentity } from '../audit/index.js';
import type { Principal } from '../core/model/principal.js';

/**
 * CloudTrail's userIdentity for a caller. A session adds `sessionContext`: who issued it (the role
 * for a role session, the calling user for a federated user; nothing for GetSessionToken, whose
 * caller is the user itself), when, whether with MFA, and the source identity.
 */
export function auditIdentity(caller: Principal): UserIdentity {
  const identity: UserIdentity = { type: caller.type, principalId: caller.userId, arn: caller.arn, accountId: caller.account, accessKeyId: caller.accessKeyId };
  if (caller.type === 'IAMUser' && caller.userName) identity.userName = caller.userName;
  const s = caller.session;
  if (!s) return identity;
  const account = caller.account;
  const sessionIssuer: SessionIssuer | undefined =
    s.kind === 'AssumedRole'
      ? { type: 'Role', principalId: s.roleId ?? '', arn: s.roleArn ?? '', accountId: account, userName: s.roleName ?? '' }
      : s.kind === 'FederatedUser'
        ? s.userName
          ? { type: 'IAMUser', principalId: s.userId ?? '', arn: s.userArn ?? '', accountId: account, userName: s.userName }
          : { type: 'Root', principalId: account, arn: s.userArn ?? '', accountId: account }
        : undefined;
  identity.sessionContext = {
    ...(sessionIssuer ? { sessionIssuer } : {}),
    attributes: { creationDate: new Date(s.issuedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: s.mfaAuthenticatedAt !== undefined ? 'true' : 'false' },
    ...(s.sourceIdentity !== undefined ? { sourceIdentity: s.sourceIdentity } : {}),
  };
  return identity;
}
