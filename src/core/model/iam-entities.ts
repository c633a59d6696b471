/**
 * The IAM entities as the control plane stores them. Field names are the domain names: the
 * model's member names with the first letter lowercased (see src/protocol/README.md), so an
 * entity maps onto the API's shapes without renaming. Secrets are sealed (core/crypto) before
 * they are stored; passwords are hashed.
 */

export interface Tag {
  key: string;
  value: string;
}

/** An inline policy: name → policy document (JSON text as the caller sent it). */
export type InlinePolicies = Record<string, string>;

export interface AccountEntity {
  accountId: string;
  /** The account alias (AWS allows one). */
  alias?: string;
  /** Set for the organization's management account. */
  managementAccount?: boolean;
  passwordPolicy?: PasswordPolicy;
  createDate: string;
}

export interface PasswordPolicy {
  minimumPasswordLength: number;
  requireSymbols: boolean;
  requireNumbers: boolean;
  requireUppercaseCharacters: boolean;
  requireLowercaseCharacters: boolean;
  allowUsersToChangePassword: boolean;
  expirePasswords: boolean;
  maxPasswordAge?: number;
  passwordReusePrevention?: number;
  hardExpiry?: boolean;
}

interface PrincipalBase {
  path: string;
  arn: string;
  createDate: string;
  tags: Tag[];
  /** ARNs of attached managed policies, in attachment order. */
  attachedPolicies: string[];
  inlinePolicies: InlinePolicies;
  /** ARN of the managed policy used as permissions boundary. */
  permissionsBoundary?: string;
}

export interface UserEntity extends PrincipalBase {
  userName: string;
  userId: string;
  /** Lowercased names of the groups the user belongs to. */
  groups: string[];
  /** Ids of the user's access keys (at most two). */
  accessKeys: string[];
  /** Serial numbers of the MFA devices enabled for the user. */
  mfaDevices: string[];
  loginProfile?: {
    passwordHash: string;
    createDate: string;
    passwordResetRequired: boolean;
    /** When the password was last set (expiry counts from here). */
    passwordLastChanged?: string;
    /** Keyed fingerprints of the current and previous passwords, newest first (PasswordReusePrevention). */
    passwordHistory?: string[];
  };
  passwordLastUsed?: string;
}

export interface GroupEntity extends Omit<PrincipalBase, 'tags' | 'permissionsBoundary'> {
  groupName: string;
  groupId: string;
}

export interface RoleEntity extends PrincipalBase {
  roleName: string;
  roleId: string;
  /** The trust policy, JSON text. */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  roleLastUsed?: { lastUsedDate: string; region: string };
}

export interface PolicyVersionEntity {
  versionId: string;
  /** JSON text as the caller sent it. */
  document: string;
  isDefaultVersion: boolean;
  createDate: string;
}

export interface ManagedPolicyEntity {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  description?: string;
  defaultVersionId: string;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
  isAttachable: boolean;
  createDate: string;
  updateDate: string;
  tags: Tag[];
  versions: PolicyVersionEntity[];
  /** The next version number to hand out (`v<n>`); AWS never reuses a version id. */
  nextVersion: number;
}

export interface AccessKeyEntity {
  accessKeyId: string;
  /** Lowercased user name (the key's owner) within `account`. */
  userKey: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createDate: string;
  /** The secret access key, sealed under the secrets key with the key id as context. */
  sealedSecret: string;
  /**
   * Last use as stores written before usage had its own record kept it. Read only as a fallback
   * when the key has no `access-key-usage` record; never written any more.
   */
  lastUsed?: AccessKeyUsageEntity;
}

/**
 * When an access key was last used (kind `access-key-usage`, id = the key id, account = the key's).
 * Kept apart from the key because it changes on every flush of usage: on the key record each
 * flush would be a key change, replicated (derived material and all) to every region.
 */
export interface AccessKeyUsageEntity {
  lastUsedDate: string;
  serviceName: string;
  region: string;
}

export interface MfaDeviceEntity {
  serialNumber: string;
  virtualMFADeviceName: string;
  path: string;
  /** The TOTP seed (base32), sealed with the serial number as context. */
  sealedSeed: string;
  createDate: string;
  tags: Tag[];
  /** Set once enabled for a user. */
  userName?: string;
  enableDate?: string;
  /** The last accepted TOTP counter, so a code is not accepted twice. */
  lastCounter?: number;
  /** Time steps the device's clock runs ahead (+) or behind (-), measured by ResyncMFADevice. */
  drift?: number;
}

/** Record kinds in the store. */
export const KIND = {
  account: 'account',
  user: 'user',
  group: 'group',
  groupMember: 'group-member',
  role: 'role',
  policy: 'policy',
  accessKey: 'access-key',
  /** Control plane only: the replication feed does not carry it (regions do not need it). */
  accessKeyUsage: 'access-key-usage',
  mfa: 'mfa-device',
  /** Control plane only (not on the feed's allowlist): EC2 instance profiles. */
  instanceProfile: 'instance-profile',
  /** Control plane only: the account's last credential report (id: the account). */
  credentialReport: 'credential-report',
} as const;

/** Store id of a named entity: names are unique per account regardless of case. */
export function entityId(account: string, name: string): string {
  return `${account}/${name.toLowerCase()}`;
}
