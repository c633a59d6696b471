/**
 * The authenticated principal a request is made as, on either plane: an IAM user signing with a
 * long-term key, or a session signing with temporary credentials from STS. A session's facts
 * travel inside its self-contained token (core/tokens), so any region can rebuild the principal
 * without a lookup.
 */
import type { Tag } from './iam-entities.js';

export type PrincipalType = 'IAMUser' | 'Root' | 'AssumedRole' | 'FederatedUser';

export interface Principal {
  type: PrincipalType;
  account: string;
  /**
   * The caller's ARN as GetCallerIdentity shows it: `…:user/path/name`, `…:root`,
   * `arn:aws:sts::ACCOUNT:assumed-role/RoleName/session`, `arn:aws:sts::ACCOUNT:federated-user/name`.
   */
  arn: string;
  /** `AIDA…` for a user, `AROA…:session` for a role session, `ACCOUNT:name` for a federated user, the account id for root. */
  userId: string;
  /** The IAM user's name: the signer itself, the user behind GetSessionToken, or the one who called GetFederationToken. */
  userName?: string;
  accessKeyId: string;
  /** Set when the request was signed with temporary credentials. */
  session?: SessionClaims;
}

/** How a session was created. */
export type SessionKind = 'AssumedRole' | 'FederatedUser' | 'SessionToken';

/**
 * Everything a session token carries (sealed, see core/tokens). Times are ISO-8601 with
 * milliseconds. Policies are carried as given so a region compiles them itself.
 */
export interface SessionClaims {
  v: 1;
  kind: SessionKind;
  /** The temporary `ASIA…` key id and its secret (the token is sealed, so the secret stays private). */
  accessKeyId: string;
  secretAccessKey: string;
  account: string;
  issuedAt: string;
  expiresAt: string;
  /** The region whose STS issued it. */
  issuedIn: string;
  /** AssumedRole: the role and session name. */
  roleArn?: string;
  roleId?: string;
  roleName?: string;
  sessionName?: string;
  /** SessionToken and FederatedUser: the IAM user whose long-term key created the session. */
  userArn?: string;
  userId?: string;
  userName?: string;
  /** FederatedUser: the name given to GetFederationToken. */
  federatedName?: string;
  sourceIdentity?: string;
  /** When MFA was presented to create the session (aws:MultiFactorAuthPresent / Age). */
  mfaAuthenticatedAt?: string;
  /** Session tags (aws:PrincipalTag/…); they override the role's tags with the same key. */
  tags?: Tag[];
  /** Tag keys passed on to sessions this one creates by role chaining (lowercased as AWS compares them). */
  transitiveTagKeys?: string[];
  /** Session policies: an inline document and managed policy ARNs. */
  policy?: string;
  policyArns?: string[];
  /** Created with temporary credentials (role chaining): at most one hour. */
  chained?: boolean;
}
