/**
 * The principal a request signed with temporary credentials is made as, rebuilt from the claims
 * its session token carries (no lookup), as GetCallerIdentity would show it.
 */
import type { Principal, SessionClaims } from '../core/model/principal.js';

/**
 * AssumedRole: `arn:…:sts::ACCOUNT:assumed-role/RoleName/session`, user id `ROLEID:session`.
 * FederatedUser: `arn:…:sts::ACCOUNT:federated-user/name`, user id `ACCOUNT:name`; `userName` is the
 * IAM user who called GetFederationToken. SessionToken (GetSessionToken): the user itself (or the
 * root user) with the session attached.
 */
export function sessionPrincipal(claims: SessionClaims, partition: string): Principal {
  const base = { account: claims.account, accessKeyId: claims.accessKeyId, session: claims };
  switch (claims.kind) {
    case 'AssumedRole': {
      const session = claims.sessionName ?? '';
      return { ...base, type: 'AssumedRole', arn: `arn:${partition}:sts::${claims.account}:assumed-role/${claims.roleName ?? ''}/${session}`, userId: `${claims.roleId ?? ''}:${session}` };
    }
    case 'FederatedUser': {
      const name = claims.federatedName ?? '';
      return { ...base, type: 'FederatedUser', arn: `arn:${partition}:sts::${claims.account}:federated-user/${name}`, userId: `${claims.account}:${name}`, ...(claims.userName ? { userName: claims.userName } : {}) };
    }
    case 'SessionToken':
      if (!claims.userName) return { ...base, type: 'Root', arn: claims.userArn ?? `arn:${partition}:iam::${claims.account}:root`, userId: claims.account };
      return { ...base, type: 'IAMUser', arn: claims.userArn ?? '', userId: claims.userId ?? '', userName: claims.userName };
  }
}
