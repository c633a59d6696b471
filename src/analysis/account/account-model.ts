/**
 * One AWS account as the analysis tools see it: its principals, their policies, and the managed
 * policies they use, in the shape `aws iam get-account-authorization-details` describes (names
 * in our own casing). Documents are parsed JSON; anything unparseable stays as the text it was,
 * so lint can report it and evaluation treats it as granting nothing.
 */
export interface Tag {
  key: string;
  value: string;
}

export interface InlinePolicy {
  name: string;
  document: unknown;
}

export interface PolicyVersion {
  versionId: string;
  isDefault: boolean;
  document: unknown;
  createDate?: string;
}

export interface ManagedPolicy {
  arn: string;
  name: string;
  path: string;
  id?: string;
  /** `arn:aws:iam::aws:policy/...`. */
  awsManaged: boolean;
  defaultVersionId: string;
  /** Every version the source listed; the default one is `defaultDocument`. */
  versions: PolicyVersion[];
  /** The default version's document (undefined when the source omitted the versions). */
  defaultDocument: unknown;
  attachmentCount?: number;
  createDate?: string;
  updateDate?: string;
}

export interface AccessKey {
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createDate?: string;
  /** ISO time of last use; absent when never used or unknown. */
  lastUsedDate?: string;
  lastUsedService?: string;
}

interface PrincipalBase {
  arn: string;
  name: string;
  id: string;
  path: string;
  createDate?: string;
  inlinePolicies: InlinePolicy[];
  /** ARNs of attached managed policies. */
  attachedPolicies: string[];
}

export interface AccountUser extends PrincipalBase {
  kind: 'user';
  /** Group names as the user detail lists them. */
  groups: string[];
  permissionsBoundary?: string;
  tags: Tag[];
  /** Known only from the live store or a credential report. */
  passwordLastUsed?: string;
  hasPassword?: boolean;
  accessKeys?: AccessKey[];
  mfaDevices?: number;
}

export interface AccountGroup extends PrincipalBase {
  kind: 'group';
}

export interface AccountRole extends PrincipalBase {
  kind: 'role';
  trustPolicy: unknown;
  permissionsBoundary?: string;
  tags: Tag[];
  description?: string;
  maxSessionDuration?: number;
  lastUsedDate?: string;
  lastUsedRegion?: string;
  /** Instance profile ARNs: EC2 instances launched with one hold the role. */
  instanceProfiles: string[];
}

export type AccountPrincipal = AccountUser | AccountRole;

export interface AccountModel {
  accountId: string;
  partition: string;
  users: AccountUser[];
  groups: AccountGroup[];
  roles: AccountRole[];
  /** Managed policies by ARN: the account's own and the AWS managed ones it uses. */
  policies: Map<string, ManagedPolicy>;
  /** SCP levels from the organization root down to this account, when known. */
  scps?: unknown[][];
}

/** A finding about the source document: something skipped or guessed while importing. */
export interface ImportWarning {
  path: string;
  message: string;
}
