/**
 * The principal a session token stands for, rebuilt from its claims alone, so any region and the
 * control plane see the same caller without a lookup: an assumed role, a federated user, or the
 * IAM user (or root) behind GetSessionToken, as GetCallerIdentity shows them.
 */
import type { Principal, SessionClaims } from './principal.js';

/**
 * AssumedRole: `arn:…:sts::ACCOUNT:assumed-role/RoleName/session`, user id `ROLEID:session`.
 * FederatedUser: `arn:…:sts::ACCOUNT:federated-user/name`, user id `ACCOUNT:name`; `userName` is the
 * IAM user who called GetFederationToken. SessionToken: the user itself (or the root user) with
 * the session attached. Undefined when the claims lack what their kind needs.
 */
export function sessionPrincipal(claims: SessionClaims, partition: string): Principal | undefined {
  const { account, accessKeyId } = claims;
  const base = { account, accessKeyId, session: claims };
  switch (claims.kind) {
    case 'AssumedRole':
      if (!claims.roleName || !claims.roleId || !claims.sessionName) return undefined;
      return { ...base, type: 'AssumedRole', arn: `arn:${partition}:sts::${account}:assumed-role/${claims.roleName}/${claims.sessionName}`, userId: `${claims.roleId}:${claims.sessionName}` };
    case 'FederatedUser':
      if (!claims.federatedName) return undefined;
      return {
        ...base,
        type: 'FederatedUser',
        arn: `arn:${partition}:sts::${account}:federated-user/${claims.federatedName}`,
        userId: `${account}:${claims.federatedName}`,
        ...(claims.userName ? { userName: claims.userName } : {}),
      };
    case 'SessionToken':
      if (!claims.userName) return { ...base, type: 'Root', arn: claims.userArn ?? `arn:${partition}:iam::${account}:root`, userId: account };
      if (!claims.userArn || !claims.userId) return undefined;
      return { ...base, type: 'IAMUser', arn: claims.userArn, userId: claims.userId, userName: claims.userName };
    default:
      return undefined;
  }
}
